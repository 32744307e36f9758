using InitCore.Threading;
using InitCore.Randomness;

namespace InitCore.Initializers
{
    public static partial class Init
    {
        // ------------------------------------------------------------------ eye and dirac

        /// <summary>
        /// Fills a 2-D tensor with the identity: ones on the main diagonal, zeros elsewhere (rectangular allowed).
        /// Equivalent to <c>torch.nn.init.eye_(tensor)</c> (Keras <c>Identity</c> with gain 1).
        /// Preserves the identity of the inputs in Linear layers.
        /// </summary>
        /// <param name="tensor">A 2-D tensor.</param>
        /// <exception cref="ArgumentException">The tensor is not 2-D.</exception>
        public static void Eye(Tensor tensor) => EyeCore(new InitTarget(tensor));

        /// <inheritdoc cref="Eye(Tensor)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">A 2-D shape [rows, cols].</param>
        public static void Eye(Engine engine, Span<float> data, ReadOnlySpan<int> shape) => EyeCore(new InitTarget(engine, data, shape));

        /// <summary>
        /// Fills a 3-, 4- or 5-D convolution weight [out, in, k…] with the Dirac delta: in each group,
        /// output channel d copies input channel d at the kernel centre. Equivalent to <c>torch.nn.init.dirac_(tensor, groups)</c>.
        /// Preserves the identity of the inputs in convolutional layers.
        /// </summary>
        /// <param name="tensor">A 3-, 4- or 5-D weight.</param>
        /// <param name="groups">Number of groups; must divide dim 0.</param>
        /// <exception cref="ArgumentException">The rank is not 3–5, groups &lt; 1, or groups does not divide dim 0.</exception>
        public static void Dirac(Tensor tensor, int groups = 1) => DiracCore(new InitTarget(tensor), groups);

        /// <inheritdoc cref="Dirac(Tensor, int)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">A 3-, 4- or 5-D shape [out, in, k…].</param>
        /// <param name="groups">Number of groups; must divide dim 0.</param>
        public static void Dirac(Engine engine, Span<float> data, ReadOnlySpan<int> shape, int groups = 1) => DiracCore(new InitTarget(engine, data, shape), groups);

        // ------------------------------------------------------------------ orthogonal

        /// <summary>
        /// Fills with a (semi-)orthogonal matrix times gain: the tensor is viewed as rows = dim 0 by
        /// cols = the product of the rest, a rows×cols N(0, 1) matrix is drawn, and Q of its QR
        /// decomposition, with the signs fixed so that R has a positive diagonal, is written
        /// (transposed when rows &lt; cols). Equivalent to <c>torch.nn.init.orthogonal_(tensor, gain)</c>
        /// (Keras <c>Orthogonal(gain)</c>).
        /// </summary>
        /// <remarks>
        /// Saxe, McClelland and Ganguli, "Exact solutions to the nonlinear dynamics of learning in deep
        /// linear neural networks", ICLR 2014. The sign correction makes Q Haar-distributed
        /// (Mezzadri, "How to generate random matrices from the classical compact groups", 2007).
        /// The QR is a Householder factorization in double precision on the CPU.
        /// </remarks>
        /// <param name="tensor">A tensor with at least 2 dimensions.</param>
        /// <param name="gain">Multiplier.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions, or gain is not finite or beyond float32's range.</exception>
        public static void Orthogonal(Tensor tensor, double gain = 1.0, RandomSource? generator = null) => OrthogonalCore(new InitTarget(tensor), gain, generator);

        /// <inheritdoc cref="Orthogonal(Tensor, double, RandomSource?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">A shape with at least 2 dimensions.</param>
        /// <param name="gain">Multiplier.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        public static void Orthogonal(Engine engine, Span<float> data, ReadOnlySpan<int> shape, double gain = 1.0, RandomSource? generator = null)
            => OrthogonalCore(new InitTarget(engine, data, shape), gain, generator);

        // ------------------------------------------------------------------ sparse

