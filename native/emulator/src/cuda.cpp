// cuda.cpp: the emulated libcuda.so.1: exactly the driver entry points InitCore binds
// (src/InitCore/Interop/Cuda/CudaDriverApi.cs), with the documented status codes.
//
// Streams: every call runs its work to completion before it returns (copies, memsets and kernel
// launches alike), so work on a stream is trivially in order and cuStreamSynchronize only reports
// the context's status. Asynchronous errors are modelled by the sticky-error injection: the launch
// itself succeeds and every later call returns CUDA_ERROR_ILLEGAL_ADDRESS.
#include "core.h"
#include "../include/kernel_registry.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

using namespace initcore_emu;

typedef int CUresult;
typedef int CUdevice;
typedef uint64_t CUdeviceptr;
typedef void* CUcontext;
typedef void* CUstream;
typedef void* CUmodule;
typedef void* CUfunction;

enum : int {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_LAUNCH_FAILED = 719,
};

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

struct Context {
    int refcount = 0;
};
Context g_primary;
std::mutex g_ctx_mutex;
thread_local std::vector<CUcontext> t_ctx_stack;

struct Function;
struct Module {
    std::vector<PtxEntry> entries;
    std::map<std::string, Function*> functions;
};
struct Function {
    Module* module;
    PtxEntry entry;
    const HostKernel* kernel;
};
std::mutex g_mod_mutex;
std::map<void*, Module*> g_modules;
std::map<void*, Function*> g_functions;

CUresult fail(CUresult status, const std::string& why)
{
    set_last_error(why);
    return status;
}

// Common checks of calls that need the device: initialized, a current context, no sticky error.
CUresult ready(const char* call)
{
    if (!initialized()) return fail(CUDA_ERROR_NOT_INITIALIZED, std::string(call) + ": cuInit has not been called");
    if (int s = sticky_error()) return fail(s, std::string(call) + ": the context has a sticky error; the process must restart");
    if (t_ctx_stack.empty() || t_ctx_stack.back() == nullptr) return fail(CUDA_ERROR_INVALID_CONTEXT, std::string(call) + ": no current context");
    return CUDA_SUCCESS;
}

bool host_ok(const void* p, size_t bytes) { return bytes == 0 || (p != nullptr && !in_device_region(p) && !in_device_region(static_cast<const char*>(p) + bytes - 1)); }

const char* error_name(CUresult r)
{
    switch (r) {
    case 0: return "CUDA_SUCCESS";
    case 1: return "CUDA_ERROR_INVALID_VALUE";
    case 2: return "CUDA_ERROR_OUT_OF_MEMORY";
    case 3: return "CUDA_ERROR_NOT_INITIALIZED";
    case 4: return "CUDA_ERROR_DEINITIALIZED";
    case 100: return "CUDA_ERROR_NO_DEVICE";
    case 101: return "CUDA_ERROR_INVALID_DEVICE";
    case 200: return "CUDA_ERROR_INVALID_IMAGE";
    case 201: return "CUDA_ERROR_INVALID_CONTEXT";
    case 218: return "CUDA_ERROR_INVALID_PTX";
    case 400: return "CUDA_ERROR_INVALID_HANDLE";
    case 500: return "CUDA_ERROR_NOT_FOUND";
    case 600: return "CUDA_ERROR_NOT_READY";
    case 700: return "CUDA_ERROR_ILLEGAL_ADDRESS";
    case 701: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    case 715: return "CUDA_ERROR_ILLEGAL_INSTRUCTION";
    case 716: return "CUDA_ERROR_MISALIGNED_ADDRESS";
    case 717: return "CUDA_ERROR_INVALID_ADDRESS_SPACE";
    case 718: return "CUDA_ERROR_INVALID_PC";
    case 719: return "CUDA_ERROR_LAUNCH_FAILED";
    case 999: return "CUDA_ERROR_UNKNOWN";
    default: return nullptr;
    }
}

const char* error_string(CUresult r)
{
    switch (r) {
    case 0: return "no error";
    case 1: return "invalid argument";
    case 2: return "out of memory";
    case 3: return "initialization error";
    case 4: return "driver shutting down";
    case 100: return "no CUDA-capable device is detected";
    case 101: return "invalid device ordinal";
    case 200: return "device kernel image is invalid";
    case 201: return "invalid device context";
    case 218: return "a PTX JIT compilation failed";
    case 400: return "invalid resource handle";
    case 500: return "named symbol not found";
    case 600: return "device not ready";
    case 700: return "an illegal memory access was encountered";
    case 701: return "too many resources requested for launch";
    case 715: return "an illegal instruction was encountered";
    case 716: return "misaligned address";
    case 717: return "operation not supported on global/shared address space";
    case 718: return "invalid program counter";
    case 719: return "unspecified launch failure";
    case 999: return "unknown error";
    default: return nullptr;
    }
}

} // namespace

