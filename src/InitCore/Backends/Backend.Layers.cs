namespace InitCore.Backends
{
    /// <summary>Geometry of a 2-D convolution, NCHW input [N, C, H, W], weight [K, C/groups, R, S], output [N, K, P, Q].</summary>
    internal readonly struct ConvGeometry : System.IEquatable<ConvGeometry>
    {
        internal ConvGeometry(int n, int c, int h, int w, int k, int r, int s, int strideH, int strideW, int padH, int padW, int dilH, int dilW, int groups)
        {
            N = n; C = c; H = h; W = w; K = k; R = r; S = s;
            StrideH = strideH; StrideW = strideW; PadH = padH; PadW = padW; DilH = dilH; DilW = dilW; Groups = groups;
            P = OutputSize(h + 2L * padH - (long)dilH * (r - 1) - 1, strideH);
            Q = OutputSize(w + 2L * padW - (long)dilW * (s - 1) - 1, strideW);
        }

        internal int N { get; }
        internal int C { get; }
        internal int H { get; }
        internal int W { get; }
        internal int K { get; }
        internal int R { get; }
        internal int S { get; }
        internal int StrideH { get; }
        internal int StrideW { get; }
        internal int PadH { get; }
        internal int PadW { get; }
        internal int DilH { get; }
        internal int DilW { get; }
        internal int Groups { get; }
        internal int P { get; }
        internal int Q { get; }
        internal int CPerGroup => C / Groups;

        /// <summary>
        /// ⌊span / stride⌋ + 1 output positions, or 0 when the (dilated) window does not fit (span &lt; 0). C#'s division
        /// truncates toward zero, so (−1) / 2 + 1 would claim one output for a window that reads past the input.
        /// In long, so huge paddings or dilations cannot overflow.
        /// </summary>
        internal static int OutputSize(long span, int stride) => span < 0 ? 0 : (int)Math.Min(int.MaxValue, span / stride + 1);
        internal int KPerGroup => K / Groups;

        /// <summary>Field-wise equality (the CPU backend's offset tables are keyed by geometry; no boxing per lookup).</summary>
        public bool Equals(ConvGeometry o) =>
            N == o.N && C == o.C && H == o.H && W == o.W && K == o.K && R == o.R && S == o.S && StrideH == o.StrideH && StrideW == o.StrideW
            && PadH == o.PadH && PadW == o.PadW && DilH == o.DilH && DilW == o.DilW && Groups == o.Groups;

        public override bool Equals(object? obj) => obj is ConvGeometry o && Equals(o);

        public override int GetHashCode()
        {
            unchecked
            {
                int h = N;
                h = h * 31 + C; h = h * 31 + H; h = h * 31 + W; h = h * 31 + K; h = h * 31 + R; h = h * 31 + S;
                h = h * 31 + StrideH; h = h * 31 + StrideW; h = h * 31 + PadH; h = h * 31 + PadW; h = h * 31 + DilH; h = h * 31 + DilW;
                return h * 31 + Groups;
            }
        }
    }

    /// <summary>Geometry of a 2-D max pooling over planes of [N·C, H, W].</summary>
    internal readonly struct PoolGeometry
    {
        internal PoolGeometry(int planes, int h, int w, int kernel, int stride, int padding)
        {
            Planes = planes; H = h; W = w; Kernel = kernel; Stride = stride; Padding = padding;
            P = ConvGeometry.OutputSize(h + 2L * padding - kernel, stride);
            Q = ConvGeometry.OutputSize(w + 2L * padding - kernel, stride);
        }

        internal int Planes { get; }
        internal int H { get; }
        internal int W { get; }
        internal int Kernel { get; }
        internal int Stride { get; }
        internal int Padding { get; }
        internal int P { get; }
        internal int Q { get; }
    }

    internal abstract partial class Backend
    {
        /// <summary>Row-major C[m×n] = alpha·op(A)·op(B) + beta·C on dense storages (beta = 0 ignores C's contents).</summary>
        internal abstract void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, TensorStorage a, TensorStorage b, float beta, TensorStorage c);

        /// <summary>y[o, c, i] += bias[c] for y viewed as [outer, channels, inner].</summary>
        internal abstract void AddBias(TensorStorage y, TensorStorage bias, int outer, int channels, int inner);

        /// <summary>db[c] (+)= Σ over o and i of dy[o, c, i].</summary>
        internal abstract void BiasGrad(TensorStorage dy, TensorStorage db, int outer, int channels, int inner, bool accumulate);

        /// <summary>y = conv(x, w) + bias per output channel (no bias when null), overwriting y.</summary>
        internal abstract void Conv2dForward(in ConvGeometry g, TensorStorage x, TensorStorage w, TensorStorage? bias, TensorStorage y);

        internal abstract void Conv2dBackwardData(in ConvGeometry g, TensorStorage dy, TensorStorage w, TensorStorage dx);

        /// <summary>dw (+)= the filter gradient.</summary>
        internal abstract void Conv2dBackwardFilter(in ConvGeometry g, TensorStorage x, TensorStorage dy, TensorStorage dw, bool accumulate);

        /// <summary>y = max over each window; argmax receives the flat index of the max within its input plane (as float).</summary>
        internal abstract void MaxPool2dForward(in PoolGeometry g, TensorStorage x, TensorStorage y, TensorStorage argmax);

        /// <summary>dx = 0, then dx[argmax] += dy.</summary>
        internal abstract void MaxPool2dBackward(in PoolGeometry g, TensorStorage dy, TensorStorage argmax, TensorStorage dx);

        /// <summary>y[p] = mean of x over plane p (planes of <paramref name="size"/> elements).</summary>
        internal abstract void GlobalAvgPoolForward(TensorStorage x, TensorStorage y, int planes, int size);

        internal abstract void GlobalAvgPoolBackward(TensorStorage dy, TensorStorage dx, int planes, int size);

        /// <summary>
        /// Batch norm over x [n, c, inner]. Training: per-channel batch mean and biased variance into
        /// mean/invstd (1/√(var + eps)), running stats updated with momentum (unbiased variance, as PyTorch).
        /// Evaluation: mean/invstd from the running stats. Then y = (x − mean)·invstd·gamma + beta.
        /// </summary>
        internal abstract void BatchNormForward(TensorStorage x, TensorStorage y, TensorStorage gamma, TensorStorage beta,
            TensorStorage runningMean, TensorStorage runningVar, TensorStorage mean, TensorStorage invstd,
            int n, int c, int inner, float eps, float momentum, bool training);

        /// <summary>Training-mode batch norm backward: dx, and dgamma/dbeta accumulated.</summary>
        internal abstract void BatchNormBackward(TensorStorage x, TensorStorage dy, TensorStorage gamma, TensorStorage mean, TensorStorage invstd,
            TensorStorage dx, TensorStorage dgamma, TensorStorage dbeta, int n, int c, int inner);

        /// <summary>Mean cross-entropy of logits [n, classes] against integer labels (stored as floats); probs receives softmax.</summary>
        internal abstract double CrossEntropyForward(TensorStorage logits, TensorStorage labels, TensorStorage probs, int n, int classes);

        /// <summary>dlogits = (probs − onehot(labels)) / n.</summary>
        internal abstract void CrossEntropyBackward(TensorStorage probs, TensorStorage labels, TensorStorage dlogits, int n, int classes);

        /// <summary>Number of rows whose argmax equals the label.</summary>
        internal abstract int CountCorrect(TensorStorage logits, TensorStorage labels, int n, int classes);

        /// <summary>Mean of (x − t)².</summary>
        internal abstract double MseForward(TensorStorage x, TensorStorage target);

        /// <summary>dx = 2(x − t)/count.</summary>
        internal abstract void MseBackward(TensorStorage x, TensorStorage target, TensorStorage dx);

        /// <summary>
        /// PyTorch's SGD step: d = g + wd·p; buf = first ? d : momentum·buf + d (when momentum ≠ 0); p −= lr·(momentum ≠ 0 ? buf : d).
        /// </summary>
        internal abstract void SgdStep(TensorStorage p, TensorStorage g, TensorStorage buf, float lr, float momentum, float weightDecay, bool first);

        /// <summary>dst = src (same length).</summary>
        internal abstract void Copy(TensorStorage source, TensorStorage destination);
    }
}