        /// <summary>
        /// Fills a 2-D tensor as a sparse matrix: N(0, std²) everywhere, then in each column
        /// ⌈sparsity·rows⌉ distinct rows, chosen at random, set to zero.
        /// Equivalent to <c>torch.nn.init.sparse_(tensor, sparsity, std)</c>.
        /// </summary>
        /// <remarks>
        /// Martens, "Deep learning via Hessian-free optimization", ICML 2010. The zeroed rows of each
        /// column are the ⌈sparsity·rows⌉ smallest of a second uniform draw (ties by row index), so the
        /// choice is a uniform random subset and, like every fill, independent of the thread count.
        /// The generator advances by both draws.
        /// </remarks>
        /// <param name="tensor">A 2-D tensor.</param>
        /// <param name="sparsity">Fraction of each column set to zero, in [0, 1].</param>
        /// <param name="std">Standard deviation of the non-zero values, ≥ 0.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <exception cref="ArgumentException">The tensor is not 2-D, sparsity is outside [0, 1], std &lt; 0, or 9·std exceeds float32's range.</exception>
        public static void Sparse(Tensor tensor, double sparsity, double std = 0.01, RandomSource? generator = null)
            => SparseCore(new InitTarget(tensor), sparsity, std, generator);

        /// <inheritdoc cref="Sparse(Tensor, double, double, RandomSource?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">A 2-D shape [rows, cols].</param>
        /// <param name="sparsity">Fraction of each column set to zero, in [0, 1].</param>
        /// <param name="std">Standard deviation of the non-zero values, ≥ 0.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        public static void Sparse(Engine engine, Span<float> data, ReadOnlySpan<int> shape, double sparsity, double std = 0.01, RandomSource? generator = null)
            => SparseCore(new InitTarget(engine, data, shape), sparsity, std, generator);

        // ------------------------------------------------------------------ cores

        private static void EyeCore(InitTarget target)
        {
            target.RequireRank(2, 2, "eye");
            int rows = target.Shape[0], cols = target.Shape[1];
            Span<float> data = target.HostBuffer();
            data.Clear();
            for (int i = 0; i < Math.Min(rows, cols); i++) data[i * cols + i] = 1f;
            target.CommitHost(data);
        }

        private static void DiracCore(InitTarget target, int groups)
        {
            target.RequireRank(3, 5, "dirac");
            ReadOnlySpan<int> shape = target.Shape;
            if (groups < 1)
                throw new ArgumentException($"groups must be ≥ 1, but found {groups}.", nameof(groups));
            if (shape[0] % groups != 0)
                throw new ArgumentException($"dim 0 must be divisible by groups: shape {TensorShape.Format(shape)} has dim 0 = {shape[0]}, groups = {groups}.", nameof(groups));
            if (target.IsEmpty) return;
            Span<float> data = target.HostBuffer();
            data.Clear();
            int outPerGroup = shape[0] / groups;
            int minDim = Math.Min(outPerGroup, shape[1]);
            // Offset of the kernel centre within one [out, in] slice, and the stride of dims 0 and 1.
            long spatial = 1, centre = 0;
            for (int d = 2; d < shape.Length; d++)
            {
                centre = centre * shape[d] + shape[d] / 2;
                spatial *= shape[d];
            }
            long inStride = spatial, outStride = shape[1] * spatial;
            for (int g = 0; g < groups; g++)
                for (int d = 0; d < minDim; d++)
                    data[(int)((g * outPerGroup + d) * outStride + d * inStride + centre)] = 1f;
            target.CommitHost(data);
        }

        private static void OrthogonalCore(InitTarget target, double gain, RandomSource? generator)
        {
            target.RequireRank(2, int.MaxValue, "orthogonal");
            ValidateOrthogonalGain(gain);
            if (target.IsEmpty) return;
            int rows = target.Shape[0];
            int cols = (int)(target.Length / rows);
            // Draw the rows×cols normal matrix with the same element mapping as any fill.
            var sample = new float[target.Length];
            target.Resolve(generator).FillHost(sample, FillSpec.Normal(0.0, 1.0), target.ThreadCount);
            bool transpose = rows < cols;
            int m = transpose ? cols : rows, n = transpose ? rows : cols;
            var a = new double[(long)m * n];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    a[transpose ? (long)c * n + r : (long)r * n + c] = sample[(long)r * cols + c];
            double[] q = Householder.ThinQ(a, m, n, target.ThreadCount);
            Span<float> data = target.HostBuffer();
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    data[r * cols + c] = (float)(gain * q[transpose ? (long)c * n + r : (long)r * n + c]);
            target.CommitHost(data);
        }

        /// <summary>gain finite and within float32's range: |Q| ≤ 1 elementwise, so every value gain·Q is then finite.</summary>
        internal static void ValidateOrthogonalGain(double gain)
        {
            Finite.Require(gain, nameof(gain));
            if (Math.Abs(gain) > FloatMax)
                throw new ArgumentException($"gain={Format(gain)} is beyond float32's range (±{Format(FloatMax)}), so gain·Q would overflow to infinity; pass a smaller gain.", nameof(gain));
        }

