using InitCore.Threading;

namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// An element-wise operation y = f(x), in the pattern of <c>System.Numerics.Tensors.TensorPrimitives</c>: the scalar
    /// form and the <see cref="Vector{T}"/> form side by side, so the two stay the same IEEE operations lane by lane
    /// (the vector body and the scalar tail of a loop give the same bits). Implemented by readonly structs and called on
    /// an instance (netstandard2.1 has no static abstract members), so the JIT specializes the loop driver per operation.
    /// </summary>
    internal interface IUnaryOp
    {
        /// <summary>Whether <see cref="Invoke(Vector{float})"/> exists; when false, the driver calls the scalar form only.</summary>
        bool Vectorized { get; }

        float Invoke(float x);

        Vector<float> Invoke(Vector<float> x);
    }

    /// <summary>An element-wise operation z = f(x, y): <see cref="IUnaryOp"/>'s pattern with two inputs.</summary>
    internal interface IBinaryOp
    {
        /// <summary>Whether <see cref="Invoke(Vector{float}, Vector{float})"/> exists; when false, the driver calls the scalar form only.</summary>
        bool Vectorized { get; }

        float Invoke(float x, float y);

        Vector<float> Invoke(Vector<float> x, Vector<float> y);
    }

    /// <summary>
    /// The one loop driver of the element-wise CPU kernels: the vector body over whole <see cref="Vector{T}"/> widths, the
    /// scalar tail, and the parallel split into chunks of <see cref="Grain"/> elements through <see cref="CpuPartitioner"/>
    /// (allocation-free with a pool).
    /// </summary>
    internal static class ElementwiseLoop
    {
        /// <summary>Elements per parallel chunk.</summary>
        internal const int Grain = 1 << 16;

        // The operation is taken by value: an `in` parameter of a type parameter would be copied defensively at every call.

        /// <summary>y[yStart + i] = op(x[xStart + i]) for i &lt; count; x and y may be the same array at the same offset.</summary>
        [MethodImpl(Jit.Hot)]
        internal static void Map<TOp>(TOp op, float[] x, int xStart, float[] y, int yStart, int count) where TOp : struct, IUnaryOp
        {
            int i = 0, w = Vector<float>.Count;
            if (Vector.IsHardwareAccelerated && op.Vectorized)
                for (; i <= count - w; i += w) op.Invoke(new Vector<float>(x, xStart + i)).CopyTo(y, yStart + i);
            for (; i < count; i++) y[yStart + i] = op.Invoke(x[xStart + i]);
        }

        /// <summary>z[i] = op(x[i], y[i]) for i in [start, end); z may be x or y.</summary>
        [MethodImpl(Jit.Hot)]
        internal static void Zip<TOp>(TOp op, float[] x, float[] y, float[] z, int start, int end) where TOp : struct, IBinaryOp
        {
            int i = start, w = Vector<float>.Count;
            if (Vector.IsHardwareAccelerated && op.Vectorized)
                for (; i <= end - w; i += w) op.Invoke(new Vector<float>(x, i), new Vector<float>(y, i)).CopyTo(z, i);
            for (; i < end; i++) z[i] = op.Invoke(x[i], y[i]);
        }

        /// <summary>y[i] = op(x[i]) for i &lt; count, in chunks on <paramref name="pool"/>.</summary>
        internal static void Map<TOp>(CpuWorkers? pool, int threads, in TOp op, float[] x, float[] y, int count) where TOp : struct, IUnaryOp
        {
            var body = new MapBody<TOp>(op, x, y);
            CpuPartitioner.For(pool, threads, count, Grain, ref body);
        }

        /// <summary>z[i] = op(x[i], y[i]) for i &lt; count, in chunks on <paramref name="pool"/>.</summary>
        internal static void Zip<TOp>(CpuWorkers? pool, int threads, in TOp op, float[] x, float[] y, float[] z, int count) where TOp : struct, IBinaryOp
        {
            var body = new ZipBody<TOp>(op, x, y, z);
            CpuPartitioner.For(pool, threads, count, Grain, ref body);
        }

        private readonly struct MapBody<TOp> : IRangeBody where TOp : struct, IUnaryOp
        {
            private readonly TOp _op;
            private readonly float[] _x, _y;

            internal MapBody(in TOp op, float[] x, float[] y)
            {
                _op = op;
                _x = x;
                _y = y;
            }

            public void Run(int start, int end) => Map(_op, _x, start, _y, start, end - start);
        }

        private readonly struct ZipBody<TOp> : IRangeBody where TOp : struct, IBinaryOp
        {
            private readonly TOp _op;
            private readonly float[] _x, _y, _z;

            internal ZipBody(in TOp op, float[] x, float[] y, float[] z)
            {
                _op = op;
                _x = x;
                _y = y;
                _z = z;
            }

            public void Run(int start, int end) => Zip(_op, _x, _y, _z, start, end);
        }
    }
}
