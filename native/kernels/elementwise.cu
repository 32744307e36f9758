// elementwise.cu: activations forward and backward, and in-place scale and shift.
//
// Computes (twins in src/InitCore/Backends/Cpu/Elementwise.cs):
//   relu:          y = x <= 0 ? 0 : x;              dx = x <= 0 ? 0 : dy
//   leaky_relu:    y = x <= 0 ? x·slope : x;        dx = x > 0 ? dy : dy·slope
//                  (written with x <= 0 so that NaN takes the identity branch: ReLU(NaN) = NaN, as PyTorch)
//   general_relu (fastai's GeneralRelu: leak, sub, maxv):
//                  t = leaky_relu(x, leak) (relu when leak = 0); u = t − sub; y = has_maxv && u > maxv ? maxv : u
//                  dx = leaky_relu's (relu's when leak = 0), zeroed where has_maxv && !(u <= maxv)
//   scale_shift:   x = x·scale + shift (two roundings: compiled with -fmad=false)
//   (the smooth activations, tanh … softplus, are in activations.cu)
//   add:           c = a + b;   mul: c = a·b
//   dropout_mask:  m = m < p ? 0 : scale, in place over Philox uniforms in [0, 1)
// Build: bash native/build-kernels.sh
// Variants (extern "C"): initcore_relu_forward/backward, initcore_leaky_relu_forward/backward,
//   initcore_general_relu_forward/backward, initcore_scale_shift, initcore_add, initcore_mul, initcore_dropout_mask.
// Memory: one read and one write per element, grid-stride loops, coalesced.

#define INITCORE_GRID_STRIDE(i, n) \
    for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (unsigned long long)gridDim.x * blockDim.x)

__device__ __forceinline__ float leaky(float x, float slope) { return x <= 0.0f ? (slope != 0.0f ? x * slope : 0.0f) : x; }

// At a NaN input: relu passes dy (torch's threshold_backward), leaky_relu gives dy·slope (leaky_relu_backward).
__device__ __forceinline__ float leaky_grad(float x, float dy, float slope) { return x > 0.0f ? dy : (slope != 0.0f ? dy * slope : (x <= 0.0f ? 0.0f : dy)); }

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
