// cublas.cpp: the emulated libcublas.so.13: exactly the entry points InitCore binds
// (src/InitCore/Interop/Cublas/CublasApi.cs): handle, stream, workspace, math mode, version queries
// and SGEMM, with cuBLAS's argument checks and status codes. SGEMM is column-major, accumulates each
// dot product in double and rounds once (real cuBLAS sums in float in its own order: compare with a
// tolerance). Work runs before the call returns, like every emulated stream operation.
#include "core.h"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

using namespace initcore_emu;

typedef int cublasStatus_t;
enum : int {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_ARCH_MISMATCH = 8,
    CUBLAS_STATUS_MAPPING_ERROR = 11,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
    CUBLAS_STATUS_LICENSE_ERROR = 16,
};

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

struct Handle {
    void* stream = nullptr;
    uint64_t workspace = 0;
    size_t workspace_bytes = 0;
    int math_mode = 0;
};
std::mutex g_mutex;
std::set<Handle*> g_handles;

cublasStatus_t fail(cublasStatus_t status, const std::string& why)
{
    set_last_error(why);
    return status;
}

Handle* lookup(void* h)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    auto* p = static_cast<Handle*>(h);
    return g_handles.count(p) ? p : nullptr;
}

} // namespace

EXPORT cublasStatus_t cublasCreate_v2(void** handle)
{
    if (handle == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasCreate_v2: handle is null");
    if (!initialized() || sticky_error() != 0) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasCreate_v2: the CUDA driver is not initialized or the context is broken");
    auto* h = new Handle();
    std::lock_guard<std::mutex> lock(g_mutex);
    g_handles.insert(h);
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasDestroy_v2(void* handle)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    auto* h = static_cast<Handle*>(handle);
    if (g_handles.erase(h) == 0) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasDestroy_v2: not a live handle");
    delete h;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasSetStream_v2(void* handle, void* stream)
{
    Handle* h = lookup(handle);
    if (h == nullptr) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasSetStream_v2: not a live handle");
    if (!valid_stream(stream)) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetStream_v2: not a stream");
    h->stream = stream;
    // Setting a stream resets the workspace to the default pool (cuBLAS documentation).
    h->workspace = 0;
    h->workspace_bytes = 0;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasSetWorkspace_v2(void* handle, void* workspace, size_t bytes)
{
    Handle* h = lookup(handle);
    if (h == nullptr) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasSetWorkspace_v2: not a live handle");
    uint64_t p = reinterpret_cast<uint64_t>(workspace);
    if (p % 256 != 0) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetWorkspace_v2: the workspace is not 256-byte aligned");
    if (bytes > 0 && !device_range(p, bytes)) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetWorkspace_v2: the workspace is not " + std::to_string(bytes) + " bytes of device memory");
    h->workspace = p;
    h->workspace_bytes = bytes;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasSetMathMode(void* handle, int mode)
{
    Handle* h = lookup(handle);
    if (h == nullptr) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasSetMathMode: not a live handle");
    int base = mode & ~16; // CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION
    if (base < 0 || base > 3) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetMathMode: unknown mode " + std::to_string(mode));
    h->math_mode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasGetProperty(int type, int* value)
{
    if (value == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasGetProperty: null pointer");
    switch (type) {
    case 0: *value = 13; return CUBLAS_STATUS_SUCCESS;  // MAJOR_VERSION
    case 1: *value = 0; return CUBLAS_STATUS_SUCCESS;   // MINOR_VERSION
    case 2: *value = 0; return CUBLAS_STATUS_SUCCESS;   // PATCH_LEVEL
    default: return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasGetProperty: unknown property type");
    }
}

EXPORT size_t cublasGetCudartVersion(void) { return 13000; }

EXPORT const char* cublasGetStatusName(cublasStatus_t status)
{
    switch (status) {
    case 0: return "CUBLAS_STATUS_SUCCESS";
    case 1: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case 3: return "CUBLAS_STATUS_ALLOC_FAILED";
    case 7: return "CUBLAS_STATUS_INVALID_VALUE";
    case 8: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case 11: return "CUBLAS_STATUS_MAPPING_ERROR";
    case 13: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case 14: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case 15: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case 16: return "CUBLAS_STATUS_LICENSE_ERROR";
    default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

// C = alpha·op(A)·op(B) + beta·C, column-major; op(A) is m×k, op(B) is k×n, C is m×n.
EXPORT cublasStatus_t cublasSgemm_v2(void* handle, int transa, int transb, int m, int n, int k, const float* alpha,
                                     const float* A, int lda, const float* B, int ldb, const float* beta, float* C, int ldc)
{
    Handle* h = lookup(handle);
    if (h == nullptr) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasSgemm_v2: not a live handle");
    if (transa < 0 || transa > 2 || transb < 0 || transb > 2) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemm_v2: transa/transb must be CUBLAS_OP_N, _T or _C");
    if (m < 0 || n < 0 || k < 0) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemm_v2: m, n and k must be >= 0");
    const int rowsA = transa == 0 ? m : k, rowsB = transb == 0 ? k : n;
    const int colsA = transa == 0 ? k : m, colsB = transb == 0 ? n : k;
    if (lda < (rowsA > 1 ? rowsA : 1)) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemm_v2: lda " + std::to_string(lda) + " < max(1, " + std::to_string(rowsA) + ")");
    if (ldb < (rowsB > 1 ? rowsB : 1)) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemm_v2: ldb " + std::to_string(ldb) + " < max(1, " + std::to_string(rowsB) + ")");
    if (ldc < (m > 1 ? m : 1)) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemm_v2: ldc " + std::to_string(ldc) + " < max(1, m = " + std::to_string(m) + ")");
    if (alpha == nullptr || beta == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemm_v2: alpha and beta must be host pointers (CUBLAS_POINTER_MODE_HOST)");
    if (in_device_region(alpha) || in_device_region(beta)) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemm_v2: alpha/beta are device pointers but the pointer mode is host");
    if (sticky_error() != 0) return fail(CUBLAS_STATUS_EXECUTION_FAILED, "cublasSgemm_v2: the context has a sticky error");
    if (!valid_stream(h->stream)) return fail(CUBLAS_STATUS_EXECUTION_FAILED, "cublasSgemm_v2: the handle's stream was destroyed");
    if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
    auto span = [](int ld, int rows, int cols) { return ((uint64_t)ld * (uint64_t)(cols - 1) + (uint64_t)rows) * 4; };
    const bool readAB = k > 0 && *alpha != 0.0f;
    if (!device_range(reinterpret_cast<uint64_t>(C), span(ldc, m, n))) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemm_v2: C is not a device matrix of the given shape");
    if (readAB && (!device_range(reinterpret_cast<uint64_t>(A), span(lda, rowsA, colsA)) || !device_range(reinterpret_cast<uint64_t>(B), span(ldb, rowsB, colsB))))
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSgemm_v2: A or B is not a device matrix of the given shape");
    const double a = *alpha, b = *beta;
    std::vector<double> acc((size_t)m);
    for (int j = 0; j < n; ++j) {
        std::fill(acc.begin(), acc.end(), 0.0);
        if (readAB) {
            for (int l = 0; l < k; ++l) {
                const double bv = transb == 0 ? B[(size_t)j * ldb + l] : B[(size_t)l * ldb + j];
                if (transa == 0) {
                    const float* col = A + (size_t)l * lda;
                    for (int i = 0; i < m; ++i) acc[i] += (double)col[i] * bv;
                } else {
                    for (int i = 0; i < m; ++i) acc[i] += (double)A[(size_t)i * lda + l] * bv;
                }
            }
        }
        float* c = C + (size_t)j * ldc;
        for (int i = 0; i < m; ++i) c[i] = (float)(b == 0.0 ? a * acc[i] : a * acc[i] + b * (double)c[i]);
    }
    return CUBLAS_STATUS_SUCCESS;
}
