// layers.cu: the layer, loss and optimizer kernels that cuBLAS and cuDNN do not provide.
//
// Computes (twins: src/InitCore/Backends/Cpu/CpuLayers.cs):
//   add_bias            y[o, c, i] += bias[c]
//   bias_grad           db[c] (+)= Σ_{o,i} dy[o, c, i]                          one block per channel
//   maxpool_forward     y = window max, argmax = flat index in the input plane (first max wins; NaN wins)
//   maxpool_backward    dx[argmax] += dy (dx zeroed by the caller)
//   avgpool_forward     y[p] = Σ x[p, :] / size;  avgpool_backward  dx[p, i] = dy[p] / size
//   batchnorm_stats     per channel: mean, invstd = 1/√(var + eps) (training: batch stats, running stats
//                       updated with momentum and the unbiased variance; eval: from the running stats)
//   batchnorm_apply     y = (x − mean)·(invstd·gamma) + beta
//   batchnorm_backward  per channel: Σdy, Σdy·x̂ → dgamma, dbeta (accumulated); dx = invstd·gamma·(dy − Σdy/m − x̂·Σdy·x̂/m)
//   xent_forward        per row: probs = softmax(z), loss = logsumexp(z) − z[label]   (max-shifted, in double)
//   xent_backward       dz = (probs − onehot) / n;  count_correct  argmax(z) == label
//   mse_partial         per block Σ (x − t)²;  mse_backward  dx = 2(x − t)/count
//   sgd_step            PyTorch SGD: d = g + wd·p; buf = first ? d : momentum·buf + d; p −= lr·buf (or d without momentum)
// Build: bash native/build-kernels.sh
// Memory: elementwise kernels are grid-stride and coalesced; per-channel reductions read each channel
// once per pass with one block per channel (channel counts are small, planes are large).
// Variants (extern "C"): initcore_add_bias, initcore_bias_grad, initcore_maxpool_forward, initcore_maxpool_backward,
//   initcore_avgpool_forward, initcore_avgpool_backward, initcore_batchnorm_stats, initcore_batchnorm_apply,
//   initcore_batchnorm_backward_reduce, initcore_batchnorm_backward_apply, initcore_xent_forward,
//   initcore_xent_backward, initcore_count_correct, initcore_mse_partial, initcore_mse_backward, initcore_sgd_step

#define GRID_STRIDE(i, n) \
    for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned long long)(n); \
         i += (unsigned long long)gridDim.x * blockDim.x)

// Block-wide sum of a double (blockDim.x a power of two ≤ 256).
__device__ double block_sum(double v)
{
    __shared__ double s[256];
    s[threadIdx.x] = v;
    __syncthreads();
    for (unsigned int k = blockDim.x / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k];
        __syncthreads();
    }
    const double r = s[0];
    __syncthreads();
    return r;
}

extern "C" __global__ void initcore_add_bias(float* y, const float* bias, int outer, int channels, int inner)
{
    const unsigned long long total = (unsigned long long)outer * channels * inner;
    GRID_STRIDE(i, total) y[i] += bias[(i / inner) % channels];
}

extern "C" __global__ void initcore_bias_grad(const float* dy, float* db, int outer, int channels, int inner, int accumulate)
{
    const int ch = blockIdx.x;
    double sum = 0.0;
    const long long count = (long long)outer * inner;
    for (long long j = threadIdx.x; j < count; j += blockDim.x) {
        const long long o = j / inner, i = j % inner;
        sum += dy[(o * channels + ch) * inner + i];
    }
    sum = block_sum(sum);
    if (threadIdx.x == 0) db[ch] = accumulate ? db[ch] + (float)sum : (float)sum;
}

