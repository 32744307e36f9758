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
    [TestClass]
    public sealed class SafeTensorsTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 3 });

        private static void AssertBitEqual(float[] expected, float[] actual, string what)
        {
            Assert.AreEqual(expected.Length, actual.Length, what);
            for (int i = 0; i < expected.Length; i++)
                Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]), $"{what}[{i}]: {expected[i]} vs {actual[i]}");
        }

        [TestMethod]
        public void SafeTensors_ModelRoundTrip_RestoresEveryWeightBitForBit()
        {
            using var engine = Cpu();
            // A small CNN's state dict, initialized as PyTorch would.
            var model = new Dictionary<string, Tensor>
            {
                ["conv1.weight"] = engine.CreateTensor(8, 1, 5, 5),
                ["conv1.bias"] = engine.CreateTensor(8),
                ["conv2.weight"] = engine.CreateTensor(16, 8, 3, 3),
                ["conv2.bias"] = engine.CreateTensor(16),
                ["fc.weight"] = engine.CreateTensor(10, 16),
                ["fc.bias"] = engine.CreateTensor(10),
            };
            Init.PyTorchDefault(model["conv1.weight"], model["conv1.bias"]);
            Init.KaimingNormal(model["conv2.weight"], nonlinearity: Nonlinearity.Relu);
            Init.Uniform(model["conv2.bias"], -0.1, 0.1);
            Init.XavierUniform(model["fc.weight"]);
            Init.Constant(model["fc.bias"], 0.25);
            using var dir = new TempFolder();
            string path = dir.File("model.safetensors");

            SafeTensors.Save(path, model, new Dictionary<string, string> { ["format"] = "pt" });
            var restored = model.ToDictionary(kv => kv.Key, kv => engine.CreateTensor(kv.Value.Shape.ToArray()));
            SafeTensors.LoadInto(path, restored);

            foreach (var kv in model) AssertBitEqual(kv.Value.ToArray(), restored[kv.Key].ToArray(), kv.Key);
            SafeTensorsFile file = SafeTensors.Load(path);
            Assert.AreEqual("pt", file.Metadata["format"]);
            CollectionAssert.AreEqual(new[] { 16, 8, 3, 3 }, file.Tensors["conv2.weight"].Shape.ToArray());
            foreach (var t in model.Values.Concat(restored.Values)) t.Dispose();
        }

        [TestMethod]
        public void SafeTensors_HostRoundTrip_KeepsScalarsEmptyTensorsAndSpecialValues()
        {
            var tensors = new Dictionary<string, TensorData>
            {
                ["scalar"] = new TensorData(new[] { 3.25f }),
                ["empty"] = new TensorData(Array.Empty<float>(), 0, 4),
                ["special"] = new TensorData(new[] { float.NaN, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue }, 5),
                ["matrix"] = new TensorData(Enumerable.Range(0, 6).Select(i => i * 0.1f).ToArray(), 2, 3),
            };
            using var ms = new MemoryStream();
            SafeTensors.Save(ms, tensors);
            ms.Position = 0;
            SafeTensorsFile file = SafeTensors.Load(ms);

            Assert.AreEqual(4, file.Tensors.Count);
            Assert.AreEqual(0, file.Metadata.Count);
            foreach (var kv in tensors)
            {
                CollectionAssert.AreEqual(kv.Value.Shape.ToArray(), file.Tensors[kv.Key].Shape.ToArray(), kv.Key);
                AssertBitEqual(kv.Value.Data, file.Tensors[kv.Key].Data, kv.Key);
            }
        }

        [TestMethod]
        public void SafeTensors_TinyFile_HasTheReferenceLayoutByteForByte()
        {
            var tensors = new Dictionary<string, TensorData>
            {
                ["b"] = new TensorData(new[] { 1f, 2f }, 2),
                ["a"] = new TensorData(new[] { 0.5f }, 1, 1),
            };
            using var ms = new MemoryStream();
            SafeTensors.Save(ms, tensors, new Dictionary<string, string> { ["format"] = "pt" });
            byte[] file = ms.ToArray();

            const string json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
            int padded = (json.Length + 7) / 8 * 8;
            Assert.AreEqual(0, padded % 8);
            Assert.AreEqual((ulong)padded, BinaryPrimitives.ReadUInt64LittleEndian(file));
            Assert.AreEqual(json + new string(' ', padded - json.Length), Encoding.UTF8.GetString(file, 8, padded));
            CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 0x3F, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40 }, file[(8 + padded)..], "data: a = 0.5, then b = 1, 2, little-endian");
        }

        [TestMethod]
        public void SafeTensors_Names_AreSortedByUtf8BytesNotUtf16Units()
        {
            // U+FF5E is one UTF-16 unit above the surrogates of U+1F600, but its UTF-8 bytes (EF BD 9E) sort before F0 9F 98 80.
            var tensors = new Dictionary<string, TensorData>
            {
                ["\U0001F600"] = new TensorData(new[] { 1f }, 1),
                ["\uFF5E"] = new TensorData(new[] { 2f }, 1),
                ["B"] = new TensorData(new[] { 3f }, 1),
                ["a"] = new TensorData(new[] { 4f }, 1),
            };
            using var ms = new MemoryStream();
            SafeTensors.Save(ms, tensors);
            string header = Encoding.UTF8.GetString(ms.ToArray(), 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(ms.ToArray()));
            int[] at = { header.IndexOf("\"B\""), header.IndexOf("\"a\""), header.IndexOf("\"\uFF5E\""), header.IndexOf("\"\U0001F600\"") };
            CollectionAssert.AreEqual(at.OrderBy(i => i).ToArray(), at, header);
            Assert.IsTrue(at.All(i => i > 0));
        }

        [TestMethod]
        public void SafeTensors_MetadataWithEscapes_RoundTrips()
        {
            var metadata = new Dictionary<string, string> { ["note"] = "quote \" backslash \\ newline \n tab \t bell \u0007 é 😀", ["format"] = "pt" };
            using var ms = new MemoryStream();
            SafeTensors.Save(ms, new Dictionary<string, TensorData> { ["x"] = new TensorData(new[] { 1f }, 1) }, metadata);
            ms.Position = 0;
            var file = SafeTensors.Load(ms);
            Assert.AreEqual(metadata["note"], file.Metadata["note"]);
            Assert.AreEqual("pt", file.Metadata["format"]);
        }

        [TestMethod]
        public void SafeTensors_FileWrittenFromPyTorch_LoadsWithExpectedValues()
        {
            // tests/InitCore.Tests/Fixtures/pytorch-written.safetensors, made by
            // `/usr/bin/python3 tools/safetensors_check.py write-fixture` from torch tensors.
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch-written.safetensors");
            SafeTensorsFile file = SafeTensors.Load(path);

            Assert.AreEqual("pt", file.Metadata["format"]);
            CollectionAssert.AreEquivalent(new[] { "conv.weight", "conv.bias", "fc.weight", "norm.γ", "scalar", "empty" }, file.Tensors.Keys.ToArray());
            CollectionAssert.AreEqual(new[] { 2, 1, 3, 3 }, file.Tensors["conv.weight"].Shape.ToArray());
            AssertBitEqual(Enumerable.Range(0, 18).Select(i => i * 0.5f - 4f).ToArray(), file.Tensors["conv.weight"].Data, "conv.weight");
            AssertBitEqual(new[] { 0.1f, -0.2f }, file.Tensors["conv.bias"].Data, "conv.bias");
            AssertBitEqual(Enumerable.Range(0, 12).Select(i => i / 8f - 0.75f).ToArray(), file.Tensors["fc.weight"].Data, "fc.weight");
            AssertBitEqual(new[] { 1f, -0f, float.Epsilon, float.MaxValue }, file.Tensors["norm.γ"].Data, "norm.γ");
            Assert.AreEqual(0, file.Tensors["scalar"].Shape.Count);
            AssertBitEqual(new[] { 3.25f }, file.Tensors["scalar"].Data, "scalar");
            CollectionAssert.AreEqual(new[] { 0, 3 }, file.Tensors["empty"].Shape.ToArray());

            using var engine = Cpu();
            using var w = engine.CreateTensor(2, 1, 3, 3);
            using var b = engine.CreateTensor(2);
            SafeTensors.LoadInto(path, new Dictionary<string, Tensor> { ["conv.weight"] = w, ["conv.bias"] = b }, strict: false);
            AssertBitEqual(file.Tensors["conv.weight"].Data, w.ToArray(), "conv.weight in a tensor");
        }

        [TestMethod]
        public void SafeTensors_ThroughPyTorch_ValuesSurviveBothDirections()
        {
            string? python = PyTorch.FindPython(out string why);
            if (python is null) Assert.Inconclusive($"PyTorch is not available, so the interop check did not run: {why}");
            string script = PyTorch.RepositoryFile("tools/safetensors_check.py");
            using var engine = Cpu();
            using var dir = new TempFolder();
            var state = new Dictionary<string, Tensor>
            {
                ["layer.weight"] = engine.CreateTensor(4, 3, 2, 2),
                ["layer.bias"] = engine.CreateTensor(4),
                ["head"] = engine.CreateTensor(3, 5),
            };
            Init.KaimingUniform(state["layer.weight"]);
            Init.Normal(state["layer.bias"], 0, 1);
            Init.Orthogonal(state["head"]);
            SafeTensors.Save(dir.File("initcore.safetensors"), state, new Dictionary<string, string> { ["format"] = "pt" });

            string output = PyTorch.Run(python!, $"\"{script}\" roundtrip \"{dir.File("initcore.safetensors")}\" \"{dir.File("torch.safetensors")}\"");

            SafeTensorsFile back = SafeTensors.Load(dir.File("torch.safetensors"));
            Assert.AreEqual("torch", back.Metadata["doubled_by"], output);
            foreach (var kv in state)
            {
                float[] doubled = kv.Value.ToArray().Select(v => v * 2).ToArray();
                CollectionAssert.AreEqual(kv.Value.Shape.ToArray(), back.Tensors[kv.Key].Shape.ToArray(), kv.Key);
                AssertBitEqual(doubled, back.Tensors[kv.Key].Data, kv.Key);
                kv.Value.Dispose();
            }
        }

        [TestMethod]
        public void SafeTensors_SaveWithEmptyOrReservedName_ThrowsNamingTensors()
        {
            var one = new TensorData(new[] { 1f }, 1);
            var empty = Assert.Throws<ArgumentException>(() => SafeTensors.Save(new MemoryStream(), new Dictionary<string, TensorData> { [""] = one }));
            Assert.AreEqual("tensors", empty.ParamName);
            var reserved = Assert.Throws<ArgumentException>(() => SafeTensors.Save(new MemoryStream(), new Dictionary<string, TensorData> { ["__metadata__"] = one }));
            StringAssert.Contains(reserved.Message, "reserved");
            var surrogate = Assert.Throws<ArgumentException>(() => SafeTensors.Save(new MemoryStream(), new Dictionary<string, TensorData> { ["bad\uD800"] = one }));
            StringAssert.Contains(surrogate.Message, "unpaired surrogate");
        }
    }
}
