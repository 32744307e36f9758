using System;
using System.Threading;
using InitCore.Backends.Cpu;

namespace InitCore
{
    /// <summary>
    /// The root object a host creates once and disposes when done. It owns the backend, the
    /// worker-thread setting and a default <see cref="Generator"/>; there is no global state, so
    /// several engines can live side by side. Every member may be called from any thread.
    /// </summary>
    /// <example>
    /// <code>
    /// using var engine = Engine.Create(new EngineOptions { Seed = 42 });
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
            switch (options.Backend)
            {
                case BackendKind.Auto:
                    Cpu = new CpuBackend(threads);
                    BackendReason = "CPU backend: the only backend in this build (auto)";
                    break;
                case BackendKind.Cpu:
                    Cpu = new CpuBackend(threads);
                    BackendReason = "CPU backend: requested";
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(options), options.Backend,
                        $"Unknown backend {options.Backend}; use one of {string.Join(", ", Enum.GetNames(typeof(BackendKind)))}.");
            }
            DefaultGenerator = new Generator(options.Seed);
        }

        /// <summary>Creates an engine.</summary>
        /// <param name="options">Backend, seed and thread count; null for the defaults.</param>
        /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
        public static Engine Create(EngineOptions? options = null) => new Engine(options ?? new EngineOptions());

        internal CpuBackend Cpu { get; }

        /// <summary>The backend in use.</summary>
        public BackendKind Backend => BackendKind.Cpu;

        /// <summary>One line saying which backend was chosen and why, for logs and the samples' "backend" line.</summary>
        public string BackendReason { get; }

        /// <summary>A description of the backend, e.g. <c>cpu (2 threads, 8-wide SIMD)</c>.</summary>
        public string BackendDescription => Cpu.Description;

        /// <summary>The number of CPU worker threads.</summary>
        public int ThreadCount => Cpu.ThreadCount;

        /// <summary>The generator used when an initializer is not given one, seeded from <see cref="EngineOptions.Seed"/>.</summary>
        public Generator DefaultGenerator { get; }

        /// <summary>True once <see cref="Dispose"/> has run.</summary>
        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>Creates a zero-filled float32 tensor of the given shape (row-major; NCHW for images).</summary>
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
            var t = new Tensor(this, shape);
            t.CopyFrom(data);
            return t;
        }

        internal void ThrowIfDisposed()
        {
            if (IsDisposed) throw new ObjectDisposedException(nameof(Engine), "This engine has been disposed; create a new one with Engine.Create().");
        }

        /// <summary>Releases the engine. Idempotent and thread-safe; later use throws <see cref="ObjectDisposedException"/>.</summary>
        public void Dispose()
        {
            Interlocked.Exchange(ref _disposed, 1);
        }

        /// <inheritdoc />
        public override string ToString() => $"Engine({BackendDescription}, seed={DefaultGenerator.Seed})";
    }
}
