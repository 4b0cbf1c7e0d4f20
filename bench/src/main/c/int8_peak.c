/*
 * One core's peak int8 multiply-add rate: twelve independent accumulators, each updated by the same instruction in
 * a loop with nothing else in it (written in assembly so the compiler can neither merge the accumulators nor drop
 * the loop), timed on the thread's CPU clock so time-slicing on a shared machine does not count. Prints GOP/s
 * (2 ops per multiply-add) for each instruction this CPU runs: vpdpbusd on 512 bits (64 multiply-adds), the AVX2
 * kernel's vpmaddubsw on 256 bits (32 multiply-adds; it also needs a vpmaddwd and an add per use, so this bounds
 * it from above), and the fp32 FMA on 512 and 256 bits for comparison.
 * Usage: int8_peak [iterations]; built and run by bench/run int8-peak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define TWELVE(op, a, b, r)                                                                                   \
    op " %%" b "30, %%" b "31, %%" r "0\n\t" op " %%" b "30, %%" b "31, %%" r "1\n\t"                     \
    op " %%" b "30, %%" b "31, %%" r "2\n\t" op " %%" b "30, %%" b "31, %%" r "3\n\t"                     \
    op " %%" b "30, %%" b "31, %%" r "4\n\t" op " %%" b "30, %%" b "31, %%" r "5\n\t"                     \
    op " %%" b "30, %%" b "31, %%" r "6\n\t" op " %%" b "30, %%" b "31, %%" r "7\n\t"                     \
    op " %%" b "30, %%" b "31, %%" r "8\n\t" op " %%" b "30, %%" b "31, %%" r "9\n\t"                     \
    op " %%" b "30, %%" b "31, %%" r "10\n\t" op " %%" b "30, %%" b "31, %%" r "11\n\t"

#define CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", \
                 "xmm30", "xmm31", "cc"

__attribute__((target("avx512f,avx512vnni"), noinline)) static void dpbusd512(long n) {
    __asm__ volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n\tvpxord %%zmm31, %%zmm31, %%zmm31\n\t"
                     "1:\n\t" TWELVE("vpdpbusd", "", "zmm", "zmm") "dec %0\n\tjnz 1b\n\t"
                     : "+r"(n) : : CLOBBERS);
}

__attribute__((target("avx512f"), noinline)) static void fma512(long n) {
    __asm__ volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n\tvpxord %%zmm31, %%zmm31, %%zmm31\n\t"
                     "1:\n\t" TWELVE("vfmadd231ps", "", "zmm", "zmm") "dec %0\n\tjnz 1b\n\t"
                     : "+r"(n) : : CLOBBERS);
}

__attribute__((target("avx2"), noinline)) static void maddubs256(long n) {
    __asm__ volatile("vpxor %%ymm14, %%ymm14, %%ymm14\n\tvpxor %%ymm15, %%ymm15, %%ymm15\n\t"
                     "1:\n\t"
                     "vpmaddubsw %%ymm14, %%ymm15, %%ymm0\n\tvpmaddubsw %%ymm14, %%ymm15, %%ymm1\n\t"
                     "vpmaddubsw %%ymm14, %%ymm15, %%ymm2\n\tvpmaddubsw %%ymm14, %%ymm15, %%ymm3\n\t"
                     "vpmaddubsw %%ymm14, %%ymm15, %%ymm4\n\tvpmaddubsw %%ymm14, %%ymm15, %%ymm5\n\t"
                     "vpmaddubsw %%ymm14, %%ymm15, %%ymm6\n\tvpmaddubsw %%ymm14, %%ymm15, %%ymm7\n\t"
                     "vpmaddubsw %%ymm14, %%ymm15, %%ymm8\n\tvpmaddubsw %%ymm14, %%ymm15, %%ymm9\n\t"
                     "vpmaddubsw %%ymm14, %%ymm15, %%ymm10\n\tvpmaddubsw %%ymm14, %%ymm15, %%ymm11\n\t"
                     "dec %0\n\tjnz 1b\n\t"
                     : "+r"(n) : : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                       "xmm10", "xmm11", "xmm14", "xmm15", "cc");
}

__attribute__((target("avx2,fma"), noinline)) static void fma256(long n) {
    __asm__ volatile("vpxor %%ymm14, %%ymm14, %%ymm14\n\tvpxor %%ymm15, %%ymm15, %%ymm15\n\t"
                     "1:\n\t"
                     "vfmadd231ps %%ymm14, %%ymm15, %%ymm0\n\tvfmadd231ps %%ymm14, %%ymm15, %%ymm1\n\t"
                     "vfmadd231ps %%ymm14, %%ymm15, %%ymm2\n\tvfmadd231ps %%ymm14, %%ymm15, %%ymm3\n\t"
                     "vfmadd231ps %%ymm14, %%ymm15, %%ymm4\n\tvfmadd231ps %%ymm14, %%ymm15, %%ymm5\n\t"
                     "vfmadd231ps %%ymm14, %%ymm15, %%ymm6\n\tvfmadd231ps %%ymm14, %%ymm15, %%ymm7\n\t"
                     "vfmadd231ps %%ymm14, %%ymm15, %%ymm8\n\tvfmadd231ps %%ymm14, %%ymm15, %%ymm9\n\t"
                     "vfmadd231ps %%ymm14, %%ymm15, %%ymm10\n\tvfmadd231ps %%ymm14, %%ymm15, %%ymm11\n\t"
                     "dec %0\n\tjnz 1b\n\t"
                     : "+r"(n) : : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                       "xmm10", "xmm11", "xmm14", "xmm15", "cc");
}

/** The best of five timed runs of n loop iterations, in GOP/s for ops_per_iteration operations each. */
static double best(void (*loop)(long), long n, double ops_per_iteration) {
    double rate = 0;
    loop(n / 10);
    for (int run = 0; run < 5; run++) {
        double t = cpu_seconds();
        loop(n);
        t = cpu_seconds() - t;
        double r = n * ops_per_iteration / t / 1e9;
        rate = r > rate ? r : rate;
    }
    return rate;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 50000000L;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512vnni")) {
        printf("int8 vpdpbusd zmm:   %7.1f GOP/s\n", best(dpbusd512, n, 12 * 64 * 2));
    }
    if (__builtin_cpu_supports("avx2")) {
        printf("int8 vpmaddubsw ymm: %7.1f GOP/s (upper bound of the AVX2 kernel)\n", best(maddubs256, n, 12 * 32 * 2));
        printf("fp32 FMA ymm:        %7.1f GFLOP/s\n", best(fma256, n, 12 * 8 * 2));
    }
    if (__builtin_cpu_supports("avx512f")) {
        printf("fp32 FMA zmm:        %7.1f GFLOP/s\n", best(fma512, n, 12 * 16 * 2));
    }
    return 0;
}
