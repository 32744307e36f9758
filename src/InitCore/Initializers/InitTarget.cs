using InitCore.Backends;
using InitCore.Randomness;

namespace InitCore.Initializers
{
    /// <summary>
    /// What an initializer writes to: a tensor on any backend, or a host span with a shape. Validates
    /// once. Random fills follow <see cref="FillTensors"/>: from a <see cref="Generator"/> they run where the
    /// tensor lives; other sources, and the structured initializers, compute on the host and upload.
    /// </summary>
    internal readonly ref struct InitTarget
    {
        private readonly Engine _engine;
        private readonly Tensor? _tensor;
        private readonly Span<float> _span;
        private readonly bool _onDevice;

        internal InitTarget(Tensor tensor)
        {
            if (tensor is null) throw new ArgumentNullException(nameof(tensor));
            _engine = tensor.Engine;
            _tensor = tensor;
            float[]? host = tensor.HostArray; // null on device backends; also checks disposal
            _span = host;
            _onDevice = host is null;
            Shape = tensor.ShapeArray;
            Length = tensor.Length;
            ParamName = "tensor";
        }

        internal InitTarget(Engine engine, Span<float> data, ReadOnlySpan<int> shape)
        {
            if (engine is null) throw new ArgumentNullException(nameof(engine));
            engine.ThrowIfDisposed();
            long n = TensorShape.ElementCount(shape, nameof(shape));
            if (n != data.Length)
                throw new ArgumentException($"data has {data.Length} elements but shape {TensorShape.Format(shape)} needs {n}; pass a span of exactly {n} floats.", nameof(data));
            _engine = engine;
            _tensor = null;
            _span = data;
            Shape = shape;
            Length = n;
            ParamName = "shape";
        }

        /// <summary>A target whose shape is irrelevant (elementwise fills): a flat vector.</summary>
        internal static InitTarget Flat(Engine engine, Span<float> data, int[] scratchShape)
        {
            scratchShape[0] = data.Length;
            return new InitTarget(engine, data, scratchShape);
        }

        internal ReadOnlySpan<int> Shape { get; }
        internal long Length { get; }
        internal string ParamName { get; }
        internal bool IsEmpty => Length == 0;
        /// <summary>The engine's CPU thread count, for host-side work.</summary>
        internal int ThreadCount => _engine.ThreadCount;

        internal RandomSource Resolve(RandomSource? generator) => generator ?? _engine.DefaultGenerator;

        /// <summary>
        /// Fills with <paramref name="definition"/>: its fans are <paramref name="fans"/>, or this target's shape's when
        /// none are given (only for a definition that reads fans); an empty target is left as it is and does not advance
        /// the generator.
        /// </summary>
        internal void Fill(in InitDefinition definition, RandomSource? generator, Fans? fans = null)
        {
            Fans f = definition.UsesFans ? fans ?? ShapeFans() : default;
            if (IsEmpty) return;
            FillSpec spec = definition.Spec(f);
            RandomSource source = Resolve(generator);
            if (_tensor is null) source.FillHost(_span, spec, ThreadCount);
            else FillTensors(_engine, new[] { _tensor }, new[] { spec }, source);
        }

        /// <summary>
        /// The one rule for random fills of tensors: from a Philox <see cref="Generator"/>, the engine's backend draws
        /// them where they live (on CUDA, a batch is one kernel launch); from any other source the host draws each in
        /// turn, into a CPU tensor's memory or into a scratch array that is uploaded to the device tensor. Either way
        /// the tensors get the bits of filling them one by one, in order, and the generator advances as much.
        /// </summary>
        internal static void FillTensors(Engine engine, Tensor[] tensors, FillSpec[] specs, RandomSource source)
        {
            if (source is Generator philox)
            {
                var storages = new TensorStorage[tensors.Length];
                for (int i = 0; i < tensors.Length; i++) storages[i] = tensors[i].Storage;
                if (storages.Length == 1) engine.Main.Fill(storages[0], specs[0], philox.Take(storages[0].Length));
                else
                {
                    // One counter range per tensor, reserved in order: the bits of filling them one by one.
                    var counters = new PhiloxCounter[storages.Length];
                    for (int i = 0; i < storages.Length; i++) counters[i] = philox.Take(storages[i].Length);
                    engine.Main.FillBatched(storages, specs, counters);
                }
                return;
            }
            for (int i = 0; i < tensors.Length; i++)
            {
                var target = new InitTarget(tensors[i]);
                Span<float> host = target.HostBuffer();
                source.FillHost(host, specs[i], engine.ThreadCount);
                target.CommitHost(host);
            }
        }

        internal void FillConstant(float value)
        {
            if (_tensor is not null) _engine.Main.FillConstant(_tensor.Storage, value);
            else _span.Fill(value);
        }

        /// <summary>Host memory holding the target's elements: the data itself on the CPU, a scratch copy for a device tensor (commit it with <see cref="CommitHost"/>).</summary>
        internal Span<float> HostBuffer() => _onDevice ? new float[Length] : _span;

        internal void CommitHost(Span<float> buffer)
        {
            if (_onDevice) _engine.Main.Upload(_tensor!.Storage, buffer);
        }

        /// <summary>PyTorch's fans of this target's shape, with the error naming this target's parameter.</summary>
        internal Fans ShapeFans()
        {
            if (Shape.Length < 2)
                throw new ArgumentException(
                    $"Fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (got shape {TensorShape.Format(Shape)}). Use a weight shaped [out, in, ...], or pass the fans explicitly.",
                    ParamName);
            return Fans.FromShape(Shape);
        }

        internal void RequireRank(int min, int max, string what)
        {
            if (Shape.Length < min || Shape.Length > max)
            {
                string expected = min == max ? $"{min}" : max == int.MaxValue ? $"{min} or more" : $"{min} to {max}";
                throw new ArgumentException($"Only tensors with {expected} dimensions are supported by {what} (got shape {TensorShape.Format(Shape)}).", ParamName);
            }
        }
    }
}
