using System;
using InitCore.Backends.Cpu;

namespace InitCore
{
    /// <summary>What an initializer writes to: a tensor, or a host span with a shape. Validates once.</summary>
    internal readonly ref struct InitTarget
    {
        private readonly Engine _engine;

        internal InitTarget(Tensor tensor)
        {
            if (tensor is null) throw new ArgumentNullException(nameof(tensor));
            _engine = tensor.Engine;
            Data = tensor.Span;
            Shape = tensor.ShapeArray;
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
            Data = data;
            Shape = shape;
            ParamName = "shape";
        }

        /// <summary>A target whose shape is irrelevant (elementwise fills): a flat vector.</summary>
        internal static InitTarget Flat(Engine engine, Span<float> data, int[] scratchShape)
        {
            scratchShape[0] = data.Length;
            return new InitTarget(engine, data, scratchShape);
        }

        internal Span<float> Data { get; }
        internal ReadOnlySpan<int> Shape { get; }
        internal string ParamName { get; }
        internal bool IsEmpty => Data.Length == 0;
        internal CpuBackend Cpu => _engine.Cpu;

        internal RandomSource Resolve(RandomSource? generator) => generator ?? _engine.DefaultGenerator;

        internal void Fill(in FillSpec spec, RandomSource? generator)
        {
            if (IsEmpty) return;
            _engine.Cpu.Fill(Data, spec, Resolve(generator));
        }

        internal void FillConstant(float value) => _engine.Cpu.FillConstant(Data, value);

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
