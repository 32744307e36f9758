// cudnn.cpp: the emulated libcudnn.so.9: the legacy convolution API InitCore binds
// (src/InitCore/Interop/Cudnn/CudnnApi.cs) with cuDNN 9's status codes. Descriptors are validated as
// the cuDNN 9 documentation describes (CUDNN_STATUS_BAD_PARAM on a bad value or a mismatch between
// descriptors); forward, backward-data and backward-filter run a reference convolution that
// accumulates in double, with alpha and beta, groups, padding, stride and dilation, NCHW or NHWC.
//
// Fault injection: INITCORE_EMU_CUDNN_CREATE_STATUS=<status> makes cudnnCreate return that status
// (1008, CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED, with a message in cudnnGetLastErrorString).
// INITCORE_EMU_CUDNN_WORKSPACE_EXTRA=<bytes> makes cudnnGet*WorkspaceSize ask that many bytes more
// than the _v7 query's perf.memory for algorithms that use a workspace (real cuDNN may differ
// between the two), and the convolution calls require the larger figure.
#include "core.h"

#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

using namespace initcore_emu;

typedef int cudnnStatus_t;
enum : int {
    CUDNN_STATUS_SUCCESS = 0,
    CUDNN_STATUS_NOT_INITIALIZED = 1001,
    CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED = 1008,
    CUDNN_STATUS_BAD_PARAM = 2000,
    CUDNN_STATUS_BAD_PARAM_NULL_POINTER = 2002,
    CUDNN_STATUS_NOT_SUPPORTED = 3000,
    CUDNN_STATUS_INTERNAL_ERROR = 4000,
    CUDNN_STATUS_EXECUTION_FAILED = 5000,
};

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

struct Handle { void* stream = nullptr; };
struct Tensor { bool set = false; int format = 0, type = 0, n = 0, c = 0, h = 0, w = 0; };
struct Filter { bool set = false; int format = 0, type = 0, k = 0, c = 0, h = 0, w = 0; };
struct Conv {
    bool set = false;
    int pad_h = 0, pad_w = 0, u = 1, v = 1, dil_h = 1, dil_w = 1, mode = 1, type = 0;
    int groups = 1, math = 0;
};

std::mutex g_mutex;
std::set<void*> g_handles, g_tensors, g_filters, g_convs;
thread_local std::string t_last;

cudnnStatus_t fail(cudnnStatus_t status, const std::string& why)
{
    t_last = why;
    set_last_error(why);
    return status;
}

bool live(std::set<void*>& set, void* p)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    return p != nullptr && set.count(p) != 0;
}

template <typename T>
cudnnStatus_t create(std::set<void*>& set, void** out, const char* call)
{
    if (out == nullptr) return fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, std::string(call) + ": null pointer");
    T* d = new T();
    std::lock_guard<std::mutex> lock(g_mutex);
    set.insert(d);
    *out = d;
    return CUDNN_STATUS_SUCCESS;
}

template <typename T>
cudnnStatus_t destroy(std::set<void*>& set, void* d, const char* call)
{
    if (d == nullptr) return CUDNN_STATUS_SUCCESS; // destroying NULL is a no-op
    std::lock_guard<std::mutex> lock(g_mutex);
    if (set.erase(d) == 0) return fail(CUDNN_STATUS_BAD_PARAM, std::string(call) + ": not a live descriptor of this kind");
    delete static_cast<T*>(d);
    return CUDNN_STATUS_SUCCESS;
}

bool valid_type(int t) { return t >= 0 && t <= 14; }           // cudnnDataType_t
bool valid_format(int f) { return f >= 0 && f <= 2; }          // NCHW, NHWC, NCHW_VECT_C

// The convolution's operands, checked against each other as cuDNN does.
struct Geometry {
    const Tensor* x;
    const Filter* w;
    const Conv* conv;
    const Tensor* y;
    int cpg, kpg, p, q;
};

