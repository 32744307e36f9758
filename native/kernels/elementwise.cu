// elementwise.cu: activations forward and backward, and in-place scale and shift.
//
// Computes (twins in src/InitCore/Backends/Cpu/Elementwise.cs):
//   relu:          y = x > 0 ? x : 0;               dx = x > 0 ? dy : 0
//   leaky_relu:    y = x > 0 ? x : x·slope;         dx = x > 0 ? dy : dy·slope
//   general_relu (fastai's GeneralRelu: leak, sub, maxv):
//                  t = leaky_relu(x, leak) (relu when leak = 0); u = t − sub; y = has_maxv && u > maxv ? maxv : u
//                  dx = (x > 0 ? dy : dy·leak), zeroed where has_maxv && !(u <= maxv)
//   scale_shift:   x = x·scale + shift (two roundings: compiled with -fmad=false)
//   activation (kind, p0, p1; twins in src/InitCore/Backends/Cpu/SmoothActivations.cs, which compute in double
//   and round once; CUDA's float functions are within 2 ulp, so the backends agree to a few ulp):
//     1 tanh:      y = tanh(x);                         dx = dy·(1 − tanh²(x))
//     2 sigmoid:   y = σ(x) = 1/(1 + e^−x);             dx = dy·σ(x)·(1 − σ(x))
//     3 gelu:      y = x·Φ(x) = x/2·(1 + erf(x/√2));    dx = dy·(Φ(x) + x·φ(x))
//     4 silu:      y = x·σ(x);                          dx = dy·σ(x)·(1 + x·(1 − σ(x)))
//     5 elu:       y = p1·(x > 0 ? x : p0·(e^x − 1));   dx = x > 0 ? dy·p1 : dy·p1·p0·e^x   (alpha p0, scale p1; SELU)
//     6 softplus:  y = x·p0 > p1 ? x : log(1 + e^(p0·x))/p0;  dx = x·p0 > p1 ? dy : dy·σ(p0·x)  (beta p0, threshold p1)
//     NaN propagates through every formula (as in PyTorch).
//   add:           c = a + b;   mul: c = a·b
//   dropout_mask:  m = m < p ? 0 : scale, in place over Philox uniforms in [0, 1)
// Build: bash native/build-kernels.sh
// Variants (extern "C"): initcore_relu_forward/backward, initcore_leaky_relu_forward/backward,
//   initcore_general_relu_forward/backward, initcore_scale_shift, initcore_activation_forward/backward,
//   initcore_add, initcore_mul, initcore_dropout_mask.
// Memory: one read and one write per element, grid-stride loops, coalesced.

#define INITCORE_GRID_STRIDE(i, n) \
    for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (unsigned long long)gridDim.x * blockDim.x)

__device__ __forceinline__ float leaky(float x, float slope) { return x > 0.0f ? x : (slope != 0.0f ? x * slope : 0.0f); }

__device__ __forceinline__ float leaky_grad(float x, float dy, float slope) { return x > 0.0f ? dy : (slope != 0.0f ? dy * slope : 0.0f); }

extern "C" __global__ void initcore_relu_forward(const float* x, float* y, unsigned long long n)
{
    INITCORE_GRID_STRIDE(i, n) y[i] = leaky(x[i], 0.0f);
}

extern "C" __global__ void initcore_relu_backward(const float* x, const float* dy, float* dx, unsigned long long n)
{
    INITCORE_GRID_STRIDE(i, n) dx[i] = leaky_grad(x[i], dy[i], 0.0f);
}

extern "C" __global__ void initcore_leaky_relu_forward(const float* x, float* y, unsigned long long n, float slope)
{
    INITCORE_GRID_STRIDE(i, n) y[i] = leaky(x[i], slope);
}

extern "C" __global__ void initcore_leaky_relu_backward(const float* x, const float* dy, float* dx, unsigned long long n, float slope)
{
    INITCORE_GRID_STRIDE(i, n) dx[i] = leaky_grad(x[i], dy[i], slope);
}

extern "C" __global__ void initcore_general_relu_forward(const float* x, float* y, unsigned long long n,
                                                         float leak, float sub, float maxv, int has_maxv)
{
    INITCORE_GRID_STRIDE(i, n)
    {
        const float u = leaky(x[i], leak) - sub;
        y[i] = (has_maxv && u > maxv) ? maxv : u;
    }
}

extern "C" __global__ void initcore_general_relu_backward(const float* x, const float* dy, float* dx, unsigned long long n,
                                                          float leak, float sub, float maxv, int has_maxv)
{
    INITCORE_GRID_STRIDE(i, n)
    {
        const float xi = x[i];
        const float u = leaky(xi, leak) - sub;
        const float g = leaky_grad(xi, dy[i], leak);
        dx[i] = (has_maxv && !(u <= maxv)) ? 0.0f : g;
    }
}

extern "C" __global__ void initcore_scale_shift(float* x, unsigned long long n, float scale, float shift)
{
    INITCORE_GRID_STRIDE(i, n) x[i] = x[i] * scale + shift;
}

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

extern "C" __global__ void initcore_add(const float* a, const float* b, float* c, unsigned long long n)
{
    INITCORE_GRID_STRIDE(i, n) c[i] = a[i] + b[i];
}

extern "C" __global__ void initcore_mul(const float* a, const float* b, float* c, unsigned long long n)
{
    INITCORE_GRID_STRIDE(i, n) c[i] = a[i] * b[i];
}

extern "C" __global__ void initcore_dropout_mask(float* m, unsigned long long n, float p, float scale)
{
    INITCORE_GRID_STRIDE(i, n) m[i] = m[i] < p ? 0.0f : scale;
}
