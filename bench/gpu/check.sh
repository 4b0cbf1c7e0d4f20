#!/usr/bin/env bash
# Checks SparseInfer on a GPU host in one run, with nothing but the bundle: the host needs no Java and no network.
# Records what the host has, then runs the GPU tests, the GPU kernel benchmarks and, given a model, the end-to-end
# bench on the CUDA and CPU backends. Every step has a time limit and a failed step does not stop the next;
# summary.txt is written as the run goes, so even a run killed from outside leaves what it reached.
#
# Usage: check.sh [--bundle TARBALL|DIR] [--model FILE] [OUT_DIR]
#   OUT_DIR   where the results go (default: $OUT); seven files at most, within the 8 a GPU run brings back:
#             summary.txt, inventory.txt, log.txt, gpu-tests.xml, gpu-kernels.json, bench-cuda.json, bench-cpu.json
#   --bundle  the bundle's tarball or unpacked directory; by default the bundle this script lies in, else the one
#             tarball under dist/target of the checkout it lies in (built by ./maven -B -Pgpu-bundle -DskipTests package)
#   --model   a model file for `bench` (e.g. all-MiniLM-L6-v2 in packed form), carried beside the bundle
# Exit status: 0 when no GPU test failed, 1 when one failed or the tests did not complete, 2 for a usage error.
set -euo pipefail

# Time limits in seconds. Together (about 9 minutes) they fit one 10-minute run on a lent GPU host.
readonly LIMIT_PROBE=20 LIMIT_TESTS=240 LIMIT_KERNELS=150 LIMIT_BENCH=75
# ldconfig and friends live in sbin, which a minimal PATH (env -i) leaves out.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

usage() { # EXIT_STATUS: prints the usage from this file's header
    sed -n 's/^# \{0,1\}//; /^Usage:/,/^Exit status/p' "${BASH_SOURCE[0]}" >&2
    exit "$1"
}

bundle_arg="" model="" out="${OUT:-}"
while [ $# -gt 0 ]; do
    case $1 in
        --bundle) [ $# -ge 2 ] || usage 2; bundle_arg=$2; shift 2 ;;
        --model) [ $# -ge 2 ] || usage 2; model=$2; shift 2 ;;
        -h | --help) usage 0 ;;
        -*) echo "check.sh: unknown option $1" >&2; usage 2 ;;
        *) out=$1; shift ;;
    esac
done
[ -n "$out" ] || { echo "check.sh: no output directory (pass one, or set OUT)" >&2; usage 2; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
summary="$out/summary.txt" inventory="$out/inventory.txt" log="$out/log.txt"
: >"$summary"
: >"$log"

self_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/sparseinfer-check.XXXXXX")"
step="start" step_pid="" finished=false
# shellcheck disable=SC2317 # reached through the EXIT trap
on_exit() {
    local rc=$?
    if [ -n "$step_pid" ]; then
        kill "$step_pid" 2>/dev/null || true
    fi
    if [ "$finished" != true ]; then
        echo "result: INCOMPLETE (check.sh stopped during step '$step', exit $rc)" >>"$summary"
    fi
    rm -rf "$work"
}
trap on_exit EXIT
# A TERM or INT (an outside time limit) still ends through on_exit, so the summary says where the run stopped.
trap 'exit 143' TERM
trap 'exit 130' INT

note() { echo "$*" >>"$summary"; }

# run_step NAME LIMIT COMMAND...: runs one step with a time limit, its output appended to log.txt under a header
# and kept in $work/NAME.out for parsing; notes its outcome in the summary. Returns the command's exit status.
run_step() {
    local name=$1 limit=$2
    shift 2
    step=$name
    local start=$SECONDS rc=0
    printf '\n===== %s (limit %ss): %s\n' "$name" "$limit" "$*" >>"$log"
    # In the background and waited for, so that a TERM or INT reaches the traps at once rather than after the step;
    # on_exit then stops the step (timeout passes the signal on to its command).
    timeout --kill-after=10 "$limit" "$@" </dev/null >"$work/$name.out" 2>&1 &
    step_pid=$!
    wait "$step_pid" || rc=$?
    step_pid=""
    cat "$work/$name.out" >>"$log"
    local outcome
    case $rc in
        0) outcome="ok" ;;
        124 | 137) outcome="TIMED OUT after ${limit}s" ;;
        *) outcome="FAILED (exit $rc; see log.txt)" ;;
    esac
    note "step $name: $outcome ($((SECONDS - start)) s)"
    return "$rc"
}

note "SparseInfer GPU check on $(uname -n), $(date -u +%Y-%m-%dT%H:%M:%SZ)"

# --- The bundle: this script's own directory when it is the bundle's check.sh, else a tarball or directory.
step="bundle"
if [ -n "$bundle_arg" ]; then
    source_path=$bundle_arg
elif [ -x "$self_dir/runtime/bin/java" ]; then
    source_path=$self_dir
