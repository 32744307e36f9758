// philox_fill.cu: Philox4x32-10 fills of float32 tensors, and constant fills.
//
// Computes: element i of a fill that starts at Philox block B is drawn from block B + i/4, lane i%4,
//   counter = (lo(block), hi(block), lo(stream), hi(stream)), key = (lo(seed), hi(seed)),
// exactly as docs/random.md and the CPU twin (src/InitCore/Backends/Cpu/PhiloxFill.cs) define it:
//   kind 0 uniform:          v = min(u24·p1 + p0, p2)   (p2 = hi: the sum can round past hi when the bounds round apart)
//   kind 1 normal:           Box–Muller on lanes (0,1) and (2,3); v = z·p1 + p0
//   kind 2 truncated normal: v = clamp(erfinv(u24·p1 + p0)·p2 + p3, p4, p5)
// Build: bash native/build-kernels.sh   (nvcc -ptx -arch=compute_52 -fmad=false -ccbin clang-14)
// Variants (extern "C" entries):
//   initcore_fill(FillTask)                      one tensor
//   initcore_fill_batched(const FillTask*, int)  many tensors in one launch: blockIdx.y picks the task
//   initcore_fill_constant(float*, n, value)
// Memory: each thread owns whole Philox blocks (4 consecutive floats), so a warp writes 512
// contiguous bytes; a 16-byte-aligned full block is stored as one float4.
#include "common.cuh"

// Mirrors FillTaskNative in src/InitCore/Backends/Cuda/CudaKernels.cs (72 bytes; a sizeof test checks it).
struct FillTask {
    unsigned long long dst;          // float* on the device
    unsigned long long n;            // elements
    unsigned long long start_block;  // first Philox block
    unsigned long long seed;
    unsigned long long stream;
    int kind;                        // 0 uniform, 1 normal, 2 truncated normal
    int reserved;
    float p[6];
};

__device__ __forceinline__ void fill_block(const FillTask& t, unsigned long long j)
{
    const unsigned long long block = t.start_block + j;
    const uint4 w = initcore::philox4x32_10(
        make_uint4((uint32_t)block, (uint32_t)(block >> 32), (uint32_t)t.stream, (uint32_t)(t.stream >> 32)),
        (uint32_t)t.seed, (uint32_t)(t.seed >> 32));
    float v0, v1, v2, v3;
    if (t.kind == 0) {
        v0 = initcore::uniform24(w.x) * t.p[1] + t.p[0]; v0 = v0 > t.p[2] ? t.p[2] : v0;
        v1 = initcore::uniform24(w.y) * t.p[1] + t.p[0]; v1 = v1 > t.p[2] ? t.p[2] : v1;
        v2 = initcore::uniform24(w.z) * t.p[1] + t.p[0]; v2 = v2 > t.p[2] ? t.p[2] : v2;
        v3 = initcore::uniform24(w.w) * t.p[1] + t.p[0]; v3 = v3 > t.p[2] ? t.p[2] : v3;
    } else if (t.kind == 1) {
        float s, c;
        float r = sqrtf(-2.0f * initcore::log_cephes(initcore::uniform_open31(w.x)));
        initcore::sincos_2pi(initcore::uniform24(w.y), &s, &c);
        v0 = r * c * t.p[1] + t.p[0];
        v1 = r * s * t.p[1] + t.p[0];
        r = sqrtf(-2.0f * initcore::log_cephes(initcore::uniform_open31(w.z)));
        initcore::sincos_2pi(initcore::uniform24(w.w), &s, &c);
        v2 = r * c * t.p[1] + t.p[0];
        v3 = r * s * t.p[1] + t.p[0];
    } else {
        const uint32_t ws[4] = { w.x, w.y, w.z, w.w };
        float vs[4];
#pragma unroll
        for (int l = 0; l < 4; ++l) {
            const float tt = initcore::uniform24(ws[l]) * t.p[1] + t.p[0];
            float v = initcore::erfinv_giles(tt) * t.p[2] + t.p[3];
            v = v < t.p[4] ? t.p[4] : v;
            vs[l] = v > t.p[5] ? t.p[5] : v;
        }
        v0 = vs[0]; v1 = vs[1]; v2 = vs[2]; v3 = vs[3];
    }
    float* dst = reinterpret_cast<float*>(t.dst);
    const unsigned long long i = 4ull * j;
    if (i + 3 < t.n && ((t.dst + 4ull * i) & 15ull) == 0) {
        *reinterpret_cast<float4*>(dst + i) = make_float4(v0, v1, v2, v3);
    } else {
        if (i < t.n) dst[i] = v0;
        if (i + 1 < t.n) dst[i + 1] = v1;
        if (i + 2 < t.n) dst[i + 2] = v2;
        if (i + 3 < t.n) dst[i + 3] = v3;
    }
}

__device__ __forceinline__ void fill_task(const FillTask& t)
{
    const unsigned long long blocks = (t.n + 3) / 4;
    const unsigned long long step = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long j = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; j < blocks; j += step)
        fill_block(t, j);
}

extern "C" __global__ void initcore_fill(FillTask task) { fill_task(task); }

extern "C" __global__ void initcore_fill_batched(const FillTask* tasks, int count)
{
    if ((int)blockIdx.y >= count) return;
    const FillTask t = tasks[blockIdx.y];
    fill_task(t);
}

extern "C" __global__ void initcore_fill_constant(float* dst, unsigned long long n, float value)
{
    const unsigned long long step = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step)
        dst[i] = value;
}
