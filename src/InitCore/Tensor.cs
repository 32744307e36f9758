using InitCore.Backends;
using InitCore.Backends.Cpu;

namespace InitCore
{
    /// <summary>
    /// A dense float32 tensor of any rank, row-major (images use NCHW), owned by one <see cref="Engine"/>.
    /// Copy data in and out with <see cref="CopyFrom"/>, <see cref="CopyTo"/> and <see cref="ToArray"/>.
    /// </summary>
    public sealed class Tensor : IDisposable
    {
        private readonly int[] _shape;
        private readonly bool _ownsStorage = true;
        private TensorStorage? _storage;

        internal Tensor(Engine engine, int[] shape)
        {
            if (shape is null) throw new ArgumentNullException(nameof(shape));
            Engine = engine;
            _shape = (int[])shape.Clone();
            Length = TensorShape.TensorLength(_shape, nameof(shape));
            _storage = engine.Main.Allocate(Length);
        }

        private Tensor(Tensor source, int[] shape)
        {
            Engine = source.Engine;
            _shape = shape;
            Length = source.Length;
            _storage = source.Storage;
            _ownsStorage = false;
        }

        /// <summary>
        /// A view with another shape and the same elements (like torch's <c>view</c>): no copy; writes
        /// through either are seen by both. Disposing the view does not free the memory; disposing the
        /// original does, after which the view throws <see cref="ObjectDisposedException"/>.
        /// </summary>
        /// <exception cref="ArgumentException">The new shape has a different element count.</exception>
        public Tensor Reshape(params int[] shape)
        {
            if (shape is null) throw new ArgumentNullException(nameof(shape));
            long n = TensorShape.ElementCount(shape, nameof(shape));
            if (n != Length)
                throw new ArgumentException($"Cannot view {Describe()} ({Length} elements) as {TensorShape.Format(shape)} ({n} elements).", nameof(shape));
            return new Tensor(this, (int[])shape.Clone());
        }

        /// <summary>The largest element count a tensor may have on any backend: 2,147,483,591, the largest .NET array
        /// (<c>Array.MaxLength</c>), so that every tensor can be copied to a host array. Larger shapes throw <see cref="ArgumentException"/>.</summary>
        public const int MaxLength = TensorStorage.MaxLength;

        /// <summary>The engine that owns this tensor.</summary>
        public Engine Engine { get; }

        /// <summary>The dimensions, outermost first.</summary>
        public IReadOnlyList<int> Shape => _shape;

        /// <summary>The number of dimensions.</summary>
        public int Rank => _shape.Length;

        /// <summary>The number of elements: the product of the dimensions (1 for rank 0).</summary>
        public long Length { get; }

        /// <summary>Where the elements live: <see cref="BackendKind.Cpu"/> or <see cref="BackendKind.Cuda"/>.</summary>
        public BackendKind Device => Engine.Backend;

        internal int[] ShapeArray => _shape;

        /// <summary>Throws <see cref="ObjectDisposedException"/> when the tensor or its engine has been disposed.</summary>
        internal void ThrowIfDisposed() => _ = Storage;

        internal TensorStorage Storage
        {
            get
            {
                Engine.ThrowIfDisposed();
                TensorStorage? s = Volatile.Read(ref _storage);
                if (s is null || s.IsReleased)
                    throw new ObjectDisposedException(nameof(Tensor), $"{Describe()} has been disposed.");
                return s;
            }
        }

        /// <summary>The elements in host memory when the tensor lives on the CPU; null on other backends.</summary>
        internal float[]? HostArray => Storage.HostData;

        /// <summary>Copies <paramref name="source"/> into the tensor; its length must equal <see cref="Length"/>.</summary>
        /// <exception cref="ArgumentException">The lengths differ.</exception>
        public void CopyFrom(ReadOnlySpan<float> source)
        {
            if (source.Length != Length)
                throw new ArgumentException($"Source has {source.Length} elements but {Describe()} has {Length}; pass exactly {Length} values.", nameof(source));
            Engine.Main.Upload(Storage, source);
        }

        /// <summary>Copies the tensor into <paramref name="destination"/>, which must hold at least <see cref="Length"/> elements.</summary>
        /// <exception cref="ArgumentException">The destination is too short.</exception>
        public void CopyTo(Span<float> destination)
        {
            if (destination.Length < Length)
                throw new ArgumentException($"Destination has room for {destination.Length} elements but {Describe()} has {Length}.", nameof(destination));
            Engine.Main.Download(Storage, destination.Slice(0, (int)Length));
        }

        /// <summary>Returns a new array with the tensor's elements in row-major order.</summary>
        public float[] ToArray()
        {
            float[] result = CpuStorage.NewHostArray(Length);
            CopyTo(result);
            return result;
        }

        /// <summary>Releases the tensor's memory (on CUDA, back to the engine's pool). Idempotent; later use throws <see cref="ObjectDisposedException"/>.</summary>
        public void Dispose()
        {
            TensorStorage? s = Interlocked.Exchange(ref _storage, null);
            if (_ownsStorage) s?.Dispose();
        }

        private string Describe() => $"Tensor{TensorShape.Format(_shape)}";