cudnnStatus_t geometry(void* handle, void* xd, void* wd, void* cd, void* yd, Geometry& g, const char* call)
{
    std::string c(call);
    if (!live(g_handles, handle)) return fail(CUDNN_STATUS_BAD_PARAM, c + ": not a live handle");
    if (!live(g_tensors, xd) || !live(g_tensors, yd)) return fail(CUDNN_STATUS_BAD_PARAM, c + ": x or y is not a live tensor descriptor");
    if (!live(g_filters, wd)) return fail(CUDNN_STATUS_BAD_PARAM, c + ": w is not a live filter descriptor");
    if (!live(g_convs, cd)) return fail(CUDNN_STATUS_BAD_PARAM, c + ": not a live convolution descriptor");
    g.x = static_cast<Tensor*>(xd);
    g.y = static_cast<Tensor*>(yd);
    g.w = static_cast<Filter*>(wd);
    g.conv = static_cast<Conv*>(cd);
    if (!g.x->set || !g.y->set || !g.w->set || !g.conv->set) return fail(CUDNN_STATUS_BAD_PARAM, c + ": a descriptor was created but never set");
    if (g.x->type != g.w->type || g.x->type != g.y->type) return fail(CUDNN_STATUS_BAD_PARAM, c + ": x, w and y have different data types");
    if (g.x->type != 0 || g.conv->type != 0) return fail(CUDNN_STATUS_NOT_SUPPORTED, c + ": the emulator computes CUDNN_DATA_FLOAT only");
    const int groups = g.conv->groups;
    if (g.x->c != g.w->c * groups)
        return fail(CUDNN_STATUS_BAD_PARAM, c + ": x has " + std::to_string(g.x->c) + " channels, filter " + std::to_string(g.w->c) + " per group × " + std::to_string(groups) + " groups");
    if (g.w->k % groups != 0) return fail(CUDNN_STATUS_BAD_PARAM, c + ": filter count " + std::to_string(g.w->k) + " is not a multiple of the group count");
    const int eh = (g.w->h - 1) * g.conv->dil_h + 1, ew = (g.w->w - 1) * g.conv->dil_w + 1;
    const int ph = g.x->h + 2 * g.conv->pad_h - eh, pw = g.x->w + 2 * g.conv->pad_w - ew;
    if (ph < 0 || pw < 0) return fail(CUDNN_STATUS_BAD_PARAM, c + ": the dilated filter is larger than the padded input");
    g.p = ph / g.conv->u + 1;
    g.q = pw / g.conv->v + 1;
    g.cpg = g.w->c;
    g.kpg = g.w->k / groups;
    if (g.y->n != g.x->n || g.y->c != g.w->k || g.y->h != g.p || g.y->w != g.q)
        return fail(CUDNN_STATUS_BAD_PARAM, c + ": y is [" + std::to_string(g.y->n) + ", " + std::to_string(g.y->c) + ", " + std::to_string(g.y->h) + ", " +
                                              std::to_string(g.y->w) + "], the convolution gives [" + std::to_string(g.x->n) + ", " + std::to_string(g.w->k) + ", " +
                                              std::to_string(g.p) + ", " + std::to_string(g.q) + "]");
    return CUDNN_STATUS_SUCCESS;
}

// Element offsets.
size_t at(const Tensor& t, int n, int c, int h, int w)
{
    if (t.format == 1) return (((size_t)n * t.h + h) * t.w + w) * t.c + c; // NHWC
    return (((size_t)n * t.c + c) * t.h + h) * t.w + w;
}
size_t at(const Filter& f, int k, int c, int r, int s)
{
    if (f.format == 1) return (((size_t)k * f.h + r) * f.w + s) * f.c + c; // KRSC
    return (((size_t)k * f.c + c) * f.h + r) * f.w + s;
}
size_t count(const Tensor& t) { return (size_t)t.n * t.c * t.h * t.w; }
size_t count(const Filter& f) { return (size_t)f.k * f.c * f.h * f.w; }

