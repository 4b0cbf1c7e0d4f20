#!/usr/bin/env bash
# Compiles src/main/cuda/sparseinfer_kernels.cu into one fatbin: machine code for sm_80, sm_86, sm_89 and sm_90,
# PTX for compute_90 (forward compatibility), uncompressed so tests can read the kernels' symbols. Keeps ptxas's
# resource report (-Xptxas -v: registers, shared memory, spills) beside it. Run by Maven (kernels module,
# generate-resources); without nvcc on the PATH it says so and builds nothing, and the CUDA backend later
# reports that its kernels are not built.
#
# Usage: build-fatbin.sh SOURCE_DIR OUTPUT_FATBIN REPORT_FILE
set -euo pipefail
src_dir=$1
fatbin=$2
report=$3

if ! command -v nvcc >/dev/null 2>&1; then
    echo "[kernels] nvcc not found on the PATH: CUDA kernels not built (the CUDA backend will report it)"
    exit 0
fi
if [[ -f $fatbin && -f $report && -z $(find "$src_dir" -newer "$fatbin" -type f) && $fatbin -nt $0 ]]; then
    echo "[kernels] $fatbin is up to date"
    exit 0
fi
mkdir -p "$(dirname "$fatbin")" "$(dirname "$report")"
tmp=$fatbin.tmp
nvcc -fatbin --no-compress -O3 -std=c++17 -Xptxas -v \
    -gencode arch=compute_80,code=sm_80 \
    -gencode arch=compute_86,code=sm_86 \
    -gencode arch=compute_89,code=sm_89 \
    -gencode arch=compute_90,code=sm_90 \
    -gencode arch=compute_90,code=compute_90 \
    -o "$tmp" "$src_dir/sparseinfer_kernels.cu" 2> "$report.tmp" || { cat "$report.tmp" >&2; exit 1; }
mv "$report.tmp" "$report"
mv "$tmp" "$fatbin"
echo "[kernels] built $fatbin ($(stat -c %s "$fatbin") bytes); ptxas report in $report"
