using System.IO.Compression;

namespace InitCore.Data
{
    /// <summary>
    /// Reads IDX files (the format of the MNIST distribution), raw or gzipped, and checks them fully:
    /// the magic number, the element type, the rank, and that the payload is exactly as long as the
    /// dimensions say. Any problem is an <see cref="InvalidDataException"/> whose message starts with
    /// the file's name and gives the expected and actual values.
    /// </summary>
    /// <remarks>
    /// Layout: two zero bytes, a type code (<see cref="IdxElementType"/>), the rank r, then r big-endian
    /// uint32 dimension sizes, then the elements in row-major order, big-endian. Gzip is recognized by its
    /// signature (1f 8b), so a renamed file still reads; a name ending in .gz must hold gzip data.
    /// </remarks>
    public static class IdxReader
    {
        /// <summary>The largest payload read, in bytes: the largest byte array .NET allocates.</summary>
        internal const long MaxPayloadBytes = 0x7FFFFFC7;

        /// <summary>Reads an IDX file, raw or gzipped.</summary>
        /// <param name="path">The file; gzip is detected from its first two bytes.</param>
        /// <exception cref="InvalidDataException">The file is not a well-formed IDX file (the message says what is wrong).</exception>
        /// <exception cref="FileNotFoundException">The file does not exist.</exception>
        public static IdxArray Read(string path)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Read(stream, path, path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>Reads an IDX file from a stream, raw or gzipped, up to the stream's end (which must be the payload's end).</summary>
        /// <param name="stream">The data; read from its current position to its end. Not disposed.</param>
        /// <param name="name">The name used in error messages (for example the file name); "stream" when null.</param>
        /// <exception cref="InvalidDataException">The data is not a well-formed IDX file.</exception>
        public static IdxArray Read(Stream stream, string? name = null)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            return Read(stream, name ?? "stream", requireGzip: false);
        }

        private static IdxArray Read(Stream stream, string name, bool requireGzip)
        {
            var signature = new byte[2];
            int got = ReadFully(stream, signature, 0, 2);
            bool gzip = got == 2 && signature[0] == 0x1F && signature[1] == 0x8B;
            if (requireGzip && !gzip)
                throw Error(name, $"the name ends in .gz but the data does not start with the gzip signature 1f 8b (it starts with {Hex(signature, got)}); rename the file or download it again.");
            var prefixed = new PrefixedStream(signature, got, stream);
            if (!gzip)
            {
                long? total = stream.CanSeek ? stream.Length - stream.Position + got : (long?)null;
                return Parse(prefixed, name, total, compressed: false);
            }
            using var decompressed = new GZipStream(prefixed, CompressionMode.Decompress, leaveOpen: true);
            return Parse(decompressed, name, null, compressed: true);
        }