extern "C" __global__ void initcore_maxpool_forward(const float* x, float* y, float* argmax, int planes, int h, int w,
                                                    int p_out, int q_out, int kernel, int stride, int pad)
{
    const unsigned long long total = (unsigned long long)planes * p_out * q_out;
    GRID_STRIDE(o, total)
    {
        const int q = (int)(o % q_out), p = (int)((o / q_out) % p_out);
        const unsigned long long plane = o / ((unsigned long long)p_out * q_out);
        const float* xp = x + plane * h * w;
        float best = __int_as_float(0xFF800000);
        int arg = -1;
        for (int i = 0; i < kernel; ++i) {
            const int hh = p * stride - pad + i;
            if (hh < 0 || hh >= h) continue;
            for (int j = 0; j < kernel; ++j) {
                const int ww = q * stride - pad + j;
                if (ww < 0 || ww >= w) continue;
                const float v = xp[hh * w + ww];
                if (v > best || arg < 0 || v != v) { best = v; arg = hh * w + ww; }
            }
        }
        y[o] = best;
        argmax[o] = (float)arg;
    }
}

extern "C" __global__ void initcore_maxpool_backward(const float* dy, const float* argmax, float* dx, int planes, int h, int w, int p_out, int q_out)
{
    const unsigned long long total = (unsigned long long)planes * p_out * q_out;
    GRID_STRIDE(o, total)
    {
        const unsigned long long plane = o / ((unsigned long long)p_out * q_out);
        atomicAdd(&dx[plane * h * w + (int)argmax[o]], dy[o]);
    }
}

extern "C" __global__ void initcore_avgpool_forward(const float* x, float* y, int planes, int size)
{
    GRID_STRIDE(p, planes)
    {
        float sum = 0.0f;
        for (int i = 0; i < size; ++i) sum += x[p * size + i];
        y[p] = sum / (float)size;
    }
}

extern "C" __global__ void initcore_avgpool_backward(const float* dy, float* dx, int planes, int size)
{
    const unsigned long long total = (unsigned long long)planes * size;
    GRID_STRIDE(i, total) dx[i] = dy[i / size] / (float)size;
}

// One block per channel.
extern "C" __global__ void initcore_batchnorm_stats(const float* x, float* mean, float* invstd, float* running_mean, float* running_var,
                                                    int n, int c, int inner, float eps, float momentum, int training)
{
    const int ch = blockIdx.x;
    if (!training) {
        if (threadIdx.x == 0) {
            mean[ch] = running_mean[ch];
            invstd[ch] = (float)(1.0 / sqrt((double)running_var[ch] + (double)eps));
        }
        return;
    }
    const long long count = (long long)n * inner;
    double sum = 0.0;
    for (long long j = threadIdx.x; j < count; j += blockDim.x)
        sum += x[((j / inner) * c + ch) * inner + j % inner];
    const double m = block_sum(sum) / (double)count;
    double sq = 0.0;
    for (long long j = threadIdx.x; j < count; j += blockDim.x) {
        const double d = x[((j / inner) * c + ch) * inner + j % inner] - m;
        sq += d * d;
    }
    sq = block_sum(sq);
    if (threadIdx.x == 0) {
        const double var = sq / (double)count;
        mean[ch] = (float)m;
        invstd[ch] = (float)(1.0 / sqrt(var + (double)eps));
        const double unbiased = count > 1 ? sq / (double)(count - 1) : var;
        running_mean[ch] = (float)((1.0 - momentum) * running_mean[ch] + momentum * m);
        running_var[ch] = (float)((1.0 - momentum) * running_var[ch] + momentum * unbiased);
    }
}

extern "C" __global__ void initcore_batchnorm_apply(const float* x, float* y, const float* mean, const float* invstd,
                                                    const float* gamma, const float* beta, int n, int c, int inner)
{
    const unsigned long long total = (unsigned long long)n * c * inner;
    GRID_STRIDE(i, total)
    {
        const int ch = (int)((i / inner) % c);
        const float scale = invstd[ch] * gamma[ch];
        y[i] = (x[i] - mean[ch]) * scale + beta[ch];
    }
}