// Algorithms offered by the _v7 queries, best first, with their workspace (perf.memory).
enum Direction { Forward, BackwardData, BackwardFilter };
std::vector<int> algorithms(Direction d)
{
    switch (d) {
    case Forward: return {1, 0, 2};     // IMPLICIT_PRECOMP_GEMM, IMPLICIT_GEMM, GEMM
    case BackwardData: return {1, 0};   // ALGO_1, ALGO_0
    default: return {1, 0, 3};          // ALGO_1, ALGO_0, ALGO_3
    }
}
int algorithm_limit(Direction d) { return d == Forward ? 8 : d == BackwardData ? 6 : 7; }
bool supported(Direction d, int algo)
{
    for (int a : algorithms(d)) if (a == algo) return true;
    return false;
}
size_t perf_memory(Direction d, int algo, const Geometry& g)
{
    const size_t patch = (size_t)g.cpg * g.w->h * g.w->w;
    if (d == Forward && algo == 1) return patch * 4;                          // precomputed filter offsets
    if (d == Forward && algo == 2) return patch * (size_t)g.p * g.q * 4;      // one image's im2col
    if (d == BackwardFilter && algo == 3) return patch * (size_t)g.p * g.q * 4;
    return 0;
}
size_t workspace(Direction d, int algo, const Geometry& g)
{
    size_t m = perf_memory(d, algo, g);
    long extra = env_int("INITCORE_EMU_CUDNN_WORKSPACE_EXTRA", 0);
    return m > 0 && extra > 0 ? m + (size_t)extra : m;
}

struct Perf {
    int algo;
    int status;
    float time;
    size_t memory;
    int determinism;
    int mathType;
    int reserved[3];
};
static_assert(sizeof(Perf) == 48, "cudnnConvolution*AlgoPerf_t is 48 bytes");

cudnnStatus_t query(Direction d, void* handle, void* xd, void* wd, void* cd, void* yd, int requested, int* returned, void* perf, const char* call)
{
    Geometry g;
    if (cudnnStatus_t s = geometry(handle, xd, wd, cd, yd, g, call)) return s;
    if (requested < 1) return fail(CUDNN_STATUS_BAD_PARAM, std::string(call) + ": requestedAlgoCount must be at least 1");
    if (returned == nullptr || perf == nullptr) return fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, std::string(call) + ": null returnedAlgoCount or perfResults");
    std::vector<int> algos = algorithms(d);
    int n = (int)algos.size() < requested ? (int)algos.size() : requested;
    Perf* out = static_cast<Perf*>(perf);
    for (int i = 0; i < n; ++i) {
        Perf p{};
        p.algo = algos[i];
        p.status = CUDNN_STATUS_SUCCESS;
        p.time = -1.0f; // heuristics, not measured
        p.memory = perf_memory(d, algos[i], g);
        p.determinism = 1;
        // FMA math stays FMA; default math lets the first algorithm use tensor cores (TF32 on real hardware).
        p.mathType = g.conv->math == 3 ? 3 : (i == 0 ? 1 : 0);
        out[i] = p;
    }
    *returned = n;
    return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t workspace_size(Direction d, void* handle, void* xd, void* wd, void* cd, void* yd, int algo, size_t* bytes, const char* call)
{
    Geometry g;
    if (cudnnStatus_t s = geometry(handle, xd, wd, cd, yd, g, call)) return s;
    if (bytes == nullptr) return fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, std::string(call) + ": null sizeInBytes");
    if (algo < 0 || algo >= algorithm_limit(d)) return fail(CUDNN_STATUS_BAD_PARAM, std::string(call) + ": unknown algorithm " + std::to_string(algo));
    if (!supported(d, algo)) return fail(CUDNN_STATUS_NOT_SUPPORTED, std::string(call) + ": algorithm " + std::to_string(algo) + " is not offered for this convolution");
    *bytes = workspace(d, algo, g);
    return CUDNN_STATUS_SUCCESS;
}

