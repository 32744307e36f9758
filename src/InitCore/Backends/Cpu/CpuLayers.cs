using InitCore.Threading;

namespace InitCore.Backends.Cpu
{
    /// <summary>Layer operations of the CPU backend: the specification the CUDA backend is checked against.</summary>
    internal sealed partial class CpuBackend
    {
        /// <summary>
        /// Runs body(start, end) over the items [0, count) in at most ThreadCount contiguous chunks on <see cref="Workers"/>
        /// (on the calling thread when count × workPerItem elements are few). Every layer kernel computes each item
        /// (a channel, a plane, a sample) on its own, so the split never changes the bits.
        /// </summary>
        private void Chunks(int count, long workPerItem, Action<int, int> body)
            => CpuPartitioner.For(Workers, ThreadCount, count, CpuPartitioner.EvenGrain(count, ThreadCount), body, workPerItem);

        /// <summary><see cref="Chunks(int, long, Action{int, int})"/> with a struct body: no allocation per call (the kernels inference uses).</summary>
        private void Chunks<T>(int count, long workPerItem, ref T body) where T : struct, IRangeBody
            => CpuPartitioner.For(Workers, ThreadCount, count, CpuPartitioner.EvenGrain(count, ThreadCount), ref body, workPerItem);

        internal override void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, TensorStorage a, TensorStorage b, float beta, TensorStorage c)
            => CpuGemm.Sgemm(transA, transB, m, n, k, alpha, Array(a), transA ? m : k, Array(b), transB ? k : n, beta, Array(c), n, Workers);

        internal override void AddBias(TensorStorage y, TensorStorage bias, int outer, int channels, int inner)
        {
            var body = new AddBiasBody(Array(y), Array(bias), channels, inner);
            // Small outputs (a Linear at batch 1) stay on the calling thread (the partitioner's work threshold).
            Chunks(outer * channels, inner, ref body);
        }

        private readonly struct AddBiasBody : IRangeBody
        {
            private readonly float[] _y, _bias;
            private readonly int _channels, _inner;

            internal AddBiasBody(float[] y, float[] bias, int channels, int inner)
            {
                _y = y; _bias = bias; _channels = channels; _inner = inner;
            }

            [MethodImpl(Jit.Hot)]
            public void Run(int s, int e)
            {
                float[] yd = _y;
                int inner = _inner;
                for (int oc = s; oc < e; oc++)
                {
                    float v = _bias[oc % _channels];
                    int off = oc * inner;
                    for (int i = 0; i < inner; i++) yd[off + i] += v;
                }
            }
        }

        internal override void BiasGrad(TensorStorage dy, TensorStorage db, int outer, int channels, int inner, bool accumulate)
        {
            float[] d = Array(dy), g = Array(db);
            // Per channel: each plane summed in float with SIMD, the planes in double, in a fixed order (any thread count).
            Chunks(channels, (long)outer * inner, [MethodImpl(Jit.Hot)] (s, e) =>
            {
                for (int ch = s; ch < e; ch++)
                {
                    double sum = 0;
                    for (int o = 0; o < outer; o++) sum += Elementwise.Sum(d, (o * channels + ch) * inner, inner);
                    g[ch] = accumulate ? g[ch] + (float)sum : (float)sum;
                }
            });
        }

        // ------------------------------------------------------------------ convolution (implicit GEMM over image tiles, CpuConv.cs)

        private readonly CpuConv.TableCache _convTables = new CpuConv.TableCache();

        internal override void Conv2dForward(in ConvGeometry g, TensorStorage x, TensorStorage w, TensorStorage? bias, TensorStorage y)
            => CpuConv.Forward(g, Array(x), Array(w), bias is null ? null : Array(bias), Array(y), ThreadCount, _convTables, Workers);

        internal override void Conv2dBackwardData(in ConvGeometry g, TensorStorage dy, TensorStorage w, TensorStorage dx)
            => CpuConv.BackwardData(g, Array(dy), Array(w), Array(dx), ThreadCount, _convTables);

        internal override void Conv2dBackwardFilter(in ConvGeometry g, TensorStorage x, TensorStorage dy, TensorStorage dw, bool accumulate)
            => CpuConv.BackwardFilter(g, Array(x), Array(dy), Array(dw), accumulate, ThreadCount, _convTables);

        // ------------------------------------------------------------------ pooling

