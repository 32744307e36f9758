namespace InitCore.Data
{
    /// <summary>
    /// The contents of one IDX file: its element type, its dimensions and its elements (row-major).
    /// Read one with <see cref="IdxReader"/>; write one with <see cref="IdxWriter"/>.
    /// </summary>
    public sealed class IdxArray
    {
        private readonly int[] _shape;
        private readonly byte[] _payload; // the elements exactly as stored: big-endian

        internal IdxArray(IdxElementType elementType, int[] shape, byte[] payload)
        {
            ElementType = elementType;
            _shape = shape;
            _payload = payload;
            Length = payload.Length / IdxElementTypes.Size(elementType);
        }

        /// <summary>The element type the file declares.</summary>
        public IdxElementType ElementType { get; }

        /// <summary>The dimensions, outermost first (MNIST images: [N, 28, 28]; labels: [N]).</summary>
        public IReadOnlyList<int> Shape => _shape;

        /// <summary>The number of elements: the product of the dimensions.</summary>
        public int Length { get; }

        internal byte[] Payload => _payload;

        /// <summary>Returns a copy of the elements of an <see cref="IdxElementType.UnsignedByte"/> file.</summary>
        /// <exception cref="InvalidOperationException">The file holds another element type.</exception>
        public byte[] ToByteArray()
        {
            if (ElementType != IdxElementType.UnsignedByte)
                throw new InvalidOperationException($"ToByteArray needs an unsigned-byte (0x08) IDX file, but this one holds {IdxElementTypes.Describe(ElementType)}; use ToSingleArray or ToInt32Array.");
            return (byte[])_payload.Clone();
        }

        /// <summary>Returns the elements of an integer file (0x08, 0x09, 0x0B, 0x0C) as int32 values.</summary>
        /// <exception cref="InvalidOperationException">The file holds floating-point elements.</exception>
        public int[] ToInt32Array()
        {
            var result = new int[Length];
            switch (ElementType)
            {
                case IdxElementType.UnsignedByte: for (int i = 0; i < result.Length; i++) result[i] = _payload[i]; break;
                case IdxElementType.SignedByte: for (int i = 0; i < result.Length; i++) result[i] = unchecked((sbyte)_payload[i]); break;
                case IdxElementType.Int16: for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt16BigEndian(_payload.AsSpan(2 * i)); break;
                case IdxElementType.Int32: for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32BigEndian(_payload.AsSpan(4 * i)); break;
                default:
                    throw new InvalidOperationException($"ToInt32Array needs an integer IDX file, but this one holds {IdxElementTypes.Describe(ElementType)}; use ToSingleArray.");
            }
            return result;
        }

        /// <summary>Returns the elements converted to float32, unscaled (an unsigned byte 255 becomes 255f).</summary>
        public float[] ToSingleArray()
        {
            var result = new float[Length];
            switch (ElementType)
            {
                case IdxElementType.Single:
                    for (int i = 0; i < result.Length; i++) result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32BigEndian(_payload.AsSpan(4 * i)));
                    break;
                case IdxElementType.Double:
                    for (int i = 0; i < result.Length; i++) result[i] = (float)BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(_payload.AsSpan(8 * i)));
                    break;
                default:
                    int[] ints = ToInt32Array();
                    for (int i = 0; i < result.Length; i++) result[i] = ints[i];
                    break;
            }
            return result;
        }

        /// <inheritdoc />
        public override string ToString() => $"IdxArray({IdxElementTypes.Describe(ElementType)}, shape {TensorShape.Format(_shape)})";
    }
}
