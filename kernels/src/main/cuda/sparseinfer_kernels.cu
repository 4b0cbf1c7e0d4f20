// The one translation unit nvcc compiles into sparseinfer.fatbin: every kernel family, one file each.
// Every kernel is extern "C", so the backend finds it by its plain name (KernelName on the Java side).
#include "elementwise.cu"
#include "norms.cu"
#include "attention.cu"
#include "twofour.cu"
#include "int8.cu"