// Shared checks of the three convolution calls.
cudnnStatus_t prepare(Direction d, void* handle, const void* alpha, const void* beta, void* xd, const void* x, void* wd, const void* w, void* cd, int algo,
                      const void* ws, size_t ws_bytes, void* yd, const void* y, Geometry& g, const char* call)
{
    std::string c(call);
    if (cudnnStatus_t s = geometry(handle, xd, wd, cd, yd, g, call)) return s;
    if (alpha == nullptr || beta == nullptr) return fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, c + ": alpha and beta must be host pointers");
    if (in_device_region(alpha) || in_device_region(beta)) return fail(CUDNN_STATUS_BAD_PARAM, c + ": alpha and beta must be host memory");
    if (algo < 0 || algo >= algorithm_limit(d)) return fail(CUDNN_STATUS_BAD_PARAM, c + ": unknown algorithm " + std::to_string(algo));
    if (!supported(d, algo)) return fail(CUDNN_STATUS_NOT_SUPPORTED, c + ": algorithm " + std::to_string(algo) + " is not offered for this convolution");
    size_t need = workspace(d, algo, g);
    if (ws_bytes < need)
        return fail(CUDNN_STATUS_BAD_PARAM, c + ": workSpaceSizeInBytes " + std::to_string(ws_bytes) + " is less than the " + std::to_string(need) +
                                             " bytes algorithm " + std::to_string(algo) + " needs (cudnnGet*WorkspaceSize)");
    if (ws_bytes > 0 && !device_range(reinterpret_cast<uint64_t>(ws), ws_bytes)) return fail(CUDNN_STATUS_BAD_PARAM, c + ": the workspace is not device memory of the given size");
    if (!device_range(reinterpret_cast<uint64_t>(x), count(*g.x) * 4) || !device_range(reinterpret_cast<uint64_t>(w), count(*g.w) * 4) ||
        !device_range(reinterpret_cast<uint64_t>(y), count(*g.y) * 4))
        return fail(CUDNN_STATUS_BAD_PARAM, c + ": a data pointer is not device memory of its descriptor's size");
    if (sticky_error() != 0) return fail(CUDNN_STATUS_EXECUTION_FAILED, c + ": the CUDA context has a sticky error");
    return CUDNN_STATUS_SUCCESS;
}

// Calls f(n, group, k, c, p, q, h, w, r, s) for every multiply of the convolution (in-bounds taps only).
template <typename F>
void taps(const Geometry& g, F f)
{
    const Conv& cv = *g.conv;
    const bool flip = cv.mode == 0; // CUDNN_CONVOLUTION flips the filter; CROSS_CORRELATION does not
    for (int n = 0; n < g.x->n; ++n)
        for (int grp = 0; grp < cv.groups; ++grp)
            for (int kk = 0; kk < g.kpg; ++kk) {
                const int k = grp * g.kpg + kk;
                for (int p = 0; p < g.p; ++p)
                    for (int q = 0; q < g.q; ++q)
                        for (int cc = 0; cc < g.cpg; ++cc)
                            for (int r = 0; r < g.w->h; ++r) {
                                const int h = p * cv.u - cv.pad_h + r * cv.dil_h;
                                if (h < 0 || h >= g.x->h) continue;
                                for (int s = 0; s < g.w->w; ++s) {
                                    const int w = q * cv.v - cv.pad_w + s * cv.dil_w;
                                    if (w < 0 || w >= g.x->w) continue;
                                    f(n, k, grp * g.cpg + cc, cc, p, q, h, w, flip ? g.w->h - 1 - r : r, flip ? g.w->w - 1 - s : s);
                                }
                            }
            }
}

