#!/usr/bin/env bash
# Assembles the self-contained GPU bundle from what Maven staged (dist/pom.xml): a jlink runtime, the jars, the
# native libraries for Linux x86-64, the launchers and check.sh, packed into one tarball whose size is checked.
# Usage: build-bundle.sh JAVA_HOME MODULES STAGE_DIR TARBALL MAX_MIB
#   STAGE_DIR holds lib/ (the class path), tests/ (test-jars and the JUnit console launcher) and native-jars/.
set -euo pipefail

if [ $# -ne 5 ]; then
    echo "usage: $0 JAVA_HOME MODULES STAGE_DIR TARBALL MAX_MIB" >&2
    exit 2
fi
java_home=$1 modules=$2 stage=$3 tarball=$4 max_mib=$5
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name="$(basename "$tarball" -linux-x86_64.tar.gz)"
bundle="$stage/$name"

rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/lib/native" "$bundle/tests"

# The runtime. JDK 25 links from its own run-time image when it has no jmods (JEP 493), as Temurin's does.
# --compress=zip-9 shrinks lib/modules; the tarball's gzip cannot do much more with it.
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --compress=zip-9 --output "$bundle/runtime"
# --strip-debug leaves libjvm.so's symbol table (about 1.5 MiB packed), which only a native debugger would read.
if command -v strip >/dev/null; then
    chmod u+w "$bundle/runtime/lib/server/libjvm.so"
    strip --strip-unneeded "$bundle/runtime/lib/server/libjvm.so"
fi

# Without nvcc the kernels module builds a jar with no fatbin; a GPU bundle without its kernels is no use.
kernels_jar=("$stage"/lib/sparseinfer-kernels-*.jar)
kernels_entries="$("$java_home/bin/jar" --list --file "${kernels_jar[0]}")"
if ! grep -qx 'dev/sparseinfer/kernels/sparseinfer.fatbin' <<<"$kernels_entries"; then
    echo "build-bundle: ${kernels_jar[0]} holds no fatbin: build with nvcc on the PATH" >&2
    exit 1
fi
cp "$stage"/lib/*.jar "$bundle/lib/"
# JMH and what only it needs come with the bench module's JMH benchmarks, which run on build machines, never here:
# the GPU benchmark is a plain main. Leaving them out makes room for a model beside the bundle.
rm -f "$bundle"/lib/jmh-core-*.jar "$bundle"/lib/jopt-simple-*.jar "$bundle"/lib/commons-math3-*.jar
cp "$stage"/tests/*.jar "$bundle/tests/"

# JCuda's loader (jcuda.LibUtils.loadLibrary) first tries System.loadLibrary("JCudaDriver-12.6.0-linux-x86_64")
# and only then extracts the library from a natives jar, so the libraries alone, on java.library.path, are enough.
# Of jcuda-natives' 26 MB only the driver and runtime bindings are kept: NVRTC and the PTX compiler (24 MB) are
# never used, as the kernels ship precompiled. Of JCublas only JCublas2 (the legacy v1 API is never called).
extract() { # JAR ENTRY...: extracts entries of a jar into the current directory
    local jar=$1
    shift
    "$java_home/bin/jar" --extract --file "$jar" "$@"
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(
    cd "$work"
    for jar in "$stage"/native-jars/*-natives-*.jar; do
        extract "$jar"
    done
    for lib in JCudaDriver JCudaRuntime JCublas2 JCusparse; do
        found=(lib/lib"$lib"-*-linux-x86_64.so)
        [ -f "${found[0]}" ] || { echo "build-bundle: no lib$lib in the JCuda natives jars" >&2; exit 1; }
        cp "${found[0]}" "$bundle/lib/native/"
    done
)

# DJL's tokenizers jar carries its Rust library for four platforms (18.7 MB). Keep Linux x86-64's beside the
# JCuda libraries and repack the jar without any: the launcher points RUST_LIBRARY_PATH at the library, which DJL
# then loads directly, never falling back to a download (it would want a CUDA build on a GPU host).
tokenizers_jar=("$stage"/native-jars/tokenizers-*.jar)
mkdir "$work/tokenizers"
(cd "$work/tokenizers" && extract "${tokenizers_jar[0]}")
cp "$work/tokenizers/native/lib/linux-x86_64/cpu/libtokenizers.so" "$bundle/lib/native/"
rm -rf "$work/tokenizers/native/lib"/*/
"$java_home/bin/jar" --create --no-manifest --file "$bundle/lib/$(basename "${tokenizers_jar[0]}")" \
    -C "$work/tokenizers" .

cp "$here/src/bundle/bin/sparseinfer" "$here/src/bundle/bin/java" "$bundle/bin/"
cp "$here/../bench/gpu/check.sh" "$bundle/check.sh"
chmod 755 "$bundle/bin/sparseinfer" "$bundle/bin/java" "$bundle/check.sh"

tar -C "$stage" -czf "$tarball" "$name"

bytes=$(stat -c %s "$tarball")
limit=$((max_mib * 1024 * 1024))
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "[dist] $tarball: $mib MiB ($bytes bytes; limit $max_mib MiB), unpacked $(du -sh "$bundle" | cut -f1)"
if [ "$bytes" -gt "$limit" ]; then
    echo "[dist] the bundle exceeds $max_mib MiB: leave something out (see dist/pom.xml) or raise bundle.maxMiB" >&2
    exit 1
fi
