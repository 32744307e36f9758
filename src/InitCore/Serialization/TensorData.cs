namespace InitCore.Serialization
{
    /// <summary>A float32 tensor in host memory: a shape and its elements, row-major. What <see cref="SafeTensors.Load(string)"/> returns per tensor.</summary>
    public sealed class TensorData
    {
        private readonly int[] _shape;

        /// <summary>Wraps <paramref name="data"/> (not copied) with a shape.</summary>
        /// <param name="data">The elements, row-major; exactly the product of <paramref name="shape"/> of them.</param>
        /// <param name="shape">The dimensions, outermost first; empty for a scalar.</param>
        /// <exception cref="ArgumentException">A dimension is negative or the product differs from the data's length.</exception>
        public TensorData(float[] data, params int[] shape)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            if (shape is null) throw new ArgumentNullException(nameof(shape));
            long n = TensorShape.ElementCount(shape, nameof(shape));
            if (n != data.Length)
                throw new ArgumentException($"Shape {TensorShape.Format(shape)} holds {n} elements but the data has {data.Length}.", nameof(shape));
            Data = data;
            _shape = (int[])shape.Clone();
        }

        /// <summary>The dimensions, outermost first (empty for a scalar).</summary>
        public IReadOnlyList<int> Shape => _shape;

        internal int[] ShapeArray => _shape;

        /// <summary>The elements, row-major.</summary>
        public float[] Data { get; }

        /// <summary>Copies the elements of <paramref name="tensor"/> to the host.</summary>
        public static TensorData FromTensor(Tensor tensor)
        {
            if (tensor is null) throw new ArgumentNullException(nameof(tensor));
            return new TensorData(tensor.ToArray(), tensor.ShapeArray);
        }

        /// <summary>Creates a tensor on <paramref name="engine"/> holding a copy of the elements.</summary>
        public Tensor ToTensor(Engine engine)
        {
            if (engine is null) throw new ArgumentNullException(nameof(engine));
            return engine.CreateTensor(Data, _shape);
        }

        /// <inheritdoc />
        public override string ToString() => $"TensorData{TensorShape.Format(_shape)} float32";
    }

    /// <summary>The contents of a safetensors file: its tensors and its <c>__metadata__</c> string map.</summary>
    public sealed class SafeTensorsFile
    {
        internal SafeTensorsFile(IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string> metadata)
        {
            Tensors = tensors;
            Metadata = metadata;
        }

        /// <summary>The tensors by name.</summary>
        public IReadOnlyDictionary<string, TensorData> Tensors { get; }

        /// <summary>The file's <c>__metadata__</c> (empty when it has none), e.g. <c>format: pt</c> from PyTorch.</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <inheritdoc />
        public override string ToString() => $"SafeTensorsFile({Tensors.Count} tensors, {Metadata.Count} metadata entries)";
    }
}
