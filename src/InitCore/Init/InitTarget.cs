using System;
using InitCore.Backends.Cpu;

namespace InitCore
{
    /// <summary>
    /// What an initializer writes to: a tensor on any backend, or a host span with a shape. Validates
    /// once. Random fills of device tensors from a <see cref="Generator"/> run on the device; other
    /// sources, and the structured initializers, compute on the host and upload.
    /// </summary>
    internal readonly ref struct InitTarget
    {
        private readonly Engine _engine;
        private readonly Tensor? _tensor;
        private readonly Span<float> _span;

        internal InitTarget(Tensor tensor)
        {
            if (tensor is null) throw new ArgumentNullException(nameof(tensor));
            _engine = tensor.Engine;
            _tensor = tensor;
            _span = tensor.HostArray; // null (empty span) on device backends; also checks disposal
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
        internal CpuBackend Cpu => _engine.Cpu;
        private bool OnDevice => _tensor is not null && _tensor.HostArray is null;

        internal RandomSource Resolve(RandomSource? generator) => generator ?? _engine.DefaultGenerator;

        internal void Fill(in FillSpec spec, RandomSource? generator)
        {
            if (IsEmpty) return;
            RandomSource source = Resolve(generator);
            if (!OnDevice)
            {
                source.FillHost(Cpu, _span, spec);
            }
            else if (source is Generator philox)
            {
                _engine.Main.Fill(_tensor!.Storage, spec, philox);
            }
            else
            {
                var host = new float[Length];
                source.FillHost(Cpu, host, spec);
                _engine.Main.Upload(_tensor!.Storage, host);
            }
        }

        internal void FillConstant(float value)
        {
            if (_tensor is not null) _engine.Main.FillConstant(_tensor.Storage, value);
            else Cpu.FillConstant(_span, value);
        }

        /// <summary>Host memory holding the target's elements: the data itself on the CPU, a scratch copy for a device tensor (commit it with <see cref="CommitHost"/>).</summary>
        internal Span<float> HostBuffer() => OnDevice ? new float[Length] : _span;

        internal void CommitHost(Span<float> buffer)
        {
            if (OnDevice) _engine.Main.Upload(_tensor!.Storage, buffer);
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
