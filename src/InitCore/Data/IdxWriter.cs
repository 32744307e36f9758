using System.IO.Compression;

namespace InitCore.Data
{
    /// <summary>
    /// Writes IDX files: unsigned bytes (type 0x08, as MNIST) or float32 (type 0x0D), raw or gzipped.
    /// <see cref="IdxReader"/> reads back exactly what was written.
    /// </summary>
    public static class IdxWriter
    {
        /// <summary>Writes an unsigned-byte (0x08) IDX file; gzipped when <paramref name="path"/> ends in .gz.</summary>
        /// <param name="path">The file to create or overwrite.</param>
        /// <param name="data">The elements, row-major; exactly the product of <paramref name="shape"/> of them.</param>
        /// <param name="shape">The dimensions, outermost first: 1 to 255 of them, each ≥ 0.</param>
        /// <exception cref="ArgumentException">The shape is invalid or does not match the data's length.</exception>
        public static void Write(string path, ReadOnlySpan<byte> data, params int[] shape) =>
            WriteFile(path, ValidatedHeader(IdxElementType.UnsignedByte, data.Length, shape), data.ToArray());

        /// <summary>Writes a float32 (0x0D) IDX file; gzipped when <paramref name="path"/> ends in .gz.</summary>
        /// <param name="path">The file to create or overwrite.</param>
        /// <param name="data">The elements, row-major; exactly the product of <paramref name="shape"/> of them.</param>
        /// <param name="shape">The dimensions, outermost first: 1 to 255 of them, each ≥ 0.</param>
        /// <exception cref="ArgumentException">The shape is invalid or does not match the data's length.</exception>
        public static void Write(string path, ReadOnlySpan<float> data, params int[] shape) =>
            WriteFile(path, ValidatedHeader(IdxElementType.Single, data.Length, shape), BigEndian(data));

        /// <summary>Writes an unsigned-byte (0x08) IDX file, uncompressed, to a stream.</summary>
        /// <param name="stream">The destination; not disposed.</param>
        /// <param name="data">The elements, row-major; exactly the product of <paramref name="shape"/> of them.</param>
        /// <param name="shape">The dimensions, outermost first: 1 to 255 of them, each ≥ 0.</param>
        /// <exception cref="ArgumentException">The shape is invalid or does not match the data's length.</exception>
        public static void Write(Stream stream, ReadOnlySpan<byte> data, params int[] shape)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            byte[] header = ValidatedHeader(IdxElementType.UnsignedByte, data.Length, shape);
            stream.Write(header, 0, header.Length);
            stream.Write(data.ToArray(), 0, data.Length);
        }

        /// <summary>Writes a float32 (0x0D) IDX file, uncompressed, to a stream.</summary>
        /// <param name="stream">The destination; not disposed.</param>
        /// <param name="data">The elements, row-major; exactly the product of <paramref name="shape"/> of them.</param>
        /// <param name="shape">The dimensions, outermost first: 1 to 255 of them, each ≥ 0.</param>
        /// <exception cref="ArgumentException">The shape is invalid or does not match the data's length.</exception>
        public static void Write(Stream stream, ReadOnlySpan<float> data, params int[] shape)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            byte[] header = ValidatedHeader(IdxElementType.Single, data.Length, shape);
            byte[] payload = BigEndian(data);
            stream.Write(header, 0, header.Length);
            stream.Write(payload, 0, payload.Length);
        }

        private static void WriteFile(string path, byte[] header, byte[] payload)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                using var gzip = new GZipStream(file, CompressionLevel.Optimal);
                gzip.Write(header, 0, header.Length);
                gzip.Write(payload, 0, payload.Length);
            }
            else
            {
                file.Write(header, 0, header.Length);
                file.Write(payload, 0, payload.Length);
            }
        }

        private static byte[] ValidatedHeader(IdxElementType type, int length, int[] shape)
        {
            if (shape is null) throw new ArgumentNullException(nameof(shape));
            if (shape.Length < 1 || shape.Length > 255)
                throw new ArgumentException($"An IDX file has 1 to 255 dimensions; got {shape.Length}.", nameof(shape));
            long elements = TensorShape.ElementCount(shape, nameof(shape));
            if (elements != length)
                throw new ArgumentException($"Shape {TensorShape.Format(shape)} holds {elements} elements but the data has {length}; pass a shape whose product is the data's length.", nameof(shape));
            var header = new byte[4 + 4 * shape.Length];
            header[2] = (byte)type;
            header[3] = (byte)shape.Length;
            for (int i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), shape[i]);
            return header;
        }

        private static byte[] BigEndian(ReadOnlySpan<float> data)
        {
            var bytes = new byte[4 * data.Length];
            for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 * i), BitConverter.SingleToInt32Bits(data[i]));
            return bytes;
        }
    }
}
