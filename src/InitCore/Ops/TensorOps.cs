using InitCore.Backends;

namespace InitCore.Ops
{
    /// <summary>
    /// Elementwise operations and statistics on tensors, run on the tensors' backend (CUDA kernels or
    /// their CPU twins, which give the same bits). Input and output may be the same tensor.
    /// </summary>
    public static class TensorOps
    {
        /// <summary>In place: x = x·scale + shift (two roundings, no fused multiply-add). Equivalent to <c>x.mul_(scale).add_(shift)</c>.</summary>
        public static void ScaleShift(Tensor x, double scale, double shift)
        {
            if (x is null) throw new ArgumentNullException(nameof(x));
            x.Engine.Main.ScaleShift(x.Storage, (float)scale, (float)shift);
        }

        /// <summary>y = max(x, 0), NaN for NaN. Equivalent to <c>torch.nn.functional.relu</c>.</summary>
        public static void Relu(Tensor x, Tensor y) => Forward(new ActivationSpec(0f, 0f, null), x, y);

        /// <summary>dx = 0 where x ≤ 0, else dy (also where x is NaN, as torch's threshold_backward; the gradient of <see cref="Relu"/>).</summary>
        public static void ReluBackward(Tensor x, Tensor dy, Tensor dx) => Backward(new ActivationSpec(0f, 0f, null), x, dy, dx);

        /// <summary>y = slope·x where x ≤ 0, else x (NaN for NaN). Equivalent to <c>torch.nn.functional.leaky_relu(x, slope)</c>.</summary>
        public static void LeakyRelu(Tensor x, Tensor y, double slope = 0.01) => Forward(Leaky(slope), x, y);

        /// <summary>dx = dy where x &gt; 0, else slope·dy (also where x is NaN, as torch's leaky_relu_backward).</summary>
        public static void LeakyReluBackward(Tensor x, Tensor dy, Tensor dx, double slope = 0.01) => Backward(Leaky(slope), x, dy, dx);

        /// <summary>
        /// fastai's GeneralRelu: y = min(leaky_relu(x, leak) − sub, maxv), with ReLU when leak = 0 and
        /// no clamp when maxv is null (the lessons' activation that re-centres ReLU's output).
        /// </summary>
        public static void GeneralRelu(Tensor x, Tensor y, double leak = 0, double sub = 0, double? maxv = null) => Forward(General(leak, sub, maxv), x, y);

        /// <summary>The gradient of <see cref="GeneralRelu"/>: the leaky-ReLU gradient, zero where the clamp was active.</summary>
        public static void GeneralReluBackward(Tensor x, Tensor dy, Tensor dx, double leak = 0, double sub = 0, double? maxv = null) => Backward(General(leak, sub, maxv), x, dy, dx);

        /// <summary>
        /// Mean, standard deviation, min, max, near-zero fraction and a histogram from one read of the data:
        /// partial moments of the deviations from a pivot per thread (CUDA: Welford in double) or per chunk (CPU: SIMD
        /// two-pass over an L1-sized chunk, scaled by a power of two), merged by Chan's formula, on the tensor's backend.
        /// Constant data has std exactly 0; the variance neither overflows nor underflows for any float32 data; NaN in
        /// the data makes the mean and std NaN.
        /// </summary>
        public static TensorStatistics Statistics(Tensor x, StatisticsOptions? options = null)
        {
            if (x is null) throw new ArgumentNullException(nameof(x));
            StatisticsOptions o = options ?? new StatisticsOptions();
            StatsConfig cfg = o.ToConfig();
            return new TensorStatistics(x.Engine.Main.Statistics(x.Storage, cfg), o);
        }

        private static ActivationSpec Leaky(double slope)
        {
            if (double.IsNaN(slope) || double.IsInfinity(slope)) throw new ArgumentException($"slope must be finite, got {slope}.", nameof(slope));
            return new ActivationSpec((float)slope, 0f, null);
        }

        private static ActivationSpec General(double leak, double sub, double? maxv)
        {
            if (double.IsNaN(leak) || double.IsInfinity(leak)) throw new ArgumentException($"leak must be finite, got {leak}.", nameof(leak));
            if (double.IsNaN(sub) || double.IsInfinity(sub)) throw new ArgumentException($"sub must be finite, got {sub}.", nameof(sub));
            if (maxv is double m && double.IsNaN(m)) throw new ArgumentException("maxv is NaN; pass a number or null for no clamp.", nameof(maxv));
            return new ActivationSpec((float)leak, (float)sub, maxv is double v ? (float)v : null);
        }

        private static void Forward(in ActivationSpec spec, Tensor x, Tensor y)
        {
            SameShape(x, y, nameof(y));
            x.Engine.Main.ActivationForward(spec, x.Storage, y.Storage);
        }

        private static void Backward(in ActivationSpec spec, Tensor x, Tensor dy, Tensor dx)
        {
            SameShape(x, dy, nameof(dy));
            SameShape(x, dx, nameof(dx));
            x.Engine.Main.ActivationBackward(spec, x.Storage, dy.Storage, dx.Storage);
        }

        private static void SameShape(Tensor x, Tensor other, string name)
        {
            if (x is null) throw new ArgumentNullException(nameof(x));
            if (other is null) throw new ArgumentNullException(name);
            if (!ReferenceEquals(x.Engine, other.Engine))
                throw new ArgumentException($"{name} belongs to another engine than x; tensors of one operation must share an engine.", name);
            if (x.Length != other.Length || x.Rank != other.Rank)
                throw new ArgumentException($"{name} has shape {TensorShape.Format(other.ShapeArray)} but x has {TensorShape.Format(x.ShapeArray)}; they must match.", name);
            for (int i = 0; i < x.Rank; i++)
                if (x.ShapeArray[i] != other.ShapeArray[i])
                    throw new ArgumentException($"{name} has shape {TensorShape.Format(other.ShapeArray)} but x has {TensorShape.Format(x.ShapeArray)}; they must match.", name);
        }
    }
}