        internal override void MaxPool2dForward(in PoolGeometry geometry, TensorStorage x, TensorStorage y, TensorStorage argmax)
        {
            var body = new MaxPoolBody(geometry, Array(x), Array(y), Array(argmax));
            Chunks(geometry.Planes, (long)geometry.P * geometry.Q * geometry.Kernel * geometry.Kernel, ref body);
        }

        private readonly struct MaxPoolBody : IRangeBody
        {
            private readonly PoolGeometry _g;
            private readonly float[] _x, _y, _argmax;

            internal MaxPoolBody(in PoolGeometry g, float[] x, float[] y, float[] argmax)
            {
                _g = g; _x = x; _y = y; _argmax = argmax;
            }

            [MethodImpl(Jit.Hot)]
            public void Run(int s, int e)
            {
                PoolGeometry g = _g;
                float[] xd = _x, yd = _y, ad = _argmax;
                for (int pl = s; pl < e; pl++)
                {
                    int inOff = pl * g.H * g.W, outOff = pl * g.P * g.Q;
                    for (int p = 0; p < g.P; p++)
                        for (int q = 0; q < g.Q; q++)
                        {
                            float best = float.NegativeInfinity;
                            int arg = -1;
                            for (int i = 0; i < g.Kernel; i++)
                            {
                                int h = p * g.Stride - g.Padding + i;
                                if (h < 0 || h >= g.H) continue;
                                for (int j = 0; j < g.Kernel; j++)
                                {
                                    int w = q * g.Stride - g.Padding + j;
                                    if (w < 0 || w >= g.W) continue;
                                    float v = xd[inOff + h * g.W + w];
                                    if (v > best || arg < 0 || float.IsNaN(v)) { best = v; arg = h * g.W + w; }
                                }
                            }
                            yd[outOff + p * g.Q + q] = best;
                            ad[outOff + p * g.Q + q] = arg;
                        }
                }
            }
        }

        internal override void MaxPool2dBackward(in PoolGeometry geometry, TensorStorage dy, TensorStorage argmax, TensorStorage dx)
        {
            PoolGeometry g = geometry;
            float[] dyd = Array(dy), ad = Array(argmax), dxd = Array(dx);
            Chunks(g.Planes, (long)g.H * g.W, [MethodImpl(Jit.Hot)] (s, e) =>
            {
                System.Array.Clear(dxd, s * g.H * g.W, (e - s) * g.H * g.W);
                for (int pl = s; pl < e; pl++)
                {
                    int inOff = pl * g.H * g.W, outOff = pl * g.P * g.Q;
                    for (int o = 0; o < g.P * g.Q; o++) dxd[inOff + (int)ad[outOff + o]] += dyd[outOff + o];
                }
            });
        }

        internal override void GlobalAvgPoolForward(TensorStorage x, TensorStorage y, int planes, int size)
        {
            var body = new GlobalAvgPoolBody(Array(x), Array(y), size);
            Chunks(planes, size, ref body);
        }

        private readonly struct GlobalAvgPoolBody : IRangeBody
        {
            private readonly float[] _x, _y;
            private readonly int _size;

            internal GlobalAvgPoolBody(float[] x, float[] y, int size)
            {
                _x = x; _y = y; _size = size;
            }

            [MethodImpl(Jit.Hot)]
            public void Run(int s, int e)
            {
                float[] xd = _x, yd = _y;
                int size = _size;
                for (int p = s; p < e; p++)
                {
                    float sum = 0f;
                    for (int i = 0; i < size; i++) sum += xd[p * size + i];
                    yd[p] = sum / size;
                }
            }
        }

        internal override void GlobalAvgPoolBackward(TensorStorage dy, TensorStorage dx, int planes, int size)
        {
            float[] dyd = Array(dy), dxd = Array(dx);
            Chunks(planes, size, [MethodImpl(Jit.Hot)] (s, e) =>
            {
                for (int p = s; p < e; p++)
                {
                    float v = dyd[p] / size;
                    for (int i = 0; i < size; i++) dxd[p * size + i] = v;
                }
            });
        }

        // ------------------------------------------------------------------ batch norm

        internal override void BatchNormForward(TensorStorage x, TensorStorage y, TensorStorage gamma, TensorStorage beta,
            TensorStorage runningMean, TensorStorage runningVar, TensorStorage mean, TensorStorage invstd,
            int n, int c, int inner, float eps, float momentum, bool training)
        {
            var body = new BatchNormBody(Array(x), Array(y), Array(gamma), Array(beta), Array(runningMean), Array(runningVar), Array(mean), Array(invstd),
                n, c, inner, eps, momentum, training);
            Chunks(c, (long)n * inner, ref body);
        }

