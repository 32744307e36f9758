using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

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
        private const int Chunk = 1 << 16;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float Leaky(float x, float slope) => x <= 0f ? (slope != 0f ? x * slope : 0f) : x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float LeakyGrad(float x, float dy, float slope) => x > 0f ? dy : (slope != 0f ? dy * slope : (x <= 0f ? 0f : dy));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float Forward(in ActivationSpec s, float x)
        {
            if (!s.IsRectifier) return SmoothActivations.Forward(s, x);
            float u = Leaky(x, s.Leak) - s.Sub;
            return s.MaxV is float m && u > m ? m : u;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float Backward(in ActivationSpec s, float x, float dy)
        {
            if (!s.IsRectifier) return SmoothActivations.Backward(s, x, dy);
            float u = Leaky(x, s.Leak) - s.Sub;
            float g = LeakyGrad(x, dy, s.Leak);
            return s.MaxV is float m && !(u <= m) ? 0f : g;
        }

        // The vector loops perform the scalar formulas' IEEE operations lane by lane (a multiply, a subtract,
        // compares and selects), so they give the same bits; the tails use the scalar formulas.

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

        /// <summary>y = act(x) over chunks of <see cref="Chunk"/> elements on <paramref name="workers"/> (allocates nothing when given).</summary>
        internal static void Forward(ActivationSpec spec, float[] x, float[] y, int threads, CpuWorkers? workers = null)
        {
            int n = x.Length;
            if (n <= Chunk || threads <= 1)
            {
                ForwardRange(spec, x, y, 0, n);
                return;
            }
            var body = new ForwardBody(spec, x, y);
            CpuWorkers.Run(workers, (n + Chunk - 1) / Chunk, threads, ref body);
        }

        private readonly struct ForwardBody : IParallelBody
        {
            private readonly ActivationSpec _spec;
            private readonly float[] _x, _y;

            internal ForwardBody(in ActivationSpec spec, float[] x, float[] y)
            {
                _spec = spec;
                _x = x;
                _y = y;
            }

            public void Invoke(int index, int worker) => ForwardRange(_spec, _x, _y, index * Chunk, Math.Min(_x.Length, (index + 1) * Chunk));
        }

        /// <summary>y[i] = act(x[i]) for i in [start, end); x and y may be the same array.</summary>
        [MethodImpl(Jit.Hot)]
        internal static void ForwardRange(in ActivationSpec spec, float[] x, float[] y, int start, int end)
        {
            int i = start, w = Vector<float>.Count;
            if (Vector.IsHardwareAccelerated && spec.IsRectifier)
            {
                var l = new Lanes(spec);
                for (; i <= end - w; i += w)
                {
                    var v = new Vector<float>(x, i);
                    var u = l.Unclamped(v, Vector.LessThanOrEqual(v, l.Zero));
                    if (l.Clamp) u = Vector.ConditionalSelect(Vector.GreaterThan(u, l.MaxV), l.MaxV, u);
                    u.CopyTo(y, i);
                }
            }
            for (; i < end; i++) y[i] = Forward(spec, x[i]);
        }

        internal static void Backward(ActivationSpec spec, float[] x, float[] dy, float[] dx, int threads)
            => For(x.Length, threads, (a, b) => BackwardRange(spec, x, dy, dx, a, b));

        /// <summary>dx[i] = act'(x[i])·dy[i] for i in [start, end).</summary>
        [MethodImpl(Jit.Hot)]
        internal static void BackwardRange(in ActivationSpec spec, float[] x, float[] dy, float[] dx, int start, int end)
        {
            int i = start, w = Vector<float>.Count;
            if (Vector.IsHardwareAccelerated && spec.IsRectifier)
            {
                var l = new Lanes(spec);
                for (; i <= end - w; i += w)
                {
                    var v = new Vector<float>(x, i);
                    var d = new Vector<float>(dy, i);
                    var nonPositive = Vector.LessThanOrEqual(v, l.Zero);
                    var g = l.Leaky ? Vector.ConditionalSelect(Vector.GreaterThan(v, l.Zero), d, d * l.Leak) : Vector.ConditionalSelect(nonPositive, l.Zero, d);
                    if (l.Clamp) g = Vector.ConditionalSelect(Vector.LessThanOrEqual(l.Unclamped(v, nonPositive), l.MaxV), g, l.Zero);
                    g.CopyTo(dx, i);
                }
            }
            for (; i < end; i++) dx[i] = Backward(spec, x[i], dy[i]);
        }

        /// <summary>c = a + b (twin of initcore_add), or c = a·b (twin of initcore_mul), over chunks on <paramref name="workers"/>; allocates nothing.</summary>
        internal static void Binary(bool multiply, float[] a, float[] b, float[] c, int threads, CpuWorkers? workers)
        {
            int n = c.Length;
            if (n <= Chunk || threads <= 1)
            {
                BinaryRange(multiply, a, b, c, 0, n);
                return;
            }
            var body = new BinaryBody(multiply, a, b, c);
            CpuWorkers.Run(workers, ChunkCount(n, Chunk), threads, ref body);
        }

        private readonly struct BinaryBody : IParallelBody
        {
            private readonly bool _multiply;
            private readonly float[] _a, _b, _c;

            internal BinaryBody(bool multiply, float[] a, float[] b, float[] c)
            {
                _multiply = multiply;
                _a = a;
                _b = b;
                _c = c;
            }

            public void Invoke(int index, int worker) => BinaryRange(_multiply, _a, _b, _c, index * Chunk, ChunkEnd(index, _c.Length, Chunk));
        }

        [MethodImpl(Jit.Hot)]
        private static void BinaryRange(bool multiply, float[] a, float[] b, float[] c, int start, int end)
        {
            int i = start, w = Vector<float>.Count;
            if (Vector.IsHardwareAccelerated)
            {
                // Lane by lane the same IEEE add or multiply as the scalar loop.
                for (; i <= end - w; i += w)
                {
                    Vector<float> va = new Vector<float>(a, i), vb = new Vector<float>(b, i);
                    (multiply ? va * vb : va + vb).CopyTo(c, i);
                }
            }
            if (multiply) for (; i < end; i++) c[i] = a[i] * b[i];
            else for (; i < end; i++) c[i] = a[i] + b[i];
        }

        /// <summary>m = m &lt; p ? 0 : scale in place (twin of initcore_dropout_mask).</summary>
        internal static void DropoutMask(float[] m, float p, float scale, int threads)
            => For(m.Length, threads, (s, e) => { for (int i = s; i < e; i++) m[i] = m[i] < p ? 0f : scale; });

        /// <summary>Σ x[offset .. offset + count) in float: SIMD lanes, then the lanes and the tail in order (deterministic).</summary>
        [MethodImpl(Jit.Hot)]
        internal static float Sum(float[] x, int offset, int count)
        {
            int i = offset, end = offset + count, w = System.Numerics.Vector<float>.Count;
            float sum = 0f;
            if (System.Numerics.Vector.IsHardwareAccelerated && count >= w)
            {
                var acc = System.Numerics.Vector<float>.Zero;
                for (; i <= end - w; i += w) acc += new System.Numerics.Vector<float>(x, i);
                for (int l = 0; l < w; l++) sum += acc[l];
            }
            for (; i < end; i++) sum += x[i];
            return sum;
        }

        /// <summary>destination[i] = source[start + i]·scale + shift for i &lt; count: <see cref="ScaleShift(float[], float, float, int)"/>'s operations.</summary>
        [MethodImpl(Jit.Hot)]
        internal static void ScaleShift(float[] source, int start, float[] destination, int count, float scale, float shift)
        {
            int i = 0, w = System.Numerics.Vector<float>.Count;
            if (System.Numerics.Vector.IsHardwareAccelerated)
            {
                var vs = new System.Numerics.Vector<float>(scale);
                var vb = new System.Numerics.Vector<float>(shift);
                for (; i <= count - w; i += w) (new System.Numerics.Vector<float>(source, start + i) * vs + vb).CopyTo(destination, i);
            }
            for (; i < count; i++) destination[i] = source[start + i] * scale + shift;
        }

        internal static void ScaleShift(float[] x, float scale, float shift, int threads)
            => For(x.Length, threads, [MethodImpl(Jit.Hot)] (a, b) => { for (int i = a; i < b; i++) x[i] = x[i] * scale + shift; });

        internal static void For(int n, int threads, Action<int, int> body)
        {
            if (n <= Chunk || threads <= 1)
            {
                body(0, n);
                return;
            }
            Parallel.For(0, ChunkCount(n, Chunk), new ParallelOptions { MaxDegreeOfParallelism = threads }, c => body(c * Chunk, ChunkEnd(c, n, Chunk)));
        }

        /// <summary>The number of chunks of <paramref name="size"/> covering [0, <paramref name="total"/>): computed in long,
        /// because total + size − 1 overflows int for totals near int.MaxValue.</summary>
        internal static int ChunkCount(int total, int size) => (int)(((long)total + size - 1) / size);

        /// <summary>The end of chunk <paramref name="index"/> of [0, <paramref name="total"/>) (it starts at index·size):
        /// computed in long, because (index + 1)·size overflows int for the last chunk of a total near int.MaxValue.</summary>
        internal static int ChunkEnd(int index, int total, int size) => (int)Math.Min(total, (index + 1L) * size);
    }
}
