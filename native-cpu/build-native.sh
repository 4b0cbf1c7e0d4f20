#!/usr/bin/env bash
# Compiles src/main/c/*.c into the CPU backend's native library for Linux x86-64: one shared library holding an AVX2
# and an AVX-512 VNNI version of each int8 kernel and an AVX-512 BF16 bf16 kernel (picked at run time by CPU
# features), so one build serves every x86-64 machine. Run by Maven (native-cpu module, generate-resources); without
# gcc, or on another OS or architecture, it warns and builds nothing, and the CPU backend runs w8a8 on its Vector API
# kernels and --precision bf16 as fp32, saying why.
#
# Usage: build-native.sh SOURCE_DIR OUTPUT_LIBRARY
set -euo pipefail
src_dir=$1
library=$2

if [[ $(uname -s) != Linux || $(uname -m) != x86_64 ]]; then
    echo "[WARNING] [native-cpu] not Linux x86-64 ($(uname -s) $(uname -m)): native kernels not built"
    exit 0
fi
if ! command -v gcc >/dev/null 2>&1; then
    echo "[WARNING] [native-cpu] gcc not found on the PATH: native kernels not built (w8a8 runs the Vector API kernels)"
    exit 0
fi
if [[ -f $library && -z $(find "$src_dir" -newer "$library" -type f) && $library -nt $0 ]]; then
    echo "[native-cpu] $library is up to date"
    exit 0
fi
mkdir -p "$(dirname "$library")"
# -ffp-contract=off: the w8a8 rescale is a multiply then an add, as in the Java kernels, never a fused FMA.
gcc -O3 -std=gnu11 -fPIC -shared -fvisibility=hidden -ffp-contract=off -fno-math-errno -Wall -Wextra -Werror \
    -o "$library.tmp" "$src_dir"/*.c
mv "$library.tmp" "$library"
echo "[native-cpu] built $library ($(stat -c %s "$library") bytes)"
