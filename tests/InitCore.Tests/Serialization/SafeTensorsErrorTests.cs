using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Serialization
{
    /// <summary>Every malformed or mismatched file is rejected with a message naming the problem, and the target tensors keep their values.</summary>
    [TestClass]
    public sealed class SafeTensorsErrorTests
    {
        private const string ValidJson = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";

        private static readonly byte[] ValidData = Data(1f, 2f, 3f);

        private static byte[] Data(params float[] values)
        {
            var bytes = new byte[4 * values.Length];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), BitConverter.SingleToInt32Bits(values[i]));
            return bytes;
        }

        /// <summary>A file from a header (as bytes) and data, with an optional wrong length prefix.</summary>
        private static byte[] Craft(byte[] header, byte[] data, ulong? lengthPrefix = null)
        {
            var file = new byte[8 + header.Length + data.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(file, lengthPrefix ?? (ulong)header.Length);
            header.CopyTo(file, 8);
            data.CopyTo(file, 8 + header.Length);
            return file;
        }

        private static byte[] Craft(string json, byte[]? data = null, ulong? lengthPrefix = null) => Craft(Encoding.UTF8.GetBytes(json), data ?? ValidData, lengthPrefix);

        /// <summary>Runs LoadInto on targets a [2] and b [1] filled with sentinels; asserts the exception and that the targets are unchanged.</summary>
        private static TException LoadIntoFails<TException>(byte[] file, string messagePart, bool strict = true, int[]? shapeA = null)
            where TException : Exception
        {
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            using var a = engine.CreateTensor(new[] { -7f, -8f }, shapeA ?? new[] { 2 });
            using var b = engine.CreateTensor(new[] { -9f }, 1);
            var targets = new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b };
            var ex = Assert.ThrowsExactly<TException>(() => SafeTensors.LoadInto(new MemoryStream(file), targets, strict));
            StringAssert.Contains(ex.Message, messagePart);
            CollectionAssert.AreEqual(new[] { -7f, -8f }, a.ToArray(), "target a was changed");
            CollectionAssert.AreEqual(new[] { -9f }, b.ToArray(), "target b was changed");
            return ex;
        }

        private static void Malformed(byte[] file, string messagePart)
        {
            LoadIntoFails<InvalidDataException>(file, messagePart);
            var ex = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.Load(new MemoryStream(file)));
            StringAssert.Contains(ex.Message, "safetensors stream: ");
        }

        [TestMethod]
        public void LoadInto_ValidCraftedFile_LoadsBothTensors()
        {
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            using var a = engine.CreateTensor(2);
            using var b = engine.CreateTensor(1);
            SafeTensors.LoadInto(new MemoryStream(Craft(ValidJson)), new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b });
            CollectionAssert.AreEqual(new[] { 1f, 2f }, a.ToArray());
            CollectionAssert.AreEqual(new[] { 3f }, b.ToArray());
        }

        [TestMethod]
        public void Load_FileShorterThanTheLengthPrefix_ThrowsInvalidData() =>
            Malformed(new byte[] { 1, 2, 3 }, "the file is 3 bytes long; a safetensors file starts with an 8-byte little-endian header length");

        [TestMethod]
        public void Load_HeaderLengthBeyondTheFile_ThrowsNamingBothLengths() =>
            Malformed(Craft(ValidJson, lengthPrefix: 5000), "the header length prefix says 5000 bytes but only 120 bytes follow it");

        [TestMethod]
        public void Load_HeaderLengthAboveTheFormatLimit_ThrowsInvalidData() =>
            Malformed(Craft(ValidJson, lengthPrefix: 200_000_000), "more than the format's limit of 100000000");

        [TestMethod]
        public void Load_HeaderNotStartingWithBrace_ThrowsInvalidData() =>
            Malformed(Craft(" " + ValidJson), "the header must start with '{' but starts with byte 0x20");

        [TestMethod]
        public void Load_HeaderNotUtf8_ThrowsInvalidData()
        {
            byte[] header = Encoding.UTF8.GetBytes(ValidJson.Replace("\"b\"", "\"\u00ff\""));
            int at = Array.IndexOf(header, (byte)0xC3);
            header[at] = 0xFF; // an invalid UTF-8 lead byte
            Malformed(Craft(header, ValidData), "the header is not valid UTF-8");
        }

        [TestMethod]
        public void Load_MalformedJson_ThrowsNamingThePosition()
        {
            Malformed(Craft(ValidJson.Substring(0, ValidJson.Length - 1) + " "), "the header JSON is malformed at character 108");
            Malformed(Craft("{\"a\":{\"dtype\":\"F32\",},}"), "malformed");
            Malformed(Craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[02],\"data_offsets\":[0,8]}}"), "leading zero");
        }

        [TestMethod]
        public void Load_DuplicateTensorName_ThrowsNamingIt() =>
            Malformed(Craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}"), "duplicate key \"a\"");

        [TestMethod]
        public void Load_MetadataWithNonStringValue_ThrowsNamingTheEntry() =>
            Malformed(Craft("{\"__metadata__\":{\"epochs\":3}," + ValidJson.Substring(1)), "\"__metadata__\" entry \"epochs\" must be a string, found 3");

        [TestMethod]
        public void Load_UnknownDtype_ThrowsListingTheKnownOnes() =>
            Malformed(Craft(ValidJson.Replace("\"dtype\":\"F32\",\"shape\":[1]", "\"dtype\":\"Q4\",\"shape\":[1]")), "tensor 'b': unknown dtype \"Q4\"; the format defines BOOL, U8");

        [TestMethod]
        public void Load_NegativeOrFractionalDimension_ThrowsNamingIt()
        {
            Malformed(Craft(ValidJson.Replace("\"shape\":[1]", "\"shape\":[-1]")), "tensor 'b': shape element 0 must be a non-negative integer, found -1");
            Malformed(Craft(ValidJson.Replace("\"shape\":[1]", "\"shape\":[1.0]")), "found 1.0");
        }

        [TestMethod]
        public void Load_MissingField_ThrowsNamingIt() =>
            Malformed(Craft("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,12]}}"), "tensor 'a': the entry lacks shape");

        [TestMethod]
        public void Load_OffsetsNotMatchingTheShape_ThrowsNamingShapeAndOffsets() =>
            Malformed(Craft(ValidJson.Replace("\"shape\":[2]", "\"shape\":[3]")), "tensor 'a': shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8");

        [TestMethod]
        public void Load_OffsetsEndingBeforeTheyBegin_Throws() =>
            Malformed(Craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}"), "data_offsets [8, 0] end before they begin");

        [TestMethod]
        public void Load_GapBetweenTensors_ThrowsNamingTheOffsets() =>
            Malformed(Craft(ValidJson.Replace("[8,12]", "[12,16]"), Data(1, 2, 0, 3)), "tensor 'b': data_offsets [12, 16] start at 12 but the previous tensor 'a' ends at 8; tensors must tile the data section with no gap");

        [TestMethod]
        public void Load_OverlappingTensors_ThrowsNamingTheOffsets() =>
            Malformed(Craft(ValidJson.Replace("[8,12]", "[4,8]"), Data(1, 2)), "tensor 'b': data_offsets [4, 8] start at 4 but the previous tensor 'a' ends at 8; tensors must tile the data section with no overlap");

        [TestMethod]
        public void Load_DataSectionTruncated_ThrowsNamingExpectedAndActualBytes() =>
            Malformed(Craft(ValidJson, Data(1, 2)), "truncated: the tensors need 12 data bytes after the header but the file holds 8");

        [TestMethod]
        public void Load_BytesAfterTheLastTensor_ThrowsCountingThem() =>
            Malformed(Craft(ValidJson, Data(1, 2, 3, 4)), "4 unexpected bytes after the last tensor's data");

        [TestMethod]
        public void Load_HeaderIsNotAnObject_Throws() =>
            Malformed(Craft("{\"a\":[1,2]}"), "tensor 'a': its entry must be an object");

        [TestMethod]
        public void LoadInto_ShapeMismatch_ThrowsArgumentNamingExpectedAndFoundShapes()
        {
            var ex = LoadIntoFails<ArgumentException>(Craft(ValidJson), "tensor 'a': expected shape [1, 2] (the target's), found [2]", shapeA: new[] { 1, 2 });
            Assert.AreEqual("targets", ex.ParamName);
        }

        [TestMethod]
        public void LoadInto_DtypeMismatch_ThrowsArgumentNamingBothDtypes()
        {
            string f16 = ValidJson.Replace("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]", "\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]");
            LoadIntoFails<ArgumentException>(Craft(f16), "tensor 'b': expected dtype F32 (InitCore tensors are float32), found F16");
            var ex = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.Load(new MemoryStream(Craft(f16))));
            StringAssert.Contains(ex.Message, "tensor 'b' has dtype F16; InitCore reads F32 only");
        }

        [TestMethod]
        public void LoadInto_MissingTensor_ThrowsListingMissingAndPresentNames()
        {
            string onlyA = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
            LoadIntoFails<ArgumentException>(Craft(onlyA, Data(1, 2)), "missing from the file: 'b' (the file holds 'a')");
        }

        [TestMethod]
        public void LoadInto_ExtraTensorWhenStrict_ThrowsSuggestingStrictFalse()
        {
            string withC = ValidJson.Substring(0, ValidJson.Length - 1) + ",\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}";
            byte[] file = Craft(withC, Data(1, 2, 3, 4));
            LoadIntoFails<ArgumentException>(file, "the file holds tensors that are not among the targets: 'c' (pass strict: false to ignore them)");

            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            using var a = engine.CreateTensor(2);
            using var b = engine.CreateTensor(1);
            SafeTensors.LoadInto(new MemoryStream(file), new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b }, strict: false);
            CollectionAssert.AreEqual(new[] { 1f, 2f }, a.ToArray());
        }

        [TestMethod]
        public void LoadInto_SeveralMismatches_AreAllListedInOneMessage()
        {
            string bad = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
            var ex = LoadIntoFails<ArgumentException>(Craft(bad, Data(1, 2)), "missing from the file: 'b'");
            StringAssert.Contains(ex.Message, "tensor 'a': expected shape [2] (the target's), found [1]");
            StringAssert.Contains(ex.Message, "not among the targets: 'z'");
        }

        [TestMethod]
        public void LoadInto_DisposedTarget_ThrowsBeforeChangingTheOthers()
        {
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            using var a = engine.CreateTensor(new[] { -7f, -8f }, 2);
            var b = engine.CreateTensor(1);
            b.Dispose();
            Assert.Throws<ObjectDisposedException>(() => SafeTensors.LoadInto(new MemoryStream(Craft(ValidJson)), new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b }));
            CollectionAssert.AreEqual(new[] { -7f, -8f }, a.ToArray());
        }

        [TestMethod]
        public void LoadInto_CutFile_LeavesAModelUnchanged()
        {
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 9 });
            using var w = engine.CreateTensor(4, 4);
            Init.XavierUniform(w);
            using var dir = new TempFolder();
            string path = dir.File("w.safetensors");
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = w });
            byte[] full = File.ReadAllBytes(path);
            File.WriteAllBytes(path, full[..^5]);
            using var target = engine.CreateTensor(4, 4);
            Init.Constant(target, 0.5);

            var ex = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.LoadInto(path, new Dictionary<string, Tensor> { ["w"] = target }));
            StringAssert.Contains(ex.Message, path);
            StringAssert.Contains(ex.Message, "truncated: the tensors need 64 data bytes after the header but the file holds 59");
            Assert.IsTrue(target.ToArray().All(v => v == 0.5f));
        }
    }
}