// The same sums for the NCHW layouts InitCore uses, with the loops ordered so the innermost one walks
// a row (the reference order of each sum is the same as taps(): channel, filter row, filter column).
// dir: Forward accumulates y, BackwardData accumulates dx, BackwardFilter accumulates dw.
void nchw(Direction dir, const Geometry& g, const float* X, const float* W, const float* Y, double* acc)
{
    const Conv& cv = *g.conv;
    const bool flip = cv.mode == 0;
    const int N = g.x->n, C = g.x->c, H = g.x->h, Wd = g.x->w, K = g.w->k, R = g.w->h, S = g.w->w, P = g.p, Q = g.q;
    for (int n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k) {
            const int grp = k / g.kpg;
            for (int cc = 0; cc < g.cpg; ++cc) {
                const int c = grp * g.cpg + cc;
                const size_t xplane = ((size_t)n * C + c) * H * Wd, yplane = ((size_t)n * K + k) * P * Q;
                for (int r = 0; r < R; ++r)
                    for (int s = 0; s < S; ++s) {
                        const size_t widx = (((size_t)k * g.cpg + cc) * R + (flip ? R - 1 - r : r)) * S + (flip ? S - 1 - s : s);
                        const int off = s * cv.dil_w - cv.pad_w;
                        // q range with 0 <= q·v + off < Wd
                        int qlo = off >= 0 ? 0 : (-off + cv.v - 1) / cv.v;
                        int qhi = Wd - 1 - off < 0 ? -1 : (Wd - 1 - off) / cv.v;
                        if (qhi > Q - 1) qhi = Q - 1;
                        if (qlo > qhi) continue;
                        double wsum = 0.0;
                        const double wv = dir == BackwardFilter ? 0.0 : (double)W[widx];
                        for (int p = 0; p < P; ++p) {
                            const int h = p * cv.u - cv.pad_h + r * cv.dil_h;
                            if (h < 0 || h >= H) continue;
                            const size_t xrow = xplane + (size_t)h * Wd + off, yrow = yplane + (size_t)p * Q;
                            if (dir == Forward) {
                                double* a = acc + yrow;
                                for (int q = qlo; q <= qhi; ++q) a[q] += (double)X[xrow + (size_t)q * cv.v] * wv;
                            } else if (dir == BackwardData) {
                                double* a = acc + xrow;
                                for (int q = qlo; q <= qhi; ++q) a[(size_t)q * cv.v] += (double)Y[yrow + q] * wv;
                            } else {
                                for (int q = qlo; q <= qhi; ++q) wsum += (double)Y[yrow + q] * (double)X[xrow + (size_t)q * cv.v];
                            }
                        }
                        if (dir == BackwardFilter) acc[widx] += wsum;
                    }
            }
        }
}

bool all_nchw(const Geometry& g) { return g.x->format == 0 && g.y->format == 0 && g.w->format == 0; }

} // namespace

// ------------------------------------------------------------------ version, handle, errors

EXPORT size_t cudnnGetVersion(void) { return 90100; }

EXPORT cudnnStatus_t cudnnCreate(void** handle)
{
    if (handle == nullptr) return fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, "cudnnCreate: handle is null");
    long injected = env_int("INITCORE_EMU_CUDNN_CREATE_STATUS", 0);
    if (injected != 0)
        return fail((cudnnStatus_t)injected, "cudnnCreate: injected failure (INITCORE_EMU_CUDNN_CREATE_STATUS=" + std::to_string(injected) +
                                                 "): libcudnn_engines_precompiled.so.9 could not be loaded (emulated sub-library loading failure)");
    if (!initialized() || sticky_error() != 0) return fail(CUDNN_STATUS_NOT_INITIALIZED, "cudnnCreate: the CUDA driver is not initialized or the context is broken");
    return create<Handle>(g_handles, handle, "cudnnCreate");
}

EXPORT cudnnStatus_t cudnnDestroy(void* handle)
{
    if (handle == nullptr) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnDestroy: null handle");
    return destroy<Handle>(g_handles, handle, "cudnnDestroy");
}