// One block per channel: k1 = Σdy/m, k2 = Σdy·x̂/m; dgamma += Σdy·x̂, dbeta += Σdy.
extern "C" __global__ void initcore_batchnorm_backward_reduce(const float* x, const float* dy, const float* mean, const float* invstd,
                                                              float* dgamma, float* dbeta, float* k1, float* k2, int n, int c, int inner)
{
    const int ch = blockIdx.x;
    const long long count = (long long)n * inner;
    const float mu = mean[ch], inv = invstd[ch];
    double sdy = 0.0, sdyx = 0.0;
    for (long long j = threadIdx.x; j < count; j += blockDim.x) {
        const long long idx = ((j / inner) * c + ch) * inner + j % inner;
        const float xhat = (x[idx] - mu) * inv;
        sdy += dy[idx];
        sdyx += dy[idx] * xhat;
    }
    sdy = block_sum(sdy);
    sdyx = block_sum(sdyx);
    if (threadIdx.x == 0) {
        dgamma[ch] += (float)sdyx;
        dbeta[ch] += (float)sdy;
        k1[ch] = (float)(sdy / (double)count);
        k2[ch] = (float)(sdyx / (double)count);
    }
}

extern "C" __global__ void initcore_batchnorm_backward_apply(const float* x, const float* dy, const float* mean, const float* invstd,
                                                             const float* gamma, const float* k1, const float* k2, float* dx,
                                                             int n, int c, int inner)
{
    const unsigned long long total = (unsigned long long)n * c * inner;
    GRID_STRIDE(i, total)
    {
        const int ch = (int)((i / inner) % c);
        const float inv = invstd[ch];
        const float xhat = (x[i] - mean[ch]) * inv;
        dx[i] = gamma[ch] * inv * (dy[i] - k1[ch] - xhat * k2[ch]);
    }
}

// One thread per row; losses[row] receives logsumexp − z[label].
extern "C" __global__ void initcore_xent_forward(const float* z, const float* labels, float* probs, double* losses, int n, int classes)
{
    GRID_STRIDE(row, n)
    {
        const float* zr = z + row * classes;
        float mx = __int_as_float(0xFF800000);
        for (int j = 0; j < classes; ++j) mx = fmaxf(mx, zr[j]);
        double sum = 0.0;
        for (int j = 0; j < classes; ++j) sum += exp((double)(zr[j] - mx));
        const double lse = log(sum) + mx;
        for (int j = 0; j < classes; ++j) probs[row * classes + j] = (float)exp((double)zr[j] - lse);
        losses[row] = lse - zr[(int)labels[row]];
    }
}

extern "C" __global__ void initcore_xent_backward(const float* probs, const float* labels, float* dz, int n, int classes)
{
    const unsigned long long total = (unsigned long long)n * classes;
    const float inv = 1.0f / (float)n;
    GRID_STRIDE(i, total)
    {
        const int row = (int)(i / classes), j = (int)(i % classes);
        dz[i] = (probs[i] - (j == (int)labels[row] ? 1.0f : 0.0f)) * inv;
    }
}

extern "C" __global__ void initcore_count_correct(const float* z, const float* labels, int n, int classes, unsigned int* correct)
{
    GRID_STRIDE(row, n)
    {
        const float* zr = z + row * classes;
        int arg = 0;
        for (int j = 1; j < classes; ++j) if (zr[j] > zr[arg]) arg = j;
        if (arg == (int)labels[row]) atomicAdd(correct, 1u);
    }
}

extern "C" __global__ void initcore_mse_partial(const float* x, const float* t, unsigned long long n, double* partial)
{
    double sum = 0.0;
    GRID_STRIDE(i, n) { const double d = (double)x[i] - (double)t[i]; sum += d * d; }
    sum = block_sum(sum);
    if (threadIdx.x == 0) partial[blockIdx.x] = sum;
}

extern "C" __global__ void initcore_mse_backward(const float* x, const float* t, float* dx, unsigned long long n)
{
    const float scale = 2.0f / (float)n;
    GRID_STRIDE(i, n) dx[i] = (x[i] - t[i]) * scale;
}

extern "C" __global__ void initcore_sgd_step(float* p, const float* g, float* buf, unsigned long long n,
                                             float lr, float momentum, float weight_decay, int first)
{
    GRID_STRIDE(i, n)
    {
        float d = weight_decay != 0.0f ? g[i] + weight_decay * p[i] : g[i];
        if (momentum != 0.0f) {
            buf[i] = first ? d : momentum * buf[i] + d;
            d = buf[i];
        }
        p[i] = p[i] - lr * d;
    }
}
