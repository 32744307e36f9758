// core.h: state shared by the emulated libcuda, libcublas and libcudnn, which all link
// libinitcore_emu.so (one copy per process): device memory, the context's sticky error, fault
// injection, the PTX parser and the kernel runtime.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#define INITCORE_EMU_API __attribute__((visibility("default")))

namespace initcore_emu {

constexpr const char* kDeviceName = "InitCore emulated device";

// ------------------------------------------------------------------ device memory
// One mmap'd region (INITCORE_EMU_MEMORY_MB, default 2048 MiB, reserved but committed only when
// touched) from which allocations are handed out, 256-byte aligned. Device addresses are the
// region's host addresses, so host-compiled kernels dereference them directly.
INITCORE_EMU_API bool memory_init();
INITCORE_EMU_API int mem_alloc(uint64_t* ptr, size_t bytes);      // CUresult
INITCORE_EMU_API int mem_free(uint64_t ptr);                      // CUresult
INITCORE_EMU_API void mem_info(size_t* free_bytes, size_t* total_bytes);
// True when [ptr, ptr + bytes) lies inside one live allocation (bytes may be 0: ptr inside or at its end).
INITCORE_EMU_API bool device_range(uint64_t ptr, size_t bytes);
// True when the address lies anywhere in the device region (allocated or not).
INITCORE_EMU_API bool in_device_region(const void* p);

// ------------------------------------------------------------------ context state
INITCORE_EMU_API bool initialized();
INITCORE_EMU_API void set_initialized();
// The sticky error (0 when none): CUDA_ERROR_ILLEGAL_ADDRESS after INITCORE_EMU_STICKY_AFTER_LAUNCH.
// Like a real device it outlives the primary context: the process must restart.
INITCORE_EMU_API int sticky_error();
INITCORE_EMU_API void poison(int status);
// Emulator-only: models a process restart for the sticky error (tests that inject one call it afterwards).
INITCORE_EMU_API void clear_poison();
INITCORE_EMU_API bool valid_stream(void* stream);
INITCORE_EMU_API void* stream_create();
INITCORE_EMU_API bool stream_destroy(void* stream);

// Records why the last call failed (emulator diagnostics; initcore_emu_last_error() returns it,
// and INITCORE_EMU_VERBOSE=1 prints it to stderr).
INITCORE_EMU_API void set_last_error(const std::string& message);

// ------------------------------------------------------------------ fault injection
// Counts calls against an environment variable holding N: true on the N-th call after the value was
// (re)set. The variable is read on every call; the count restarts whenever its value changes.
INITCORE_EMU_API bool fault_hits(const char* variable);
// The variable's integer value, or `fallback` when unset or not a number.
INITCORE_EMU_API long env_int(const char* variable, long fallback);

// ------------------------------------------------------------------ modules and launches
struct PtxParam {
    std::string name;
    size_t size;
};
struct PtxEntry {
    std::string name;
    std::string text;           // the entry's whole declaration and body, as written
    std::vector<PtxParam> params;
    size_t static_shared = 0;   // bytes of .shared declared in or referenced by the entry
    bool uses_barrier = false;  // bar.sync / barrier.sync in the entry (or a function it calls)
};
// Parses PTX text; false with a message when it is not PTX or an entry is malformed.
INITCORE_EMU_API bool parse_ptx(const char* text, std::vector<PtxEntry>& entries, std::string& error);

// The PTX text of native/ptx/*.ptx this emulator was built with, for the entry `name`; null if none.
INITCORE_EMU_API const PtxEntry* built_entry(const std::string& name);

struct HostKernel;
INITCORE_EMU_API const HostKernel* find_kernel(const std::string& name);
INITCORE_EMU_API const std::vector<size_t>* kernel_param_sizes(const std::string& name);
// Runs a launch to completion on the calling thread (checks done by the caller). Returns a CUresult.
INITCORE_EMU_API int run_kernel(const HostKernel& kernel, const unsigned grid[3], const unsigned block[3],
                                unsigned shared_bytes, void** params);

} // namespace initcore_emu