        private static void SparseCore(InitTarget target, double sparsity, double std, RandomSource? generator)
        {
            target.RequireRank(2, 2, "sparse");
            if (!(sparsity >= 0 && sparsity <= 1))
                throw new ArgumentException($"sparsity must be in [0, 1], but found {Format(sparsity)}.", nameof(sparsity));
            Finite.Require(std, nameof(std));
            if (std < 0) throw new ArgumentException($"sparse expects std ≥ 0.0, but found std={Format(std)}.", nameof(std));
            FillSpec values = NormalSpec(0.0, std);
            if (target.IsEmpty) return;
            int rows = target.Shape[0], cols = target.Shape[1];
            int zeros = (int)Math.Ceiling(sparsity * rows);
            RandomSource g = target.Resolve(generator);
            Span<float> data = target.HostBuffer();
            g.FillHost(data, values, target.ThreadCount);
            var keys = new float[(long)rows * cols];
            g.FillHost(keys, FillSpec.Uniform(0.0, 1.0), target.ThreadCount);
            var columnKeys = new float[rows];
            var order = new int[rows];
            for (int c = 0; c < cols && zeros > 0; c++)
            {
                for (int r = 0; r < rows; r++)
                {
                    columnKeys[r] = keys[(long)r * cols + c];
                    order[r] = r;
                }
                Array.Sort(order, (x, y) =>
                {
                    int k = columnKeys[x].CompareTo(columnKeys[y]);
                    return k != 0 ? k : x.CompareTo(y);
                });
                for (int i = 0; i < zeros; i++) data[order[i] * cols + c] = 0f;
            }
            target.CommitHost(data);
        }
    }

    /// <summary>Householder QR in double precision, returning the thin Q with R's diagonal made positive.</summary>
    internal static class Householder
    {
        /// <summary>For a row-major m×n matrix (m ≥ n), returns the m×n row-major Q of A = QR with diag(R) &gt; 0.</summary>
        internal static double[] ThinQ(double[] a, int m, int n, int threads)
        {
            var v = new double[n][];
            var sign = new double[n];
            for (int k = 0; k < n; k++)
            {
                int len = m - k;
                var vk = new double[len];
                double norm = 0;
                for (int i = 0; i < len; i++)
                {
                    vk[i] = a[(long)(k + i) * n + k];
                    norm += vk[i] * vk[i];
                }
                norm = Math.Sqrt(norm);
                double x0 = vk[0];
                // R_kk = alpha = −sign(x0)·‖x‖ avoids cancellation in v0 = x0 − alpha.
                double alpha = x0 >= 0 ? -norm : norm;
                sign[k] = Math.Sign(alpha);
                vk[0] = x0 - alpha;
                double vnorm = 0;
                for (int i = 0; i < len; i++) vnorm += vk[i] * vk[i];
                vnorm = Math.Sqrt(vnorm);
                if (vnorm > 0) for (int i = 0; i < len; i++) vk[i] /= vnorm;
                v[k] = vk;
                int kk = k;
                ApplyReflector(a, n, kk, kk + 1, n, vk, threads);
            }
            // Q = H0 H1 … H(n−1) applied to the first n columns of the identity.
            var q = new double[(long)m * n];
            for (int i = 0; i < n; i++) q[(long)i * n + i] = 1.0;
            for (int k = n - 1; k >= 0; k--) ApplyReflector(q, n, k, 0, n, v[k], threads);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    q[(long)i * n + j] *= sign[j];
            return q;
        }

        /// <summary>Columns [c0, c1) of rows k.. of the row-major matrix x (width n) ← (I − 2vvᵀ)·x.</summary>
        private static void ApplyReflector(double[] x, int n, int k, int c0, int c1, double[] vk, int threads)
        {
            // Each column on its own: the split never changes the bits.
            CpuPartitioner.For(null, threads, c1 - c0, CpuPartitioner.EvenGrain(c1 - c0, threads * 4), (s, e) =>
            {
                for (int j = c0 + s; j < c0 + e; j++)
                {
                    double dot = 0;
                    for (int i = 0; i < vk.Length; i++) dot += vk[i] * x[(long)(k + i) * n + j];
                    dot *= 2;
                    for (int i = 0; i < vk.Length; i++) x[(long)(k + i) * n + j] -= dot * vk[i];
                }
            }, workPerItem: vk.Length);
        }
    }
}