// ------------------------------------------------------------------ initialization, device

EXPORT CUresult cuInit(unsigned int flags)
{
    if (flags != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuInit: Flags must be 0");
    if (!memory_init()) return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuInit: cannot reserve the emulated device memory");
    set_initialized();
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDriverGetVersion(int* version)
{
    if (version == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDriverGetVersion: null pointer");
    *version = 13000; // CUDA 13.0
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetCount(int* count)
{
    if (!initialized()) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuDeviceGetCount before cuInit");
    if (count == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetCount: null pointer");
    *count = 1;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGet(CUdevice* device, int ordinal)
{
    if (!initialized()) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuDeviceGet before cuInit");
    if (device == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGet: null pointer");
    if (ordinal != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "cuDeviceGet: the emulator has one device, ordinal 0");
    *device = 0;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetName(char* name, int len, CUdevice device)
{
    if (!initialized()) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuDeviceGetName before cuInit");
    if (device != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "cuDeviceGetName: invalid device");
    if (name == nullptr || len <= 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetName: null buffer or non-positive length");
    std::snprintf(name, (size_t)len, "%s", kDeviceName);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device)
{
    if (!initialized()) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuDeviceGetAttribute before cuInit");
    if (value == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetAttribute: null pointer");
    if (device != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "cuDeviceGetAttribute: invalid device");
    switch (attribute) {
    case 1: *value = 1024; break;        // MAX_THREADS_PER_BLOCK
    case 2: *value = 1024; break;        // MAX_BLOCK_DIM_X
    case 3: *value = 1024; break;        // MAX_BLOCK_DIM_Y
    case 4: *value = 64; break;          // MAX_BLOCK_DIM_Z
    case 5: *value = 2147483647; break;  // MAX_GRID_DIM_X
    case 6: *value = 65535; break;       // MAX_GRID_DIM_Y
    case 7: *value = 65535; break;       // MAX_GRID_DIM_Z
    case 8: *value = 49152; break;       // MAX_SHARED_MEMORY_PER_BLOCK
    case 10: *value = 32; break;         // WARP_SIZE
    case 16: *value = 2; break;          // MULTIPROCESSOR_COUNT: small, so grids (16 blocks per SM) stay small
    case 75: *value = 5; break;          // COMPUTE_CAPABILITY_MAJOR (the PTX's target, sm_52)
    case 76: *value = 2; break;          // COMPUTE_CAPABILITY_MINOR
    default: return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetAttribute: attribute " + std::to_string(attribute) + " is not emulated");
    }
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device)
{
    if (!initialized()) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuDeviceTotalMem_v2 before cuInit");
    if (bytes == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceTotalMem_v2: null pointer");
    if (device != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "cuDeviceTotalMem_v2: invalid device");
    mem_info(nullptr, bytes);
    return CUDA_SUCCESS;
}

// ------------------------------------------------------------------ contexts

EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext* ctx, CUdevice device)
{
    if (!initialized()) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuDevicePrimaryCtxRetain before cuInit");
    if (ctx == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDevicePrimaryCtxRetain: null pointer");
    if (device != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "cuDevicePrimaryCtxRetain: invalid device");
    std::lock_guard<std::mutex> lock(g_ctx_mutex);
    g_primary.refcount++;
    *ctx = &g_primary;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device)
{
    if (!initialized()) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuDevicePrimaryCtxRelease_v2 before cuInit");
    if (device != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "cuDevicePrimaryCtxRelease_v2: invalid device");
    std::lock_guard<std::mutex> lock(g_ctx_mutex);
    if (g_primary.refcount <= 0) return fail(CUDA_ERROR_INVALID_CONTEXT, "cuDevicePrimaryCtxRelease_v2: the primary context is not retained");
    g_primary.refcount--;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxPushCurrent_v2(CUcontext ctx)
{
    if (!initialized()) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuCtxPushCurrent_v2 before cuInit");
    if (ctx != &g_primary) return fail(CUDA_ERROR_INVALID_CONTEXT, "cuCtxPushCurrent_v2: not a context of this driver");
    {
        std::lock_guard<std::mutex> lock(g_ctx_mutex);
        if (g_primary.refcount <= 0) return fail(CUDA_ERROR_INVALID_CONTEXT, "cuCtxPushCurrent_v2: the primary context was released");
    }
    t_ctx_stack.push_back(ctx);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxPopCurrent_v2(CUcontext* ctx)
{
    if (!initialized()) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuCtxPopCurrent_v2 before cuInit");
    if (t_ctx_stack.empty()) return fail(CUDA_ERROR_INVALID_CONTEXT, "cuCtxPopCurrent_v2: no current context");
    if (ctx != nullptr) *ctx = t_ctx_stack.back();
    t_ctx_stack.pop_back();
    return CUDA_SUCCESS;
}

// ------------------------------------------------------------------ streams

EXPORT CUresult cuStreamCreate(CUstream* stream, unsigned int flags)
{
    if (CUresult r = ready("cuStreamCreate")) return r;
    if (stream == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuStreamCreate: null pointer");
    if (flags > 1) return fail(CUDA_ERROR_INVALID_VALUE, "cuStreamCreate: Flags must be CU_STREAM_DEFAULT or CU_STREAM_NON_BLOCKING");
    *stream = stream_create();
    return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamDestroy_v2(CUstream stream)
{
    if (CUresult r = ready("cuStreamDestroy_v2")) return r;
    if (stream == nullptr || !stream_destroy(stream)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuStreamDestroy_v2: not a stream");
    return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamSynchronize(CUstream stream)
{
    if (CUresult r = ready("cuStreamSynchronize")) return r;
    if (!valid_stream(stream)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuStreamSynchronize: not a stream");
    return CUDA_SUCCESS; // all work already ran when it was enqueued
}

// ------------------------------------------------------------------ memory

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytes)
{
    if (CUresult r = ready("cuMemAlloc_v2")) return r;
    if (dptr == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemAlloc_v2: null pointer");
    if (bytes == 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemAlloc_v2: bytesize is 0");
    if (fault_hits("INITCORE_EMU_FAIL_ALLOC")) return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc_v2: injected failure (INITCORE_EMU_FAIL_ALLOC)");
    CUresult r = mem_alloc(dptr, bytes);
    if (r != CUDA_SUCCESS) return fail(r, "cuMemAlloc_v2: " + std::to_string(bytes) + " bytes do not fit in the emulated device memory");
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr dptr)
{
    if (CUresult r = ready("cuMemFree_v2")) return r;
    if (dptr == 0) return CUDA_SUCCESS;
    if (mem_free(dptr) != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemFree_v2: not the start of a live allocation");
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemGetInfo_v2(size_t* free_bytes, size_t* total_bytes)
{
    if (CUresult r = ready("cuMemGetInfo_v2")) return r;
    if (free_bytes == nullptr || total_bytes == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemGetInfo_v2: null pointer");
    mem_info(free_bytes, total_bytes);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream)
{
    if (CUresult r = ready("cuMemcpyHtoDAsync_v2")) return r;
    if (!valid_stream(stream)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuMemcpyHtoDAsync_v2: not a stream");
    if (bytes == 0) return CUDA_SUCCESS;
    if (!device_range(dst, bytes)) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyHtoDAsync_v2: destination is not " + std::to_string(bytes) + " bytes of one device allocation");
    if (!host_ok(src, bytes)) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyHtoDAsync_v2: source is not host memory");
    std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, CUstream stream)
{
    if (CUresult r = ready("cuMemcpyDtoHAsync_v2")) return r;
    if (!valid_stream(stream)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuMemcpyDtoHAsync_v2: not a stream");
    if (bytes == 0) return CUDA_SUCCESS;
    if (!device_range(src, bytes)) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyDtoHAsync_v2: source is not " + std::to_string(bytes) + " bytes of one device allocation");
    if (!host_ok(dst, bytes)) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyDtoHAsync_v2: destination is not host memory");
    std::memcpy(dst, reinterpret_cast<const void*>(src), bytes);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream)
{
    if (CUresult r = ready("cuMemcpyDtoDAsync_v2")) return r;
    if (!valid_stream(stream)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuMemcpyDtoDAsync_v2: not a stream");
    if (bytes == 0) return CUDA_SUCCESS;
    if (!device_range(dst, bytes) || !device_range(src, bytes))
        return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyDtoDAsync_v2: source or destination is not " + std::to_string(bytes) + " bytes of one device allocation");
    std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t count, CUstream stream)
{
    if (CUresult r = ready("cuMemsetD32Async")) return r;
    if (!valid_stream(stream)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuMemsetD32Async: not a stream");
    if (count == 0) return CUDA_SUCCESS;
    if (dst % 4 != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemsetD32Async: destination is not 4-byte aligned");
    if (count > SIZE_MAX / 4 || !device_range(dst, count * 4)) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemsetD32Async: " + std::to_string(count) + " words do not fit in one device allocation");
    uint32_t* p = reinterpret_cast<uint32_t*>(dst);
    for (size_t i = 0; i < count; ++i) p[i] = value;
    return CUDA_SUCCESS;
}

// ------------------------------------------------------------------ modules

EXPORT CUresult cuModuleLoadDataEx(CUmodule* module, const void* image, unsigned int num_options, int* options, void** values)
{
    if (CUresult r = ready("cuModuleLoadDataEx")) return r;
    if (module == nullptr || image == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuModuleLoadDataEx: null module or image");
    if (num_options > 0 && (options == nullptr || values == nullptr)) return fail(CUDA_ERROR_INVALID_VALUE, "cuModuleLoadDataEx: options without values");
    char* log = nullptr;
    size_t log_size = 0;
    for (unsigned i = 0; i < num_options; ++i) {
        if (options[i] == 5) log = static_cast<char*>(values[i]);                               // CU_JIT_ERROR_LOG_BUFFER
        else if (options[i] == 6) log_size = (size_t)reinterpret_cast<uintptr_t>(values[i]);     // CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES
    }
    auto jit_fail = [&](const std::string& message) {
        if (log != nullptr && log_size > 0) std::snprintf(log, log_size, "initcore-emu: %s", message.c_str());
        return fail(CUDA_ERROR_INVALID_PTX, "cuModuleLoadDataEx: " + message);
    };
    if (in_device_region(image)) return fail(CUDA_ERROR_INVALID_VALUE, "cuModuleLoadDataEx: image is device memory");
    const char* text = static_cast<const char*>(image);
    if (std::memcmp(text, "\x7f" "ELF", 4) == 0) return fail(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadDataEx: cubin images are not emulated; pass PTX text");
    auto* m = new Module();
    std::string error;
    if (!parse_ptx(text, m->entries, error)) {
        delete m;
        return jit_fail(error);
    }
    for (const PtxEntry& e : m->entries) {
        const std::string name = e.name;
        const HostKernel* k = find_kernel(name);
        if (k == nullptr) {
            delete m;
            return jit_fail("entry " + name + " has no host-compiled twin in this emulator build; rebuild it (build.ps1 emulator)");
        }
        const PtxEntry* built = built_entry(name);
        if (built != nullptr && built->text != e.text) {
            delete m;
            return jit_fail("entry " + name + " differs from the native/ptx this emulator was built with: the emulator build is stale; rebuild it (build.ps1 emulator)");
        }
        bool same = k->param_sizes.size() == e.params.size();
        for (size_t i = 0; same && i < e.params.size(); ++i) same = k->param_sizes[i] == e.params[i].size;
        if (!same) {
            delete m;
            return jit_fail("entry " + name + ": the PTX's parameters differ from the host-compiled kernel's; the emulator build or native/ptx is stale");
        }
    }
    std::lock_guard<std::mutex> lock(g_mod_mutex);
    g_modules[m] = m;
    *module = m;
    if (log != nullptr && log_size > 0) log[0] = 0;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuModuleUnload(CUmodule module)
{
    if (CUresult r = ready("cuModuleUnload")) return r;
    std::lock_guard<std::mutex> lock(g_mod_mutex);
    auto it = g_modules.find(module);
    if (it == g_modules.end()) return fail(CUDA_ERROR_INVALID_HANDLE, "cuModuleUnload: not a module");
    for (auto& f : it->second->functions) {
        g_functions.erase(f.second);
        delete f.second;
    }
    delete it->second;
    g_modules.erase(it);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuModuleGetFunction(CUfunction* function, CUmodule module, const char* name)
{
    if (CUresult r = ready("cuModuleGetFunction")) return r;
    if (function == nullptr || name == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuModuleGetFunction: null pointer");
    std::lock_guard<std::mutex> lock(g_mod_mutex);
    auto it = g_modules.find(module);
    if (it == g_modules.end()) return fail(CUDA_ERROR_INVALID_HANDLE, "cuModuleGetFunction: not a module");
    Module* m = it->second;
    auto found = m->functions.find(name);
    if (found != m->functions.end()) {
        *function = found->second;
        return CUDA_SUCCESS;
    }
    for (const PtxEntry& e : m->entries) {
        if (e.name != name) continue;
        auto* f = new Function{m, e, find_kernel(e.name)};
        m->functions[name] = f;
        g_functions[f] = f;
        *function = f;
        return CUDA_SUCCESS;
    }
    return fail(CUDA_ERROR_NOT_FOUND, std::string("cuModuleGetFunction: the module has no entry ") + name);
}

// ------------------------------------------------------------------ launches

EXPORT CUresult cuLaunchKernel(CUfunction function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                               unsigned shared_bytes, CUstream stream, void** params, void** extra)
{
    if (CUresult r = ready("cuLaunchKernel")) return r;
    Function* f;
    {
        std::lock_guard<std::mutex> lock(g_mod_mutex);
        auto it = g_functions.find(function);
        if (it == g_functions.end()) return fail(CUDA_ERROR_INVALID_HANDLE, "cuLaunchKernel: not a function");
        f = it->second;
    }
    const std::string& name = f->entry.name;
    if (!valid_stream(stream)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuLaunchKernel(" + name + "): not a stream");
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0)
        return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + name + "): a grid or block dimension is 0");
    if (gx > 2147483647u || gy > 65535u || gz > 65535u)
        return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + name + "): grid exceeds x <= 2^31-1, y, z <= 65535");
    if (bx > 1024u || by > 1024u || bz > 64u || (uint64_t)bx * by * bz > 1024u)
        return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + name + "): block exceeds 1024 threads (x, y <= 1024, z <= 64)");
    if ((uint64_t)shared_bytes + f->entry.static_shared > 49152u)
        return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + name + "): " + std::to_string(shared_bytes) + " bytes of dynamic shared memory plus " +
                                                  std::to_string(f->entry.static_shared) + " static exceed 48 KiB");
    if (extra != nullptr && params != nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + name + "): both kernelParams and extra");
    if (extra != nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + name + "): the extra parameter buffer is not emulated");
    size_t count = f->entry.params.size();
    if (count > 0 && params == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + name + "): kernelParams is null, the entry takes " + std::to_string(count));
    const HostKernel& k = *f->kernel;
    for (size_t i = 0; i < count; ++i) {
        const void* p = params[i];
        if (p == nullptr || in_device_region(p))
            return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + name + "): kernelParams[" + std::to_string(i) + "] must point to the argument in host memory");
        if (k.param_is_pointer[i]) {
            // Emulator strictness: a pointer argument must be null or point into a live device allocation.
            uint64_t v;
            std::memcpy(&v, p, 8);
            if (v != 0 && !device_range(v, 0))
                return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel(" + name + "): argument " + std::to_string(i) + " (" + f->entry.params[i].name +
                                                          ") is not a device address");
        }
    }
    const unsigned grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
    CUresult r = run_kernel(k, grid, block, shared_bytes, params);
    if (r != CUDA_SUCCESS) return fail(r, "cuLaunchKernel(" + name + "): launch failed");
    if (fault_hits("INITCORE_EMU_STICKY_AFTER_LAUNCH")) poison(CUDA_ERROR_ILLEGAL_ADDRESS);
    return CUDA_SUCCESS;
}

// ------------------------------------------------------------------ errors

EXPORT CUresult cuGetErrorName(CUresult error, const char** str)
{
    if (str == nullptr) return CUDA_ERROR_INVALID_VALUE;
    const char* n = error_name(error);
    *str = n;
    return n ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

EXPORT CUresult cuGetErrorString(CUresult error, const char** str)
{
    if (str == nullptr) return CUDA_ERROR_INVALID_VALUE;
    const char* s = error_string(error);
    *str = s;
    return s ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

// Emulator-only: reports what the device is (for tests and tools that must tell it from a GPU).
EXPORT const char* initcore_emu_device_name(void) { return kDeviceName; }

// Emulator-only: forgets the injected sticky error, as a process restart would. Tests that use
// INITCORE_EMU_STICKY_AFTER_LAUNCH call it when done so later tests in the same process can run.
EXPORT void initcore_emu_clear_sticky_error(void) { clear_poison(); }