        private readonly struct BatchNormBody : IRangeBody
        {
            private readonly float[] _x, _y, _gamma, _beta, _runningMean, _runningVar, _mean, _invstd;
            private readonly int _n, _c, _inner;
            private readonly float _eps, _momentum;
            private readonly bool _training;

            internal BatchNormBody(float[] x, float[] y, float[] gamma, float[] beta, float[] runningMean, float[] runningVar, float[] mean, float[] invstd,
                int n, int c, int inner, float eps, float momentum, bool training)
            {
                _x = x; _y = y; _gamma = gamma; _beta = beta; _runningMean = runningMean; _runningVar = runningVar; _mean = mean; _invstd = invstd;
                _n = n; _c = c; _inner = inner; _eps = eps; _momentum = momentum; _training = training;
            }

            [MethodImpl(Jit.Hot)]
            public void Run(int s, int e)
            {
                float[] xd = _x, yd = _y, gd = _gamma, bd = _beta, rm = _runningMean, rv = _runningVar, md = _mean, isd = _invstd;
                int n = _n, c = _c, inner = _inner;
                float eps = _eps, momentum = _momentum;
                bool training = _training;
                for (int ch = s; ch < e; ch++)
                {
                    float mu, inv;
                    if (training)
                    {
                        double sum = 0, sq = 0;
                        long count = (long)n * inner;
                        for (int b = 0; b < n; b++)
                        {
                            int off = (b * c + ch) * inner;
                            for (int i = 0; i < inner; i++) sum += xd[off + i];
                        }
                        double m = sum / count;
                        for (int b = 0; b < n; b++)
                        {
                            int off = (b * c + ch) * inner;
                            for (int i = 0; i < inner; i++) { double d = xd[off + i] - m; sq += d * d; }
                        }
                        double var = sq / count;
                        mu = (float)m;
                        inv = (float)(1.0 / Math.Sqrt(var + eps));
                        double unbiased = count > 1 ? sq / (count - 1) : var;
                        rm[ch] = (float)((1 - momentum) * rm[ch] + momentum * m);
                        rv[ch] = (float)((1 - momentum) * rv[ch] + momentum * unbiased);
                    }
                    else
                    {
                        mu = rm[ch];
                        inv = (float)(1.0 / Math.Sqrt(rv[ch] + (double)eps));
                    }
                    md[ch] = mu;
                    isd[ch] = inv;
                    float scale = inv * gd[ch], shift = bd[ch];
                    for (int b = 0; b < n; b++)
                    {
                        int off = (b * c + ch) * inner;
                        for (int i = 0; i < inner; i++) yd[off + i] = (xd[off + i] - mu) * scale + shift;
                    }
                }
            }
        }

        internal override void BatchNormBackward(TensorStorage x, TensorStorage dy, TensorStorage gamma, TensorStorage mean, TensorStorage invstd,
            TensorStorage dx, TensorStorage dgamma, TensorStorage dbeta, int n, int c, int inner)
        {
            float[] xd = Array(x), dyd = Array(dy), gd = Array(gamma), md = Array(mean), isd = Array(invstd), dxd = Array(dx), dgd = Array(dgamma), dbd = Array(dbeta);
            Chunks(c, (long)n * inner, [MethodImpl(Jit.Hot)] (s, e) =>
            {
                for (int ch = s; ch < e; ch++)
                {
                    double sumDy = 0, sumDyXhat = 0;
                    float mu = md[ch], inv = isd[ch];
                    for (int b = 0; b < n; b++)
                    {
                        int off = (b * c + ch) * inner;
                        for (int i = 0; i < inner; i++)
                        {
                            float xhat = (xd[off + i] - mu) * inv;
                            sumDy += dyd[off + i];
                            sumDyXhat += dyd[off + i] * xhat;
                        }
                    }
                    dgd[ch] += (float)sumDyXhat;
                    dbd[ch] += (float)sumDy;
                    double count = (double)n * inner;
                    float k1 = (float)(sumDy / count), k2 = (float)(sumDyXhat / count), scale = gd[ch] * inv;
                    for (int b = 0; b < n; b++)
                    {
                        int off = (b * c + ch) * inner;
                        for (int i = 0; i < inner; i++)
                        {
                            float xhat = (xd[off + i] - mu) * inv;
                            dxd[off + i] = scale * (dyd[off + i] - k1 - xhat * k2);
                        }
                    }
                }
            });
        }
    }
}
