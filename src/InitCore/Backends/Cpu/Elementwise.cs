using InitCore.Threading;

namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// CPU twins of native/kernels/elementwise.cu: GeneralReLU (leak, sub, maxv) forward and backward,
    /// with ReLU and LeakyReLU as its special cases, in-place scale and shift, add, multiply and dropout's mask.
    /// Same formulas, same float32 operations, so results are bit-identical to the kernels. The smooth
    /// activations (tanh, sigmoid, GELU, SiLU, ELU/SELU, Softplus) are in <see cref="SmoothActivations"/>.
    /// </summary>
    /// <remarks>
    /// NaN propagates as in PyTorch: the forward test is written "x ≤ 0 selects the negative branch", so a
    /// NaN input takes the identity branch (ReLU(NaN) = NaN, LeakyReLU(NaN) = NaN). The gradients at a NaN
    /// input are torch's: ReLU passes dy (threshold_backward zeroes only where x ≤ 0), LeakyReLU gives
    /// slope·dy (leaky_relu_backward passes dy only where x &gt; 0). The clamp at maxv keeps NaN (NaN &gt; maxv
    /// is false), and its gradient is 0 there (clamp_max's backward passes only where u ≤ maxv).
    /// </remarks>
    internal static class Elementwise
    {
        // Each operation below is a struct with its scalar and vector forms side by side (ElementwiseLoop drives them):
        // the vector form performs the scalar formula's IEEE operations lane by lane (a multiply, a subtract, compares
        // and selects), so the vector body and the scalar tail give the same bits.

        /// <summary>
        /// GeneralReLU, forward as an <see cref="IUnaryOp"/> (x → y, the scalar <see cref="ActivationFormulas.Forward(in ActivationSpec, float)"/>)
        /// and backward as an <see cref="IBinaryOp"/> ((x, dy) → dx, the scalar <see cref="ActivationFormulas.Backward(in ActivationSpec, float, float)"/>),
        /// each beside its lanes.
        /// </summary>
        private readonly struct RectifierOp : IUnaryOp, IBinaryOp
        {
            private readonly ActivationSpec _spec;
            private readonly Lanes _lanes;

            internal RectifierOp(in ActivationSpec spec)
            {
                _spec = spec;
                _lanes = new Lanes(spec);
            }

            public bool Vectorized => true;

            public float Invoke(float x) => ActivationFormulas.Forward(_spec, x);

            public Vector<float> Invoke(Vector<float> v)
            {
                ref readonly Lanes l = ref _lanes;
                var u = l.Unclamped(v, Vector.LessThanOrEqual(v, l.Zero));
                return l.Clamp ? Vector.ConditionalSelect(Vector.GreaterThan(u, l.MaxV), l.MaxV, u) : u;
            }

            public float Invoke(float x, float dy) => ActivationFormulas.Backward(_spec, x, dy);

            public Vector<float> Invoke(Vector<float> v, Vector<float> d)
            {
                ref readonly Lanes l = ref _lanes;
                var nonPositive = Vector.LessThanOrEqual(v, l.Zero);
                var g = l.Leaky ? Vector.ConditionalSelect(Vector.GreaterThan(v, l.Zero), d, d * l.Leak) : Vector.ConditionalSelect(nonPositive, l.Zero, d);
                return l.Clamp ? Vector.ConditionalSelect(Vector.LessThanOrEqual(l.Unclamped(v, nonPositive), l.MaxV), g, l.Zero) : g;
            }
        }

        /// <summary>The activation's parameters broadcast to SIMD lanes, and its pre-activation u = leaky(v) − sub.</summary>
        private readonly struct Lanes
        {
            internal Lanes(in ActivationSpec spec)
            {
                Zero = Vector<float>.Zero;
                Leak = new Vector<float>(spec.Leak);
                Sub = new Vector<float>(spec.Sub);
                MaxV = new Vector<float>(spec.MaxV ?? 0f);
                Clamp = spec.MaxV.HasValue;
                Leaky = spec.Leak != 0f;
            }

            internal readonly Vector<float> Zero, Leak, Sub, MaxV;
            internal readonly bool Clamp, Leaky;

            /// <summary>u = leaky(v) − sub, given the lanes where v ≤ 0 (NaN lanes are not among them and keep v).</summary>
            internal Vector<float> Unclamped(Vector<float> v, Vector<int> nonPositive) => Vector.ConditionalSelect(nonPositive, Leaky ? v * Leak : Zero, v) - Sub;
        }

        /// <summary>c = a + b (twin of initcore_add).</summary>
        private readonly struct AddOp : IBinaryOp
        {
            public bool Vectorized => true;

            public float Invoke(float a, float b) => a + b;

            public Vector<float> Invoke(Vector<float> a, Vector<float> b) => a + b;
        }

        /// <summary>c = a·b (twin of initcore_mul).</summary>
        private readonly struct MultiplyOp : IBinaryOp
        {
            public bool Vectorized => true;

            public float Invoke(float a, float b) => a * b;

            public Vector<float> Invoke(Vector<float> a, Vector<float> b) => a * b;
        }

        /// <summary>A scalar operand in both forms: the float and the float broadcast to every lane.</summary>
        private readonly struct Broadcast
        {
            internal readonly float Value;
            internal readonly Vector<float> Lanes;

            internal Broadcast(float value)
            {
                Value = value;
                Lanes = new Vector<float>(value);
            }
        }

        /// <summary>y = x·scale + shift (a multiply, then an add: never fused).</summary>
        internal readonly struct ScaleShiftOp : IUnaryOp
        {
            private readonly Broadcast _scale, _shift;

            internal ScaleShiftOp(float scale, float shift) => (_scale, _shift) = (new Broadcast(scale), new Broadcast(shift));

            public bool Vectorized => true;

            public float Invoke(float x) => x * _scale.Value + _shift.Value;

            public Vector<float> Invoke(Vector<float> x) => x * _scale.Lanes + _shift.Lanes;
        }

        /// <summary>y = x + shift (AddBias's operation on one plane).</summary>
        internal readonly struct ShiftOp : IUnaryOp
        {
            private readonly Broadcast _shift;

            internal ShiftOp(float shift) => _shift = new Broadcast(shift);

            public bool Vectorized => true;

            public float Invoke(float x) => x + _shift.Value;

            public Vector<float> Invoke(Vector<float> x) => x + _shift.Lanes;
        }

        /// <summary>m = m &lt; p ? 0 : scale (twin of initcore_dropout_mask): a NaN m fails the compare and keeps scale, in both forms.</summary>
        private readonly struct DropoutMaskOp : IUnaryOp
        {
            private readonly Broadcast _p, _scale;

            internal DropoutMaskOp(float p, float scale) => (_p, _scale) = (new Broadcast(p), new Broadcast(scale));

            public bool Vectorized => true;

            public float Invoke(float m) => m < _p.Value ? 0f : _scale.Value;

            public Vector<float> Invoke(Vector<float> m) => Vector.ConditionalSelect(Vector.LessThan(m, _p.Lanes), Vector<float>.Zero, _scale.Lanes);
        }

        /// <summary>y = act(x) over chunks on <paramref name="workers"/>; allocates nothing.</summary>
        internal static void Forward(ActivationSpec spec, float[] x, float[] y, int threads, CpuWorkers workers)
        {
            if (spec.IsRectifier) ElementwiseLoop.Map(workers, threads, new RectifierOp(spec), x, y, x.Length);
            else ElementwiseLoop.Map(workers, threads, new SmoothActivations.Op(spec), x, y, x.Length);
        }

        /// <summary>y[i] = act(x[i]) for i in [start, end); x and y may be the same array.</summary>
        internal static void ForwardRange(in ActivationSpec spec, float[] x, float[] y, int start, int end)
        {
            if (spec.IsRectifier) ElementwiseLoop.Map(new RectifierOp(spec), x, start, y, start, end - start);
            else ElementwiseLoop.Map(new SmoothActivations.Op(spec), x, start, y, start, end - start);
        }

        /// <summary>dx = act'(x)·dy over chunks on <paramref name="workers"/>.</summary>
        internal static void Backward(ActivationSpec spec, float[] x, float[] dy, float[] dx, int threads, CpuWorkers workers)
        {
            if (spec.IsRectifier) ElementwiseLoop.Zip(workers, threads, new RectifierOp(spec), x, dy, dx, x.Length);
            else ElementwiseLoop.Zip(workers, threads, new SmoothActivations.Op(spec), x, dy, dx, x.Length);
        }

        /// <summary>c = a + b (twin of initcore_add), or c = a·b (twin of initcore_mul), over chunks on <paramref name="workers"/>; allocates nothing.</summary>
        internal static void Binary(bool multiply, float[] a, float[] b, float[] c, int threads, CpuWorkers workers)
        {
            if (multiply) ElementwiseLoop.Zip(workers, threads, new MultiplyOp(), a, b, c, c.Length);
            else ElementwiseLoop.Zip(workers, threads, new AddOp(), a, b, c, c.Length);
        }

        /// <summary>m = m &lt; p ? 0 : scale in place (twin of initcore_dropout_mask).</summary>
        internal static void DropoutMask(float[] m, float p, float scale, int threads, CpuWorkers workers)
            => ElementwiseLoop.Map(workers, threads, new DropoutMaskOp(p, scale), m, m, m.Length);

        /// <summary>Σ x[offset .. offset + count) in float: SIMD lanes, then the lanes and the tail in order (deterministic).</summary>
        [MethodImpl(Jit.Hot)]
        internal static float Sum(float[] x, int offset, int count)
        {
            int i = offset, end = offset + count, w = Vector<float>.Count;
            float sum = 0f;
            if (Vector.IsHardwareAccelerated && count >= w)
            {
                var acc = Vector<float>.Zero;
                for (; i <= end - w; i += w) acc += new Vector<float>(x, i);
                for (int l = 0; l < w; l++) sum += acc[l];
            }
            for (; i < end; i++) sum += x[i];
            return sum;
        }

        /// <summary>destination[i] = source[start + i]·scale + shift for i &lt; count: <see cref="ScaleShift(float[], float, float, int, CpuWorkers)"/>'s operations.</summary>
        internal static void ScaleShift(float[] source, int start, float[] destination, int count, float scale, float shift)
            => ElementwiseLoop.Map(new ScaleShiftOp(scale, shift), source, start, destination, 0, count);

        /// <summary>x = x·scale + shift in place, over chunks on <paramref name="workers"/>.</summary>
        internal static void ScaleShift(float[] x, float scale, float shift, int threads, CpuWorkers workers)
            => ElementwiseLoop.Map(workers, threads, new ScaleShiftOp(scale, shift), x, x, x.Length);
    }
}
