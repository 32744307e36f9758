using InitCore.Backends;
using InitCore.Backends.Cpu;
using InitCore.Backends.Cuda;
using InitCore.Randomness;

namespace InitCore
{
    /// <summary>
    /// The root object a host creates once and disposes when done. It owns the backend (CUDA or CPU),
    /// the worker-thread setting and a default <see cref="Generator"/>; there is no global state, so
    /// several engines can live side by side. Every member may be called from any thread.
    /// </summary>
    /// <example>
    /// <code>
    /// using var engine = Engine.Create(new EngineOptions { Seed = 42 });
    /// Console.WriteLine(engine.BackendReason);        // which backend, and why
    /// using var w = engine.CreateTensor(32, 1, 5, 5);
    /// Init.KaimingNormal(w, nonlinearity: Nonlinearity.Relu);
    /// </code>
    /// </example>
    public sealed class Engine : IDisposable
    {
        private int _disposed;

        private Engine(EngineOptions options)
        {
            int threads = options.ResolveThreadCount();
            Cpu = new CpuBackend(threads);
            (Main, BackendReason, LoadTrace) = BackendFactory.Create(options, Cpu);
            DefaultGenerator = new Generator(options.Seed);
        }

        /// <summary>Creates an engine.</summary>
        /// <param name="options">Backend, seed, thread count and CUDA settings; null for the defaults (automatic backend).</param>
        /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
        /// <exception cref="Interop.CudaUnavailableException"><see cref="BackendKind.Cuda"/> was asked for and CUDA is not usable; the exception lists every library and path tried.</exception>
        /// <exception cref="Interop.CudaDriver.CudaException">The GPU was found but setting it up failed (for example the PTX could not be JIT-compiled).</exception>
        public static Engine Create(EngineOptions? options = null) => new Engine(options ?? new EngineOptions());

        /// <summary>The host-side CPU backend every engine has (host spans, QR, reference work).</summary>
        internal CpuBackend Cpu { get; }

        /// <summary>The backend tensors live on.</summary>
        internal Backend Main { get; }

        internal CudaBackend? Cuda => Main as CudaBackend;

        /// <summary>The backend in use.</summary>
        public BackendKind Backend => Main.Kind;

        /// <summary>One line saying which backend was chosen and why, e.g.
        /// <c>CPU backend (auto): CUDA unavailable: cuInit returned CUDA_ERROR_NO_DEVICE (100)</c>.</summary>
        public string BackendReason { get; }

        /// <summary>Every CUDA library name and path tried while choosing the backend, with the outcome of each (empty when the CPU was requested).</summary>
        public IReadOnlyList<string> LoadTrace { get; }

        /// <summary>A description of the backend, e.g. <c>cpu (2 threads, 8-wide SIMD)</c>.</summary>
        public string BackendDescription => Main.Description;

        /// <summary>The number of CPU worker threads.</summary>
        public int ThreadCount => Cpu.ThreadCount;

        /// <summary>The generator used when an initializer is not given one, seeded from <see cref="EngineOptions.Seed"/>.</summary>
        public Generator DefaultGenerator { get; }

        /// <summary>True once <see cref="Dispose"/> has run.</summary>
        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>Creates a zero-filled float32 tensor of the given shape (row-major; NCHW for images) on the engine's backend.</summary>
        /// <exception cref="ArgumentException">A dimension is negative or the element count exceeds the backend's limit.</exception>
        public Tensor CreateTensor(params int[] shape)
        {
            ThrowIfDisposed();
            return new Tensor(this, shape);
        }

        /// <summary>Creates a tensor holding a copy of <paramref name="data"/>, whose length must equal the shape's element count.</summary>
        /// <exception cref="ArgumentException">The length does not match the shape.</exception>
        public Tensor CreateTensor(ReadOnlySpan<float> data, params int[] shape)
        {
            ThrowIfDisposed();
            if (shape is null) throw new ArgumentNullException(nameof(shape));
            long n = TensorShape.TensorLength(shape, nameof(shape));
            if (data.Length != n)
                throw new ArgumentException($"data has {data.Length} elements but shape {TensorShape.Format(shape)} needs {n}; pass exactly {n} values.", nameof(data));
            var t = new Tensor(this, shape);
            t.CopyFrom(data);
            return t;
        }

        /// <summary>Waits until all work queued on the engine's stream has finished (a no-op on the CPU).</summary>
        public void Synchronize()
        {
            ThrowIfDisposed();
            Cuda?.Synchronize();
        }

        internal void ThrowIfDisposed()
        {
            if (IsDisposed) throw new ObjectDisposedException(nameof(Engine), "This engine has been disposed; create a new one with Engine.Create().");
        }

        /// <summary>
        /// Releases the engine: on CUDA it synchronizes, destroys the cuBLAS and cuDNN handles, frees all
        /// device memory (including tensors not yet disposed) and releases the primary context.
        /// Idempotent and thread-safe; later use throws <see cref="ObjectDisposedException"/>.
        /// </summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            Main.Dispose();
            if (!ReferenceEquals(Main, Cpu)) Cpu.Dispose(); // the host-side CPU workers
        }

        /// <inheritdoc />
        public override string ToString() => $"Engine({BackendDescription}, seed={DefaultGenerator.Seed})";
    }
}
