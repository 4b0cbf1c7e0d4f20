# Sourced by ./sparseinfer and ./maven: sets JAVA_HOME to a JDK 25, or prints why there is none and fails.
# Looks at $JAVA_HOME first, then every JDK under /usr/lib/jvm; a JDK counts when its `release` file says 25.

sparseinfer_jdk_version() {
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*"/\1/p' "$1/release" 2>/dev/null
}

sparseinfer_find_jdk25() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(sparseinfer_jdk_version "$JAVA_HOME")" = 25 ]; then
        return 0
    fi
    local candidate
    for candidate in /usr/lib/jvm/*; do
        if [ -x "$candidate/bin/javac" ] && [ "$(sparseinfer_jdk_version "$candidate")" = 25 ]; then
            JAVA_HOME="$candidate"
            export JAVA_HOME
            return 0
        fi
    done
    echo "sparseinfer: no JDK 25 found (JAVA_HOME=${JAVA_HOME:-unset}; nothing under /usr/lib/jvm). Install a JDK 25 and set JAVA_HOME to it." >&2
    return 1
}
