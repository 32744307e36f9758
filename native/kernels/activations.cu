// activations.cu: the smooth activations forward and backward (twins in src/InitCore/Backends/Cpu/SmoothActivations.cs).
//
// A module of its own: CUDA's float functions (tanhf, expf, erff, expm1f, log1pf) use fused multiply-adds inside
// libdevice whatever -fmad says, so these kernels are not bit-identical to their C# twins, which compute in double and
// round once; the two agree to a few ulp (CUDA documents ≤ 2 ulp for these functions), and the parity fixtures say so.
// The other modules stay FMA-free (a test checks their PTX).
//
//   kind 1 tanh:      y = tanh(x);                         dx = dy·(1 − tanh²(x))
//   kind 2 sigmoid:   y = σ(x) = 1/(1 + e^−x);             dx = dy·σ(x)·(1 − σ(x))
//   kind 3 gelu:      y = x·Φ(x) = x/2·(1 + erf(x/√2));    dx = dy·(Φ(x) + x·φ(x))
//   kind 4 silu:      y = x·σ(x);                          dx = dy·σ(x)·(1 + x·(1 − σ(x)))
//   kind 5 elu:       y = p1·(x > 0 ? x : p0·(e^x − 1));   dx = x > 0 ? dy·p1 : dy·p1·p0·e^x   (alpha p0, scale p1; SELU)
//   kind 6 softplus:  y = x·p0 > p1 ? x : log(1 + e^(p0·x))/p0;  dx = x·p0 > p1 ? dy : dy·σ(p0·x)  (beta p0, threshold p1)
// NaN propagates through every formula, as in PyTorch (each branch test is false for NaN and the branch taken yields NaN).
// Build: bash native/build-kernels.sh
// Variants (extern "C"): initcore_activation_forward, initcore_activation_backward.
// Memory: one read (two for backward) and one write per element, grid-stride loops, coalesced.

#define INITCORE_GRID_STRIDE(i, n) \
    for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (unsigned long long)gridDim.x * blockDim.x)

__device__ __forceinline__ float sigmoid_f(float x) { return x >= 0.0f ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x)); }

__device__ __forceinline__ float log1p_exp(float x) { return x > 20.0f ? x + expf(-x) : log1pf(expf(x)); }

__device__ __forceinline__ float activation_forward(int kind, float x, float p0, float p1)
{
    switch (kind) {
    case 1: return tanhf(x);
    case 2: return sigmoid_f(x);
    case 3: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752440f));
    case 4: return x * sigmoid_f(x);
    case 5: return p1 * (x > 0.0f ? x : p0 * expm1f(x));
    default: { const float bx = x * p0; return bx > p1 ? x : log1p_exp(bx) / p0; }
    }
}

__device__ __forceinline__ float activation_backward(int kind, float x, float dy, float p0, float p1)
{
    switch (kind) {
    case 1: { const float t = tanhf(x); return dy * (1.0f - t * t); }
    case 2: { const float g = sigmoid_f(x); return dy * g * (1.0f - g); }
    case 3: {
        const float cdf = 0.5f * (1.0f + erff(x * 0.70710678118654752440f));
        return dy * (cdf + x * 0.39894228040143267794f * expf(-0.5f * x * x));
    }
    case 4: { const float g = sigmoid_f(x); return dy * g * (1.0f + x * (1.0f - g)); }
    case 5: return x > 0.0f ? dy * p1 : dy * p1 * p0 * expf(x);
    default: { const float bx = x * p0; return bx > p1 ? dy : dy * sigmoid_f(bx); }
    }
}

extern "C" __global__ void initcore_activation_forward(const float* x, float* y, unsigned long long n, int kind, float p0, float p1)
{
    INITCORE_GRID_STRIDE(i, n) y[i] = activation_forward(kind, x[i], p0, p1);
}

extern "C" __global__ void initcore_activation_backward(const float* x, const float* dy, float* dx, unsigned long long n, int kind, float p0, float p1)
{
    INITCORE_GRID_STRIDE(i, n) dx[i] = activation_backward(kind, x[i], dy[i], p0, p1);
}
