using System;
using System.IO;
using System.IO.Compression;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Data
{
    [TestClass]
    public sealed class IdxReaderTests
    {
        private static byte[] Bytes(int n)
        {
            var b = new byte[n];
            for (int i = 0; i < n; i++) b[i] = (byte)(i * 37 + 11);
            return b;
        }

        private static byte[] Gzip(byte[] data)
        {
            using var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data, 0, data.Length);
            return ms.ToArray();
        }

        private static byte[] Idx(byte[] data, params int[] shape)
        {
            using var ms = new MemoryStream();
            IdxWriter.Write(ms, data, shape);
            return ms.ToArray();
        }

        private static InvalidDataException ReadFails(string path, params string[] messageParts)
        {
            var ex = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
            StringAssert.Contains(ex.Message, path);
            foreach (string part in messageParts) StringAssert.Contains(ex.Message, part);
            return ex;
        }

        [TestMethod]
        public void IdxReader_RawFileRoundTrip_ReturnsSameShapeAndBytes()
        {
            using var dir = new TempFolder();
            string path = dir.File("images-idx3-ubyte");
            byte[] data = Bytes(5 * 4 * 3);
            IdxWriter.Write(path, data, 5, 4, 3);

            IdxArray read = IdxReader.Read(path);

            Assert.AreEqual(IdxElementType.UnsignedByte, read.ElementType);
            CollectionAssert.AreEqual(new[] { 5, 4, 3 }, read.Shape.ToArrayOf());
            CollectionAssert.AreEqual(data, read.ToByteArray());
            Assert.AreEqual(16 + 60, new FileInfo(path).Length);
            CollectionAssert.AreEqual(new byte[] { 0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 3 }, File.ReadAllBytes(path)[..16]);
        }

        [TestMethod]
        public void IdxReader_GzipFileRoundTrip_ReturnsSameBytes()
        {
            using var dir = new TempFolder();
            string path = dir.File("labels-idx1-ubyte.gz");
            byte[] data = Bytes(1000);
            IdxWriter.Write(path, data, 1000);

            byte[] onDisk = File.ReadAllBytes(path);
            Assert.AreEqual(0x1F, onDisk[0]);
            Assert.AreEqual(0x8B, onDisk[1]);
            CollectionAssert.AreEqual(data, IdxReader.Read(path).ToByteArray());
        }

        [TestMethod]
        public void IdxReader_GzipFileWithoutGzExtension_IsDetectedBySignature()
        {
            using var dir = new TempFolder();
            string path = dir.File("renamed-idx1-ubyte");
            byte[] data = Bytes(300);
            File.WriteAllBytes(path, Gzip(Idx(data, 300)));

            CollectionAssert.AreEqual(data, IdxReader.Read(path).ToByteArray());
        }

        [TestMethod]
        public void IdxReader_FloatFileRoundTrip_ReturnsSameValuesBitForBit()
        {
            using var dir = new TempFolder();
            float[] values = { 0f, -0f, 1.5f, -3.25e-7f, float.MaxValue, float.Epsilon, float.NaN, float.NegativeInfinity };
            string raw = dir.File("f-idx2");
            string gz = dir.File("f-idx2.gz");
            IdxWriter.Write(raw, values, 2, 4);
            IdxWriter.Write(gz, values, 2, 4);

            foreach (string path in new[] { raw, gz })
            {
                IdxArray read = IdxReader.Read(path);
                Assert.AreEqual(IdxElementType.Single, read.ElementType);
                CollectionAssert.AreEqual(new[] { 2, 4 }, read.Shape.ToArrayOf());
                float[] back = read.ToSingleArray();
                for (int i = 0; i < values.Length; i++)
                    Assert.AreEqual(BitConverter.SingleToInt32Bits(values[i]), BitConverter.SingleToInt32Bits(back[i]), $"element {i}");
            }
            // Big-endian on disk: 1.5f = 0x3FC00000 is element 2, after the 12-byte header.
            CollectionAssert.AreEqual(new byte[] { 0x3F, 0xC0, 0, 0 }, File.ReadAllBytes(raw)[20..24]);
        }

        [TestMethod]
        public void IdxReader_IntegerTypes_DecodeBigEndianAndSign()
        {
            byte[] int16 = { 0, 0, 0x0B, 1, 0, 0, 0, 2, 0xFF, 0xFE, 0x01, 0x02 };
            CollectionAssert.AreEqual(new[] { -2, 258 }, IdxReader.Read(new MemoryStream(int16)).ToInt32Array());
            byte[] int32 = { 0, 0, 0x0C, 1, 0, 0, 0, 1, 0x80, 0, 0, 1 };
            CollectionAssert.AreEqual(new[] { int.MinValue + 1 }, IdxReader.Read(new MemoryStream(int32)).ToInt32Array());
            byte[] sbytes = { 0, 0, 0x09, 1, 0, 0, 0, 2, 0xFF, 0x7F };
            CollectionAssert.AreEqual(new[] { -1, 127 }, IdxReader.Read(new MemoryStream(sbytes)).ToInt32Array());
            byte[] float64 = { 0, 0, 0x0E, 1, 0, 0, 0, 1, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0 };
            CollectionAssert.AreEqual(new[] { 1.5f }, IdxReader.Read(new MemoryStream(float64)).ToSingleArray());
        }

        [TestMethod]
        public void IdxReader_NonSeekableStreams_ReadRawAndGzip()
        {
            byte[] data = Bytes(2 * 28 * 28);
            byte[] idx = Idx(data, 2, 28, 28);
            CollectionAssert.AreEqual(data, IdxReader.Read(new NonSeekableStream(idx)).ToByteArray());
            CollectionAssert.AreEqual(data, IdxReader.Read(new NonSeekableStream(Gzip(idx))).ToByteArray());
        }

        [TestMethod]
        public void IdxReader_BadMagic_ThrowsNamingTheMagicNumber()
        {
            using var dir = new TempFolder();
            string path = dir.File("bad-magic");
            byte[] idx = Idx(Bytes(4), 4);
            idx[0] = 0x12;
            idx[1] = 0x34;
            File.WriteAllBytes(path, idx);
            ReadFails(path, "bad magic number 0x12340801", "two zero bytes");
        }

        [TestMethod]
        public void IdxReader_UnknownTypeCode_ThrowsListingTheKnownCodes()
        {
            using var dir = new TempFolder();
            string path = dir.File("bad-type");
            byte[] idx = Idx(Bytes(4), 4);
            idx[2] = 0x07;
            File.WriteAllBytes(path, idx);
            ReadFails(path, "unknown element type code 0x07", "0x08 (unsigned byte)", "0x0D (float32)");
        }

        [TestMethod]
        public void IdxReader_RankZero_Throws()
        {
            var ex = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(new byte[] { 0, 0, 8, 0 }), "rank0"));
            StringAssert.Contains(ex.Message, "IDX rank0: the rank (fourth byte of the magic number) is 0");
        }

        [TestMethod]
        public void IdxReader_TruncatedFile_ThrowsNamingExpectedLength()
        {
            using var dir = new TempFolder();
            string path = dir.File("train-images-idx3-ubyte");
            byte[] idx = Idx(Bytes(10 * 3), 10, 3);
            File.WriteAllBytes(path, idx[..^10]);
            ReadFails(path, "truncated", "10 × 3 unsigned bytes = 30 payload bytes (42 bytes in all)", "holds 32 bytes (20 payload bytes)");
        }

        [TestMethod]
        public void IdxReader_TruncatedPayloadInsideValidGzip_ThrowsNamingExpectedAndActualLength()
        {
            using var dir = new TempFolder();
            string path = dir.File("train-images-idx3-ubyte.gz");
            byte[] idx = Idx(Bytes(10 * 3), 10, 3);
            File.WriteAllBytes(path, Gzip(idx[..^10]));
            ReadFails(path, "truncated", "30 payload bytes (42 bytes in all)", "decompressed data ends after 20 payload bytes (32 bytes in all)");
        }

        [TestMethod]
        public void IdxReader_CutGzipFile_ThrowsInvalidDataNamingTheFile()
        {
            using var dir = new TempFolder();
            string path = dir.File("cut-idx3-ubyte.gz");
            byte[] gz = Gzip(Idx(Bytes(4000), 40, 100));
            File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
            var ex = ReadFails(path);
            Assert.IsTrue(ex.Message.Contains("truncated") || ex.Message.Contains("gzip data is corrupt"), ex.Message);
        }

        [TestMethod]
        public void IdxReader_TruncatedHeader_ThrowsNamingTheRank()
        {
            var ex = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(new byte[] { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0 }), "short"));
            StringAssert.Contains(ex.Message, "truncated header: rank 3 needs 12 bytes of dimension sizes after the magic number, but the file ends after 6");
        }

        [TestMethod]
        public void IdxReader_TrailingBytes_ThrowsCountingThem()
        {
            using var dir = new TempFolder();
            string path = dir.File("trailing-idx1-ubyte");
            byte[] idx = Idx(Bytes(8), 8);
            File.WriteAllBytes(path, [.. idx, 1, 2, 3, 4, 5]);
            ReadFails(path, "5 unexpected bytes after the payload", "8 unsigned bytes = 8 payload bytes (16 bytes in all)", "holds 21 bytes");
        }

        [TestMethod]
        public void IdxReader_TrailingBytesInNonSeekableOrGzipStream_Throw()
        {
            byte[] idx = [.. Idx(Bytes(8), 8), 9, 9, 9];
            var raw = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new NonSeekableStream(idx), "pipe"));
            StringAssert.Contains(raw.Message, "IDX pipe: 3 unexpected bytes after the payload");
            var gz = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new NonSeekableStream(Gzip(idx)), "pipe.gz"));
            StringAssert.Contains(gz.Message, "3 unexpected bytes after the payload");
        }

        [TestMethod]
        public void IdxReader_DimensionsDisagreeWithLength_Throws()
        {
            // A header declaring [3, 3] over 12 payload bytes: more data than the dimensions say.
            byte[] patched = [0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 3, .. Bytes(12)];
            var ex = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(patched), "dims"));
            StringAssert.Contains(ex.Message, "3 unexpected bytes after the payload: the header declares 3 × 3 unsigned bytes = 9 payload bytes");
        }

        [TestMethod]
        public void IdxReader_GzExtensionOnRawData_ThrowsSayingItIsNotGzip()
        {
            using var dir = new TempFolder();
            string path = dir.File("labels-idx1-ubyte.gz");
            File.WriteAllBytes(path, Idx(Bytes(3), 3));
            ReadFails(path, "does not start with the gzip signature 1f 8b (it starts with 00 00)");
        }

        [TestMethod]
        public void IdxReader_EmptyFile_ThrowsSayingItIsTooShort()
        {
            using var dir = new TempFolder();
            string path = dir.File("empty");
            File.WriteAllBytes(path, Array.Empty<byte>());
            ReadFails(path, "is 0 bytes long");
        }

        [TestMethod]
        public void IdxReader_HugeDeclaredSizeInSmallGzip_ThrowsTruncatedWithoutAllocatingIt()
        {
            byte[] header = [0, 0, 8, 2, 0x7F, 0xFF, 0, 0, 0, 0, 0, 1, 1, 2, 3];
            var ex = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(Gzip(header)), "huge.gz"));
            StringAssert.Contains(ex.Message, "2147418112 × 1 unsigned bytes = 2147418112 payload bytes");
            StringAssert.Contains(ex.Message, "ends after 3 payload bytes");
        }

        [TestMethod]
        public void IdxWriter_ShapeNotMatchingData_ThrowsNamingShape()
        {
            var ex = Assert.Throws<ArgumentException>(() => IdxWriter.Write(new MemoryStream(), new byte[10], 3, 3));
            Assert.AreEqual("shape", ex.ParamName);
            StringAssert.Contains(ex.Message, "Shape [3, 3] holds 9 elements but the data has 10");
            var rank = Assert.Throws<ArgumentException>(() => IdxWriter.Write(new MemoryStream(), new byte[1], Array.Empty<int>()));
            Assert.AreEqual("shape", rank.ParamName);
        }

        [TestMethod]
        public void IdxArray_ToByteArrayOnFloatFile_ThrowsNamingTheType()
        {
            using var ms = new MemoryStream();
            IdxWriter.Write(ms, new float[] { 1f }, 1);
            ms.Position = 0;
            var ex = Assert.Throws<InvalidOperationException>(() => IdxReader.Read(ms).ToByteArray());
            StringAssert.Contains(ex.Message, "float32 values");
        }
    }

    internal static class ReadOnlyListExtensions
    {
        internal static int[] ToArrayOf(this System.Collections.Generic.IReadOnlyList<int> list)
        {
            var a = new int[list.Count];
            for (int i = 0; i < a.Length; i++) a[i] = list[i];
            return a;
        }
    }
}