        private static IdxArray Parse(Stream s, string name, long? totalBytes, bool compressed)
        {
            string content = compressed ? "decompressed data" : "file";
            var magic = new byte[4];
            int got = Fill(s, magic, 0, 4, name, compressed);
            if (got < 4)
                throw Error(name, $"the {content} is {got} bytes long; an IDX file starts with a 4-byte magic number (00 00, type code, rank).");
            if (magic[0] != 0 || magic[1] != 0)
                throw Error(name, $"bad magic number 0x{magic[0]:X2}{magic[1]:X2}{magic[2]:X2}{magic[3]:X2}: an IDX file starts with two zero bytes, then the type code and the rank (0x00000803 for MNIST images, 0x00000801 for labels). The file is not IDX or is corrupt.");
            var type = (IdxElementType)magic[2];
            int size = IdxElementTypes.Size(type);
            if (size == 0)
                throw Error(name, $"unknown element type code 0x{magic[2]:X2} in magic number 0x0000{magic[2]:X2}{magic[3]:X2}; IDX defines {IdxElementTypes.Known}.");
            int rank = magic[3];
            if (rank == 0)
                throw Error(name, "the rank (fourth byte of the magic number) is 0; an IDX file has at least one dimension.");

            var dimBytes = new byte[4 * rank];
            got = Fill(s, dimBytes, 0, dimBytes.Length, name, compressed);
            if (got < dimBytes.Length)
                throw Error(name, $"truncated header: rank {rank} needs {dimBytes.Length} bytes of dimension sizes after the magic number, but the {content} ends after {got}.");
            var shape = new int[rank];
            long elements = 1;
            for (int i = 0; i < rank; i++)
            {
                uint d = (uint)(dimBytes[4 * i] << 24 | dimBytes[4 * i + 1] << 16 | dimBytes[4 * i + 2] << 8 | dimBytes[4 * i + 3]);
                if (d > int.MaxValue)
                    throw Error(name, $"dimension {i} is {d}, beyond the supported {int.MaxValue}; the header is corrupt.");
                shape[i] = (int)d;
                elements = elements * d;
                if (elements * size > MaxPayloadBytes)
                    throw Error(name, $"the dimensions {DescribeDims(dimBytes, rank)} declare more than {MaxPayloadBytes} payload bytes, more than one array can hold; the header is corrupt.");
            }
            long payload = elements * size;
            long headerBytes = 4 + 4L * rank;
            string declared = $"the header declares {FormatShape(shape)} {IdxElementTypes.Describe(type)} = {payload} payload bytes ({headerBytes + payload} bytes in all)";

            // A raw file's length is known up front: report a wrong length before reading anything.
            if (totalBytes is long total && total != headerBytes + payload)
            {
                if (total < headerBytes + payload)
                    throw Error(name, $"truncated: {declared}, but the file holds {total} bytes ({total - headerBytes} payload bytes); the file is incomplete: download or copy it again.");
                throw Error(name, $"{total - headerBytes - payload} unexpected bytes after the payload: {declared}, but the file holds {total} bytes; the file is corrupt or its header's dimensions are wrong.");
            }

            // Grow the buffer as data arrives, so a corrupt header cannot make us allocate gigabytes for a small file.
            var data = new byte[Math.Min(payload, 1 << 22)];
            long read = 0;
            while (read < payload)
            {
                if (read == data.Length) Array.Resize(ref data, (int)Math.Min(payload, 2L * data.Length));
                int n = Fill(s, data, (int)read, data.Length - (int)read, name, compressed);
                read += n;
                if (read < data.Length) break;
            }
            if (read < payload)
                throw Error(name, $"truncated: {declared}, but the {content} ends after {read} payload bytes ({headerBytes + read} bytes in all); the file is incomplete: download or copy it again.");

            var probe = new byte[1 << 12];
            long extra = 0;
            int more;
            while ((more = Fill(s, probe, 0, probe.Length, name, compressed)) > 0) extra += more;
            if (extra > 0)
                throw Error(name, $"{extra} unexpected bytes after the payload: {declared}, but the {content} holds {headerBytes + payload + extra} bytes; the file is corrupt or its header's dimensions are wrong.");
            return new IdxArray(type, shape, data);
        }

        /// <summary>Reads until <paramref name="count"/> bytes or the end; a gzip decoding failure becomes a message naming the file.</summary>
        private static int Fill(Stream s, byte[] buffer, int offset, int count, string name, bool compressed)
        {
            try
            {
                return ReadFully(s, buffer, offset, count);
            }
            catch (InvalidDataException ex) when (compressed)
            {
                throw Error(name, $"the gzip data is corrupt ({ex.Message}); download or copy the file again.", ex);
            }
        }

        private static int ReadFully(Stream s, byte[] buffer, int offset, int count)
        {
            int total = 0;
            while (total < count)
            {
                int n = s.Read(buffer, offset + total, count - total);
                if (n <= 0) break;
                total += n;
            }
            return total;
        }

        private static InvalidDataException Error(string name, string message, Exception? inner = null) =>
            new InvalidDataException($"IDX {name}: {message}", inner);

        private static string Hex(byte[] bytes, int count)
        {
            if (count == 0) return "nothing: it is empty";
            var parts = new string[count];
            for (int i = 0; i < count; i++) parts[i] = bytes[i].ToString("x2", CultureInfo.InvariantCulture);
            return string.Join(" ", parts);
        }

        private static string FormatShape(int[] shape)
        {
            var parts = new string[shape.Length];
            for (int i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
            return string.Join(" × ", parts);
        }

        private static string DescribeDims(byte[] dimBytes, int rank)
        {
            var parts = new string[rank];
            for (int i = 0; i < rank; i++)
                parts[i] = ((uint)(dimBytes[4 * i] << 24 | dimBytes[4 * i + 1] << 16 | dimBytes[4 * i + 2] << 8 | dimBytes[4 * i + 3])).ToString(CultureInfo.InvariantCulture);
            return string.Join(" × ", parts);
        }

        /// <summary>A forward-only read stream that yields a few already-read bytes, then the rest of another stream.</summary>
        private sealed class PrefixedStream : Stream
        {
            private readonly byte[] _prefix;
            private readonly int _prefixLength;
            private readonly Stream _rest;
            private int _position;

            internal PrefixedStream(byte[] prefix, int prefixLength, Stream rest)
            {
                _prefix = prefix;
                _prefixLength = prefixLength;
                _rest = rest;
            }

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count)
            {
                if (_position < _prefixLength && count > 0)
                {
                    int n = Math.Min(count, _prefixLength - _position);
                    Buffer.BlockCopy(_prefix, _position, buffer, offset, n);
                    _position += n;
                    return n;
                }
                return _rest.Read(buffer, offset, count);
            }

            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