else
    tarballs=("$(cd "$self_dir/../.." && pwd)"/dist/target/sparseinfer-gpu-*-linux-x86_64.tar.gz)
    if [ ! -f "${tarballs[0]}" ] || [ ${#tarballs[@]} -ne 1 ]; then
        note "bundle: none found (expected exactly one dist/target/sparseinfer-gpu-*-linux-x86_64.tar.gz); pass --bundle"
        exit 1
    fi
    source_path=${tarballs[0]}
fi
if [ -d "$source_path" ]; then
    bundle="$(cd "$source_path" && pwd)"
    bundle_size="$(du -sh "$bundle" | cut -f1)"
elif [ -f "$source_path" ]; then
    tar -xzf "$source_path" -C "$work"
    unpacked=("$work"/sparseinfer-gpu-*/)
    bundle="${unpacked[0]%/}"
    bundle_size="$(du -sh "$source_path" | cut -f1), unpacked $(du -sh "$bundle" | cut -f1) at $bundle"
else
    note "bundle: $source_path does not exist"
    exit 1
fi
if [ ! -x "$bundle/runtime/bin/java" ]; then
    note "bundle: $source_path holds no runtime/bin/java: not a SparseInfer GPU bundle"
    exit 1
fi
note "bundle: $source_path ($bundle_size)"

# --- The host: GPU, driver, CUDA libraries. The NVIDIA libraries come as Python packages; their lib folders are
# where the cuBLAS binding (SPARSEINFER_CUDA_LIBS) and JCuda's JCublas2 and JCusparse (LD_LIBRARY_PATH, read once
# at JVM start) find libcublas, libcusparse and what those link against.
step="inventory"
gpus="$(timeout "$LIMIT_PROBE" nvidia-smi -L 2>/dev/null | grep '^GPU ' || true)"
if [ -n "$gpus" ]; then
    have_gpu=true
    note "gpu: $gpus"
else
    have_gpu=false
    note "gpu: none (nvidia-smi -L lists no GPU or is not installed); GPU steps are skipped, GPU tests report why"
fi

# nvidia_lib_dirs NVIDIA_DIR...: the lib folders of the NVIDIA wheels in each `nvidia` package folder, one per line,
# in both layouts: CUDA 12 wheels have one per library (nvidia/cublas/lib, nvidia/cusparse/lib, ...), CUDA 13
# wheels share nvidia/cu13/lib (and a few, such as nvidia/nccl/lib, keep their own).
nvidia_lib_dirs() {
    local dir
    for dir in "$@"; do
        if [ -d "$dir" ]; then
            find "$dir" -mindepth 2 -maxdepth 3 -type d -name lib
        fi
    done | sort -u
}
# `nvidia` is a namespace package: it may span several site-packages folders.
nvidia_dirs="$(timeout "$LIMIT_PROBE" python3 -c 'import nvidia; print("\n".join(nvidia.__path__))' 2>/dev/null \
    || true)"
lib_dirs=""
if [ -n "$nvidia_dirs" ]; then
    mapfile -t nvidia_dir_list <<<"$nvidia_dirs"
    lib_dirs="$(nvidia_lib_dirs "${nvidia_dir_list[@]}" | paste -sd: -)"
fi
if [ -n "$lib_dirs" ]; then
    export SPARSEINFER_CUDA_LIBS="${SPARSEINFER_CUDA_LIBS:-$lib_dirs}"
    export LD_LIBRARY_PATH="$lib_dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    note "cuda libraries: the NVIDIA Python packages' lib folders (on LD_LIBRARY_PATH): $lib_dirs"
else
    note "cuda libraries: no NVIDIA Python packages with lib folders (python3 -c 'import nvidia'); system libraries only"
fi

probe() { # TITLE COMMAND...: one inventory section, with the command's output or why it gave none
    printf '\n## %s\n' "$1"
    shift
    timeout "$LIMIT_PROBE" "$@" 2>&1 || echo "(exit status $?)"
}
{
    echo "# SparseInfer GPU host inventory, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    probe "host" uname -a
    probe "cores" nproc
    probe "memory" grep -E '^(MemTotal|MemAvailable)' /proc/meminfo
    probe "nvidia-smi" nvidia-smi
    probe "GPUs" nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm,clocks.max.mem \
        --format=csv
    probe "nvcc" nvcc --version
    probe "ldconfig -p | grep -E 'cublas|cusparse|cudart'" bash -c "ldconfig -p | grep -E 'cublas|cusparse|cudart'"
    printf '\n## NVIDIA Python packages\n'
    echo "nvidia package folders: ${nvidia_dirs:-none}"
    for dir in ${lib_dirs//:/ }; do
        echo "$dir:"
        find "$dir" -mindepth 1 -maxdepth 1 -printf '  %f\n' | sort
    done
    echo "SPARSEINFER_CUDA_LIBS=${SPARSEINFER_CUDA_LIBS:-}"
    echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
    printf '\n## bundle\n'
    echo "$source_path ($bundle_size)"
    probe "bundle runtime" grep -E '^(JAVA_VERSION|MODULES)=' "$bundle/runtime/release"
    probe "bundle files" ls -l "$bundle/lib" "$bundle/lib/native" "$bundle/tests"
    probe "bin/sparseinfer --version" "$bundle/bin/sparseinfer" --version
} >"$inventory" 2>&1
note "step inventory: ok -> inventory.txt"

# --- GPU tests: every test tagged gpu in the bundle's test-jars (they live in sparseinfer-backend-cuda's; the
# engine's carries the helpers they use). Off a GPU they abort with the reason.
test_jars="$(printf '%s:' "$bundle"/tests/sparseinfer-*-tests.jar)"
reports="$work/reports"
tests_rc=0
# The MiniLM end-to-end test runs on the model given with --model, and reports itself skipped without one.
model_property=()
if [ -n "$model" ] && [ -f "$model" ]; then
    model_property=("-Dsparseinfer.gpu.model=$(cd "$(dirname "$model")" && pwd)/$(basename "$model")")
fi
run_step gpu-tests "$LIMIT_TESTS" "$bundle/bin/java" "${model_property[@]}" -cp "$bundle/lib/*:$bundle/tests/*" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors --details=tree \
    --include-tag gpu --scan-classpath "${test_jars%:}" --reports-dir "$reports" || tests_rc=$?
if [ -f "$reports/TEST-junit-jupiter.xml" ]; then
    cp "$reports/TEST-junit-jupiter.xml" "$out/gpu-tests.xml"
fi
# The console launcher's closing table: "[   3 tests found   ]" and so on.
count() {
    sed -n "s/^\[ *\([0-9]*\) $1 *\]\$/\1/p" "$work/gpu-tests.out" | tail -1
}
found="$(count 'tests found')" failed="$(count 'tests failed')" containers_failed="$(count 'containers failed')"
if [ -n "$found" ]; then
    note "  gpu tests: $found found, $(count 'tests successful') successful, $(count 'tests aborted') aborted" \
        "(an assumption failed: reasons below), $(count 'tests skipped') disabled, $failed failed," \
        "$containers_failed classes failed -> gpu-tests.xml"
else
    note "  gpu tests: the launcher ended before its summary (see log.txt)"
fi
# Why tests did not pass, from the launcher's tree: "■" aborted (an assumption failed: no GPU, a library
# missing) and "↷" disabled, counted once per reason; "✘" failed, listed one by one.
grep -E ' (■|↷) ' "$work/gpu-tests.out" | sed -E 's/.* (■|↷) //' | sort | uniq -c \
    | sed 's/^ *\([0-9]*\) /    \1 skipped: /' >>"$summary" || true
grep ' ✘ ' "$work/gpu-tests.out" | sed 's/^[^[:alnum:]]*/    failed: /' >>"$summary" || true
# Finding no test at all means the scan went wrong (the backend-cuda test-jar alone holds dozens): not a pass.
tests_passed=false
if [ "$tests_rc" -eq 0 ] && [ "${found:-0}" -gt 0 ] && [ "${failed:-1}" -eq 0 ] \
    && [ "${containers_failed:-1}" -eq 0 ]; then
    tests_passed=true
fi

# --- GPU kernel benchmarks: our kernels against cuBLAS and cuSPARSE, one JSON file.
benchmark_class="dev.sparseinfer.bench.gpu.GpuKernelBenchmark"
# A jar's entry names are stored uncompressed, so grep finds a class in it without a jar tool on the host.
if ! grep -qa "${benchmark_class//.//}.class" "$bundle"/lib/sparseinfer-bench-*.jar; then
    note "step gpu-kernels: not run: $benchmark_class is not in this bundle's sparseinfer-bench jar"
elif [ "$have_gpu" != true ]; then
    note "step gpu-kernels: not run: no GPU"
else
    run_step gpu-kernels "$LIMIT_KERNELS" "$bundle/bin/java" -cp "$bundle/lib/*" "$benchmark_class" \
        --json "$out/gpu-kernels.json" || true
fi

# --- End to end on a model: the same bench on the CUDA backend, then on the CPU backend.
if [ -z "$model" ]; then
    note "step bench: not run: no --model given"
elif [ ! -f "$model" ]; then
    note "step bench: not run: model file $model does not exist"
else
    model="$(cd "$(dirname "$model")" && pwd)/$(basename "$model")"
    if [ "$have_gpu" = true ]; then
        run_step bench-cuda "$LIMIT_BENCH" "$bundle/bin/sparseinfer" bench --model "$model" --backend cuda \
            --json "$out/bench-cuda.json" || true
    else
        note "step bench-cuda: not run: no GPU"
    fi
    run_step bench-cpu "$LIMIT_BENCH" "$bundle/bin/sparseinfer" bench --model "$model" --backend cpu \
        --json "$out/bench-cpu.json" || true
fi

step="finish"
files="$(find "$out" -type f | wc -l)"
if [ "$files" -gt 8 ]; then
    note "warning: $out holds $files files, more than the 8 a GPU run brings back (it was not empty)"
fi
finished=true
if [ "$tests_passed" = true ]; then
    note "result: PASS (no GPU test failed)"
    exit 0
fi
note "result: FAIL (GPU tests failed or did not complete; see log.txt)"
exit 1