        /// <summary>True once this tensor (or, for a view, this view) has been disposed.</summary>
        internal bool IsDisposed => Volatile.Read(ref _storage) is null;

        /// <summary>True when both tensors read the same memory (a tensor and its views), whatever their state.</summary>
        internal bool SharesStorageWith(Tensor other)
        {
            TensorStorage? a = Volatile.Read(ref _storage), b = Volatile.Read(ref other._storage);
            return a is not null && ReferenceEquals(a, b);
        }

        /// <summary>True when the shape equals <paramref name="shape"/> (no allocation).</summary>
        internal bool HasShape(ReadOnlySpan<int> shape) => shape.SequenceEqual(_shape);

        /// <summary>
        /// The mean of all elements, as torch's <c>x.mean().item()</c>: one pass of the backend's statistics kernel (float
        /// sums per chunk of 4096 elements, chunks merged in double in a fixed order, so within about 1e-7 relative, torch's
        /// float32 precision); NaN for an empty tensor, and when an element is NaN.
        /// </summary>
        /// <exception cref="ObjectDisposedException">The tensor or its engine has been disposed.</exception>
        public double Mean() => Moments().Mean;

        /// <summary>
        /// The standard deviation of all elements, as torch's <c>x.std(correction=1).item()</c>: √(Σ(x − mean)² / (n − correction)).
        /// The default <paramref name="correction"/> = 1 is torch's default (the unbiased sample estimate, Bessel's correction;
        /// <c>unbiased=True</c> in older torch); pass 0 for the population standard deviation (numpy's default). NaN when
        /// n − correction ≤ 0 (torch prints nan for the std of one element) and when an element is NaN.
        /// </summary>
        /// <param name="correction">Subtracted from the element count in the divisor: 1 (default) or 0, or any value ≥ 0.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="correction"/> is negative or not finite.</exception>
        /// <exception cref="ObjectDisposedException">The tensor or its engine has been disposed.</exception>
        public double Std(double correction = 1)
        {
            if (!(correction >= 0) || double.IsInfinity(correction))
                throw new ArgumentOutOfRangeException(nameof(correction), correction, "correction must be a finite number ≥ 0: 1 for the sample standard deviation (torch's default), 0 for the population one.");
            var (count, _, m2) = Moments();
            double dof = count - correction;
            return dof > 0 ? Math.Sqrt(m2 / dof) : double.NaN;
        }

        private (long Count, double Mean, double M2) Moments()
        {
            StatsResult r = Engine.Main.Statistics(Storage, new StatsConfig(0f, 0f, 1f, 0, false));
            return (r.Count, r.Count > 0 ? r.Mean : double.NaN, r.M2);
        }

        /// <summary>
        /// The values as torch prints them (<c>repr(x)</c>): <c>tensor([[0.1000, 0.2000],\n        [0.3000, 0.4000]])</c>, four
        /// decimals or scientific notation or integers with a point, as torch chooses; beyond 1000 elements, the first and
        /// last three along each dimension around <c>...</c>; <c>device='cuda:0'</c> for a CUDA tensor and
        /// <c>size=(0, 3)</c> for an empty one, as torch. The values are copied to the host for this.
        /// A disposed tensor prints its shape and <c>disposed</c> instead of values.
        /// </summary>
        public override string ToString()
        {
            if (IsDisposed || Engine.IsDisposed) return $"tensor(<disposed>, shape={TensorShape.Format(_shape)})";
            return TorchFormat.Format(ToArray(), _shape, Engine.Main.TorchDevice is string device ? "device='" + device + "'" : null);
        }
    }

    internal static class TensorShape
    {
        internal static long ElementCount(ReadOnlySpan<int> shape, string paramName)
        {
            bool empty = false;
            for (int i = 0; i < shape.Length; i++)
            {
                if (shape[i] < 0)
                    throw new ArgumentException($"Dimension {i} of shape {Format(shape)} is {shape[i]}; dimensions must be zero or positive.", paramName);
                empty |= shape[i] == 0;
            }
            if (empty) return 0;
            long n = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                if (n > long.MaxValue / shape[i])
                    throw new ArgumentException($"Shape {Format(shape)} has more than {long.MaxValue} elements (the product overflows at dimension {i}); use a smaller shape.", paramName);
                n *= shape[i];
            }
            return n;
        }

        /// <summary>The element count of a tensor of this shape: <see cref="ElementCount"/>, at most <see cref="Tensor.MaxLength"/>.</summary>
        internal static long TensorLength(ReadOnlySpan<int> shape, string paramName)
        {
            long n = ElementCount(shape, paramName);
            if (n > Tensor.MaxLength)
                throw new ArgumentException(
                    $"Shape {Format(shape)} has {n} elements; a tensor holds at most {Tensor.MaxLength} (the largest .NET array, so that it can be copied to the host). Use a smaller shape.",
                    paramName);
            return n;
        }

        internal static string Format(ReadOnlySpan<int> shape)
        {
            var parts = new string[shape.Length];
            for (int i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
            return "[" + string.Join(", ", parts) + "]";
        }
    }
}
