// cublaslt.cpp: the emulated libcublasLt.so.13. InitCore binds nothing from cuBLASLt, but its loader
// opens libcublasLt next to libcublas first (RTLD_GLOBAL, as the real libcublas needs it), so this
// library must exist. It exports no cuBLASLt names at all: loaded globally, it can never interpose
// on a real libcublas in the same process.

#define EXPORT extern "C" __attribute__((visibility("default")))

// Emulator-only marker (tests and tools can tell the stand-in from the real library).
EXPORT const char* initcore_emu_cublaslt_stub(void) { return "InitCore emulated device: libcublasLt.so.13 stand-in (no exports)"; }