EXPORT cudnnStatus_t cudnnSetStream(void* handle, void* stream)
{
    if (!live(g_handles, handle)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetStream: not a live handle");
    if (!valid_stream(stream)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetStream: not a stream");
    static_cast<Handle*>(handle)->stream = stream;
    return CUDNN_STATUS_SUCCESS;
}

EXPORT const char* cudnnGetErrorString(cudnnStatus_t status)
{
    switch (status) {
    case 0: return "CUDNN_STATUS_SUCCESS";
    case 1001: return "CUDNN_STATUS_NOT_INITIALIZED";
    case 1008: return "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED";
    case 2000: return "CUDNN_STATUS_BAD_PARAM";
    case 2002: return "CUDNN_STATUS_BAD_PARAM_NULL_POINTER";
    case 3000: return "CUDNN_STATUS_NOT_SUPPORTED";
    case 4000: return "CUDNN_STATUS_INTERNAL_ERROR";
    case 5000: return "CUDNN_STATUS_EXECUTION_FAILED";
    default: return "CUDNN_STATUS_UNKNOWN";
    }
}

EXPORT void cudnnGetLastErrorString(char* message, size_t max_size)
{
    if (message == nullptr || max_size == 0) return;
    std::strncpy(message, t_last.c_str(), max_size - 1);
    message[max_size - 1] = 0;
}

// ------------------------------------------------------------------ descriptors

EXPORT cudnnStatus_t cudnnCreateTensorDescriptor(void** d) { return create<Tensor>(g_tensors, d, "cudnnCreateTensorDescriptor"); }
EXPORT cudnnStatus_t cudnnDestroyTensorDescriptor(void* d) { return destroy<Tensor>(g_tensors, d, "cudnnDestroyTensorDescriptor"); }
EXPORT cudnnStatus_t cudnnCreateFilterDescriptor(void** d) { return create<Filter>(g_filters, d, "cudnnCreateFilterDescriptor"); }
EXPORT cudnnStatus_t cudnnDestroyFilterDescriptor(void* d) { return destroy<Filter>(g_filters, d, "cudnnDestroyFilterDescriptor"); }
EXPORT cudnnStatus_t cudnnCreateConvolutionDescriptor(void** d) { return create<Conv>(g_convs, d, "cudnnCreateConvolutionDescriptor"); }
EXPORT cudnnStatus_t cudnnDestroyConvolutionDescriptor(void* d) { return destroy<Conv>(g_convs, d, "cudnnDestroyConvolutionDescriptor"); }

EXPORT cudnnStatus_t cudnnSetTensor4dDescriptor(void* d, int format, int type, int n, int c, int h, int w)
{
    if (!live(g_tensors, d)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptor: not a live tensor descriptor");
    if (!valid_format(format) || !valid_type(type)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptor: invalid format or data type");
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptor: n, c, h and w must be positive");
    if (format == 2) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptor: CUDNN_TENSOR_NCHW_VECT_C needs a vectorized data type");
    if ((uint64_t)n * c * h * w > 2147483647ull) return fail(CUDNN_STATUS_NOT_SUPPORTED, "cudnnSetTensor4dDescriptor: more than 2^31-1 elements");
    *static_cast<Tensor*>(d) = Tensor{true, format, type, n, c, h, w};
    return CUDNN_STATUS_SUCCESS;
}

EXPORT cudnnStatus_t cudnnSetFilter4dDescriptor(void* d, int type, int format, int k, int c, int h, int w)
{
    if (!live(g_filters, d)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetFilter4dDescriptor: not a live filter descriptor");
    if (!valid_format(format) || !valid_type(type)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetFilter4dDescriptor: invalid format or data type");
    if (k <= 0 || c <= 0 || h <= 0 || w <= 0) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetFilter4dDescriptor: k, c, h and w must be positive");
    if (format == 2) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetFilter4dDescriptor: CUDNN_TENSOR_NCHW_VECT_C needs a vectorized data type");
    *static_cast<Filter*>(d) = Filter{true, format, type, k, c, h, w};
    return CUDNN_STATUS_SUCCESS;
}

EXPORT cudnnStatus_t cudnnSetConvolution2dDescriptor(void* d, int pad_h, int pad_w, int u, int v, int dil_h, int dil_w, int mode, int type)
{
    if (!live(g_convs, d)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor: not a live convolution descriptor");
    if (pad_h < 0 || pad_w < 0) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor: negative padding");
    if (u <= 0 || v <= 0) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor: strides must be positive");
    if (dil_h <= 0 || dil_w <= 0) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor: dilations must be positive");
    if (mode != 0 && mode != 1) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor: mode must be CUDNN_CONVOLUTION or CUDNN_CROSS_CORRELATION");
    if (!valid_type(type)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor: invalid compute type");
    Conv* c = static_cast<Conv*>(d);
    c->set = true;
    c->pad_h = pad_h; c->pad_w = pad_w; c->u = u; c->v = v; c->dil_h = dil_h; c->dil_w = dil_w; c->mode = mode; c->type = type;
    return CUDNN_STATUS_SUCCESS;
}

EXPORT cudnnStatus_t cudnnSetConvolutionGroupCount(void* d, int groups)
{
    if (!live(g_convs, d)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionGroupCount: not a live convolution descriptor");
    if (groups < 1) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionGroupCount: groupCount must be at least 1");
    static_cast<Conv*>(d)->groups = groups;
    return CUDNN_STATUS_SUCCESS;
}

EXPORT cudnnStatus_t cudnnSetConvolutionMathType(void* d, int math)
{
    if (!live(g_convs, d)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType: not a live convolution descriptor");
    if (math < 0 || math > 3) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType: unknown math type " + std::to_string(math));
    static_cast<Conv*>(d)->math = math;
    return CUDNN_STATUS_SUCCESS;
}

// Emulator-only: the math type a convolution descriptor holds (tests of the TF32 choice).
EXPORT int initcore_emu_cudnn_math_type(void* d) { return live(g_convs, d) ? static_cast<Conv*>(d)->math : -1; }

// ------------------------------------------------------------------ queries

EXPORT cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(void* h, void* x, void* w, void* c, void* y, int requested, int* returned, void* perf)
{
    return query(Forward, h, x, w, c, y, requested, returned, perf, "cudnnGetConvolutionForwardAlgorithm_v7");
}
EXPORT cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(void* h, void* w, void* dy, void* c, void* dx, int requested, int* returned, void* perf)
{
    return query(BackwardData, h, dx, w, c, dy, requested, returned, perf, "cudnnGetConvolutionBackwardDataAlgorithm_v7");
}
EXPORT cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(void* h, void* x, void* dy, void* c, void* dw, int requested, int* returned, void* perf)
{
    return query(BackwardFilter, h, x, dw, c, dy, requested, returned, perf, "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
}
EXPORT cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(void* h, void* x, void* w, void* c, void* y, int algo, size_t* bytes)
{
    return workspace_size(Forward, h, x, w, c, y, algo, bytes, "cudnnGetConvolutionForwardWorkspaceSize");
}
EXPORT cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(void* h, void* w, void* dy, void* c, void* dx, int algo, size_t* bytes)
{
    return workspace_size(BackwardData, h, dx, w, c, dy, algo, bytes, "cudnnGetConvolutionBackwardDataWorkspaceSize");
}
EXPORT cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(void* h, void* x, void* dy, void* c, void* dw, int algo, size_t* bytes)
{
    return workspace_size(BackwardFilter, h, x, dw, c, dy, algo, bytes, "cudnnGetConvolutionBackwardFilterWorkspaceSize");
}

// ------------------------------------------------------------------ convolutions (reference, double accumulation)

EXPORT cudnnStatus_t cudnnConvolutionForward(void* h, const void* alpha, void* xd, const void* x, void* wd, const void* w, void* cd, int algo,
                                             void* ws, size_t ws_bytes, const void* beta, void* yd, void* y)
{
    Geometry g;
    if (cudnnStatus_t s = prepare(Forward, h, alpha, beta, xd, x, wd, w, cd, algo, ws, ws_bytes, yd, y, g, "cudnnConvolutionForward")) return s;
    const float *X = static_cast<const float*>(x), *W = static_cast<const float*>(w);
    float* Y = static_cast<float*>(y);
    std::vector<double> acc(count(*g.y), 0.0);
    if (all_nchw(g)) nchw(Forward, g, X, W, nullptr, acc.data());
    else taps(g, [&](int n, int k, int c, int cc, int p, int q, int hh, int ww, int r, int s) {
        acc[at(*g.y, n, k, p, q)] += (double)X[at(*g.x, n, c, hh, ww)] * (double)W[at(*g.w, k, cc, r, s)];
    });
    const double a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
    for (size_t i = 0; i < acc.size(); ++i) Y[i] = (float)(b == 0.0 ? a * acc[i] : a * acc[i] + b * (double)Y[i]);
    return CUDNN_STATUS_SUCCESS;
}

EXPORT cudnnStatus_t cudnnConvolutionBackwardData(void* h, const void* alpha, void* wd, const void* w, void* dyd, const void* dy, void* cd, int algo,
                                                  void* ws, size_t ws_bytes, const void* beta, void* dxd, void* dx)
{
    Geometry g;
    if (cudnnStatus_t s = prepare(BackwardData, h, alpha, beta, dxd, dx, wd, w, cd, algo, ws, ws_bytes, dyd, dy, g, "cudnnConvolutionBackwardData")) return s;
    const float *DY = static_cast<const float*>(dy), *W = static_cast<const float*>(w);
    float* DX = static_cast<float*>(dx);
    std::vector<double> acc(count(*g.x), 0.0);
    if (all_nchw(g)) nchw(BackwardData, g, nullptr, W, DY, acc.data());
    else taps(g, [&](int n, int k, int c, int cc, int p, int q, int hh, int ww, int r, int s) {
        acc[at(*g.x, n, c, hh, ww)] += (double)DY[at(*g.y, n, k, p, q)] * (double)W[at(*g.w, k, cc, r, s)];
    });
    const double a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
    for (size_t i = 0; i < acc.size(); ++i) DX[i] = (float)(b == 0.0 ? a * acc[i] : a * acc[i] + b * (double)DX[i]);
    return CUDNN_STATUS_SUCCESS;
}

EXPORT cudnnStatus_t cudnnConvolutionBackwardFilter(void* h, const void* alpha, void* xd, const void* x, void* dyd, const void* dy, void* cd, int algo,
                                                    void* ws, size_t ws_bytes, const void* beta, void* dwd, void* dw)
{
    Geometry g;
    if (cudnnStatus_t s = prepare(BackwardFilter, h, alpha, beta, xd, x, dwd, dw, cd, algo, ws, ws_bytes, dyd, dy, g, "cudnnConvolutionBackwardFilter")) return s;
    const float *X = static_cast<const float*>(x), *DY = static_cast<const float*>(dy);
    float* DW = static_cast<float*>(dw);
    std::vector<double> acc(count(*g.w), 0.0);
    if (all_nchw(g)) nchw(BackwardFilter, g, X, nullptr, DY, acc.data());
    else taps(g, [&](int n, int k, int c, int cc, int p, int q, int hh, int ww, int r, int s) {
        acc[at(*g.w, k, cc, r, s)] += (double)DY[at(*g.y, n, k, p, q)] * (double)X[at(*g.x, n, c, hh, ww)];
    });
    const double a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
    for (size_t i = 0; i < acc.size(); ++i) DW[i] = (float)(b == 0.0 ? a * acc[i] : a * acc[i] + b * (double)DW[i]);
    return CUDNN_STATUS_SUCCESS;
}
