// stats.cu: one-pass statistics of a float32 tensor from a single read of the data.
//
// Computes count, mean, M2 (Welford in double on deviations from a per-thread pivot, Chan's merge across threads
// and blocks; exact 0 for constant data, no overflow or underflow anywhere in float32's range), min, max,
// the count of |x| < near_zero, and a histogram of x (or |x|) with `bins` equal bins over [lo, hi]
// (values outside are not counted; hi falls in the last bin). Twin: src/InitCore/Backends/Cpu/CpuStatistics.cs.
// Build: bash native/build-kernels.sh
// Variants (extern "C"):
//   initcore_stats_partial(x, n, cfg, partials, histogram)   one StatsPartial per block; bins atomically
//                                                             added into histogram[bins] (uint64, zeroed by the caller)
//   initcore_stats_merge(partials, count, result)            one block merges the partials on the device
// Memory: the data is read once, coalesced; the per-block histogram lives in shared memory
// (bins·8 bytes of dynamic shared memory) and is flushed with one atomic per bin per block.
// Counters are 64-bit everywhere (shared, global, the host's readback), as the CPU twin's long[]:
// a bin of a tensor with more than 2^32 elements must not wrap.
// Results stay on the device until the host reads them: no synchronization per call.

// Mirrors StatsPartialNative in src/InitCore/Backends/Cuda/CudaKernels.cs (40 bytes).
struct StatsPartial {
    unsigned long long count;
    unsigned long long near_zero;
    double mean;
    double m2;
    float min;
    float max;
};

// Mirrors StatsConfigNative (24 bytes).
struct StatsConfig {
    float near_zero;   // |x| < near_zero counts as near zero
    float lo;          // histogram range
    float hi;
    float inv_width;   // bins / (hi − lo), rounded once on the host
    int bins;          // 0: no histogram
    int absolute;      // 1: histogram of |x|
};

__device__ __forceinline__ void merge(StatsPartial& a, const StatsPartial& b)
{
    if (b.count == 0) return;
    if (a.count == 0) { a = b; return; }
    const double na = (double)a.count, nb = (double)b.count, n = na + nb;
    const double delta = b.mean - a.mean;
    a.mean = a.mean + delta * (nb / n);
    a.m2 = a.m2 + b.m2 + delta * delta * (na * nb / n);
    a.count += b.count;
    a.near_zero += b.near_zero;
    a.min = b.min < a.min ? b.min : a.min;
    a.max = b.max > a.max ? b.max : a.max;
}

__device__ __forceinline__ void block_reduce(StatsPartial& mine, StatsPartial* shared)
{
    shared[threadIdx.x] = mine;
    __syncthreads();
    for (unsigned int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) merge(shared[threadIdx.x], shared[threadIdx.x + s]);
        __syncthreads();
    }
    mine = shared[0];
}

__device__ __forceinline__ StatsPartial empty_partial()
{
    StatsPartial p;
    p.count = 0; p.near_zero = 0; p.mean = 0.0; p.m2 = 0.0;
    p.min = __int_as_float(0x7F800000);   // +inf
    p.max = __int_as_float(0xFF800000);   // −inf
    return p;
}

// blockDim.x must be a power of two ≤ 256.
extern "C" __global__ void initcore_stats_partial(const float* x, unsigned long long n, StatsConfig cfg,
                                                  StatsPartial* partials, unsigned long long* histogram)
{
    extern __shared__ unsigned long long shared_hist[];
    __shared__ StatsPartial shared[256];
    for (int b = threadIdx.x; b < cfg.bins; b += blockDim.x) shared_hist[b] = 0;
    __syncthreads();

    // Per thread: Welford in double on the deviations d = v − p from a pivot p (the thread's first value; 0 when
    // that is not finite). For float32 data, d and d² lie far inside double's range (|d| < 2^129, |d| ≥ 2^−149 or 0),
    // so the variance neither overflows nor underflows, and constant data gives d = 0: M2 = 0 and mean = p exactly.
    // The C# twin reaches the same guarantees in float by scaling each chunk by a power of two (CpuStatistics.Moments).
    unsigned int k = 0, near = 0;
    float pivot = 0.0f;
    double mean = 0.0, m2 = 0.0;
    float lo_v = __int_as_float(0x7F800000), hi_v = __int_as_float(0xFF800000);
    const unsigned long long step = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
        const float v = x[i];
        if (k == 0) pivot = (v - v == 0.0f) ? v : 0.0f;
        k += 1;
        const double dv = (double)v - (double)pivot;
        const double d = dv - mean;
        mean = mean + d / (double)k;
        m2 = m2 + d * (dv - mean);
        lo_v = v < lo_v ? v : lo_v;
        hi_v = v > hi_v ? v : hi_v;
        const float a = fabsf(v);
        if (a < cfg.near_zero) near += 1;
        if (cfg.bins > 0) {
            const float h = cfg.absolute ? a : v;
            if (h >= cfg.lo && h <= cfg.hi) {
                int bin = (int)((h - cfg.lo) * cfg.inv_width);
                bin = bin >= cfg.bins ? cfg.bins - 1 : bin;
                atomicAdd(&shared_hist[bin], 1ull);
            }
        }
    }
    StatsPartial mine = empty_partial();
    mine.count = k; mine.near_zero = near; mine.mean = k > 0 ? (double)pivot + mean : 0.0; mine.m2 = m2; mine.min = lo_v; mine.max = hi_v;
    block_reduce(mine, shared);
    if (threadIdx.x == 0) partials[blockIdx.x] = mine;
    __syncthreads();
    for (int b = threadIdx.x; b < cfg.bins; b += blockDim.x)
        if (shared_hist[b] != 0) atomicAdd(&histogram[b], shared_hist[b]);
}

// One block of 256 threads.
extern "C" __global__ void initcore_stats_merge(const StatsPartial* partials, int count, StatsPartial* result)
{
    __shared__ StatsPartial shared[256];
    StatsPartial mine = empty_partial();
    for (int i = threadIdx.x; i < count; i += blockDim.x) merge(mine, partials[i]);
    block_reduce(mine, shared);
    if (threadIdx.x == 0) *result = mine;
}
