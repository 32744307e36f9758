// cublaslt.cpp: the emulated libcublasLt.so.13. InitCore binds nothing from cuBLASLt; its loader opens
// libcublasLt next to libcublas first (as the real libcublas needs it), so this library exists and
// answers the version queries only.
#include <cstddef>

#define EXPORT extern "C" __attribute__((visibility("default")))

EXPORT size_t cublasLtGetVersion(void) { return 130000; }
EXPORT size_t cublasLtGetCudartVersion(void) { return 13000; }
