using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Nn
{
    /// <summary>What a PyTorch user reaches for first: state dicts, apply, torch strings for Kaiming, LSUV's and ActivationStats' errors.</summary>
    [TestClass]
    public sealed class TorchApiTests
    {
        private static Engine Cpu(ulong seed = 5) => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = seed });

        /// <summary>Linear, ReLU, nested (Conv2d, BatchNorm2d): torch names 0.weight, 0.bias, 2.0.weight, 2.1.running_mean, …</summary>
        private static Sequential Model(Engine e, int hidden = 3) => new Sequential(e,
            new Linear(e, 2, hidden), new ReLU(e),
            new Sequential(e, new Conv2d(e, 1, 2, 1), new BatchNorm2d(e, 2)));

        private static readonly string[] ModelKeys =
        {
            "0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.weight", "2.1.bias", "2.1.running_mean", "2.1.running_var",
        };

        private static Dictionary<string, float[]> Snapshot(Module m) => m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());

        private static void AssertUnchanged(Dictionary<string, float[]> before, Module m)
        {
            foreach (var kv in m.StateDict()) CollectionAssert.AreEqual(before[kv.Key], kv.Value.ToArray(), $"{kv.Key} changed although the load threw");
        }

        [TestMethod]
        public void StateDict_HasTorchNamesInTorchOrder_AndTheModulesOwnTensors()
        {
            using Engine e = Cpu();
            Sequential m = Model(e);
            IReadOnlyDictionary<string, Tensor> state = m.StateDict();
            CollectionAssert.AreEqual(ModelKeys, state.Keys.ToArray());
            CollectionAssert.AreEqual(m.NamedParameters().Select(p => p.Name).ToArray(), ModelKeys.Where(k => !k.Contains("running")).ToArray());
            CollectionAssert.AreEqual(new[] { "2.1.running_mean", "2.1.running_var" }, m.NamedBuffers().Select(b => b.Name).ToArray());
            Assert.AreSame(((Linear)m[0]).Weight.Value, state["0.weight"], "the values are the module's tensors, as torch's");
            Assert.AreSame(((BatchNorm2d)((Sequential)m[2])[1]).RunningVar, state["2.1.running_var"]);
        }

        [TestMethod]
        public void LoadStateDict_CopiesValuesFromAnotherModelAndEngine()
        {
            using Engine e = Cpu(1), other = Cpu(2);
            Sequential source = Model(other), target = Model(e);
            Init.Normal(((BatchNorm2d)((Sequential)source[2])[1]).RunningMean, 0, 1);
            StateDictLoadResult result = target.LoadStateDict(source.StateDict());
            Assert.AreEqual(0, result.MissingKeys.Count);
            Assert.AreEqual(0, result.UnexpectedKeys.Count);
            foreach (var ((name, t), (_, s)) in target.StateDict().Zip(source.StateDict()))
            {
                CollectionAssert.AreEqual(s.ToArray(), t.ToArray(), name);
                Assert.AreNotSame(s, t, "copied, not shared");
            }
        }

        [TestMethod]
        public void LoadStateDict_Strict_ReportsMissingUnexpectedAndShapeMismatchesInOneException_AndChangesNothing()
        {
            using Engine e = Cpu();
            Sequential m = Model(e);
            var before = Snapshot(m);
            var state = m.StateDict().Where(kv => kv.Key != "0.bias").ToDictionary(kv => kv.Key, kv => kv.Value);
            using Tensor wrong = e.CreateTensor(4, 2), extra = e.CreateTensor(1), zero = e.CreateTensor(2);
            state["0.weight"] = wrong;
            state["x.y"] = extra;
            state["2.1.weight"] = zero; // right shape, would be copied if the load went ahead
            var ex = Assert.ThrowsExactly<ArgumentException>(() => m.LoadStateDict(state));
            Assert.AreEqual("stateDict", ex.ParamName);
            // torch: Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "0.bias". \n\tUnexpected key(s) ...
            StringAssert.StartsWith(ex.Message, "Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: \"0.bias\". \n\tUnexpected key(s) in state_dict: \"x.y\". \n\tsize mismatch for 0.weight: copying a param with shape [4, 2] from checkpoint, the shape in current model is [3, 2].");
            StringAssert.Contains(ex.Message, "Nothing was loaded");
            StringAssert.Contains(ex.Message, "strict: false");
            AssertUnchanged(before, m);
        }

        [TestMethod]
        public void LoadStateDict_NotStrict_SkipsMissingAndUnexpected_ButNotShapeMismatches()
        {
            using Engine e = Cpu();
            Sequential m = Model(e);
            using Tensor ones = e.CreateTensor(Enumerable.Repeat(1f, 3).ToArray(), 3), extra = e.CreateTensor(1);
            StateDictLoadResult r = m.LoadStateDict(new Dictionary<string, Tensor> { ["0.bias"] = ones, ["fc.weight"] = extra }, strict: false);
            CollectionAssert.AreEqual(new[] { 1f, 1f, 1f }, ((Linear)m[0]).Bias!.Value.ToArray());
            CollectionAssert.AreEqual(ModelKeys.Where(k => k != "0.bias").ToArray(), r.MissingKeys.ToArray());
            CollectionAssert.AreEqual(new[] { "fc.weight" }, r.UnexpectedKeys.ToArray());

            var before = Snapshot(m);
            using Tensor wrong = e.CreateTensor(5);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => m.LoadStateDict(new Dictionary<string, Tensor> { ["0.bias"] = wrong }, strict: false));
            StringAssert.Contains(ex.Message, "size mismatch for 0.bias: copying a param with shape [5] from checkpoint, the shape in current model is [3].");
            Assert.IsFalse(ex.Message.Contains("Missing key"), ex.Message);
            AssertUnchanged(before, m);
        }

        [TestMethod]
        public void LoadStateDict_NullOrDisposedValues_ThrowAndChangeNothing()
        {
            using Engine e = Cpu(), other = Cpu(9);
            Sequential m = Model(e);
            var before = Snapshot(m);
            Assert.AreEqual("stateDict", Assert.ThrowsExactly<ArgumentNullException>(() => m.LoadStateDict(null!)).ParamName);
            var state = Model(other).StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
            state["0.bias"] = null!;
            var ex = Assert.ThrowsExactly<ArgumentException>(() => m.LoadStateDict(state));
            StringAssert.Contains(ex.Message, "value for 0.bias is null; pass a tensor of shape [3].");
            AssertUnchanged(before, m);
            state = Model(other).StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
            state["2.1.running_var"].Dispose(); // the last key: every other one would be copied first if the load did not read all before writing
            Assert.ThrowsExactly<ObjectDisposedException>(() => m.LoadStateDict(state));
            AssertUnchanged(before, m);
        }

        [TestMethod]
        public void SafeTensors_SaveAndLoadOfAModule_GoThroughTheStateDict()
        {
            using Engine e = Cpu(1), other = Cpu(2);
            using var dir = new TempFolder();
            Sequential source = Model(e), target = Model(other);
            Init.Normal(((BatchNorm2d)((Sequential)source[2])[1]).RunningVar, 2, 0.1);
            string path = dir.File("model.safetensors");
            SafeTensors.Save(path, source, new Dictionary<string, string> { ["format"] = "pt" });
            CollectionAssert.AreEquivalent(ModelKeys, SafeTensors.Load(path).Tensors.Keys.ToArray(), "the file holds the state dict's names");
            StateDictLoadResult r = SafeTensors.LoadInto(path, target);
            Assert.AreEqual(0, r.MissingKeys.Count + r.UnexpectedKeys.Count);
            foreach (var ((name, t), (_, s)) in target.StateDict().Zip(source.StateDict())) CollectionAssert.AreEqual(s.ToArray(), t.ToArray(), name);

            // A model of another shape: the state dict's message, nothing loaded.
            Sequential wider = Model(other, hidden: 4);
            var before = Snapshot(wider);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => SafeTensors.LoadInto(path, wider));
            StringAssert.Contains(ex.Message, "size mismatch for 0.weight: copying a param with shape [3, 2] from checkpoint, the shape in current model is [4, 2].");
            AssertUnchanged(before, wider);
            using var ms = new MemoryStream();
            SafeTensors.Save(ms, source);
            ms.Position = 0;
            Assert.AreEqual(0, SafeTensors.LoadInto(ms, Model(other)).MissingKeys.Count);
        }

        [TestMethod]
        public void Apply_VisitsChildrenFirstThenSelf_AsTorch()
        {
            using Engine e = Cpu();
            Sequential m = Model(e);
            var order = new List<string>();
            Assert.AreSame(m, m.Apply(x => order.Add(x.Describe().Split('(')[0])));
            // torch: nn.Sequential(nn.Linear, nn.ReLU, nn.Sequential(nn.Conv2d, nn.BatchNorm2d)).apply(...)
            CollectionAssert.AreEqual(new[] { "Linear", "ReLU", "Conv2d", "BatchNorm2d", "Sequential", "Sequential" }, order);
            Assert.AreEqual("fn", Assert.ThrowsExactly<ArgumentNullException>(() => m.Apply(null!)).ParamName);
        }

        [TestMethod]
        public void Apply_InitializesEveryLinearWithTorchStrings()
        {
            using Engine e = Cpu();
            var m = new Sequential(e, new Linear(e, 400, 300), new ReLU(e), new Linear(e, 300, 200));
            m.Apply(x => { if (x is Linear l) Init.KaimingNormal(l.Weight.Value, nonlinearity: "relu"); });
            foreach (Linear l in m.Modules().OfType<Linear>())
            {
                double expected = Math.Sqrt(2.0 / l.InFeatures), std = l.Weight.Value.Std();
                Assert.AreEqual(expected, std, 0.02 * expected, $"{l.Describe()}: kaiming_normal(relu) std √(2/fan_in)");
            }
        }

        [TestMethod]
        public void ChildName_IsPublic_AndChecksTheIndex()
        {
            using Engine e = Cpu();
            Sequential m = Model(e);
            Assert.AreEqual("2", m.ChildName(2));
            var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => m.ChildName(3));
            Assert.AreEqual("index", ex.ParamName);
            StringAssert.Contains(ex.Message, "Sequential has 3 children; pass an index in 0..2.");
        }

        [TestMethod]
        public void Kaiming_TorchStrings_GiveTheEnumsBits()
        {
            using Engine e = Cpu();
            using Tensor a = e.CreateTensor(64, 32), b = e.CreateTensor(64, 32), c = e.CreateTensor(64, 32), d = e.CreateTensor(64, 32);
            Init.KaimingNormal(a, nonlinearity: "leaky_relu", a: 0.2, mode: "fan_out", generator: new Generator(3));
            Init.KaimingNormal(b, 0.2, FanMode.FanOut, Nonlinearity.LeakyRelu, new Generator(3));
            CollectionAssert.AreEqual(b.ToArray(), a.ToArray());
            Init.KaimingUniform(c, "relu", generator: new Generator(4));
            Init.KaimingUniform(d, nonlinearity: Nonlinearity.Relu, generator: new Generator(4));
            CollectionAssert.AreEqual(d.ToArray(), c.ToArray());
        }

        [TestMethod]
        public void Kaiming_BadTorchStrings_ThrowTorchsErrors()
        {
            using Engine e = Cpu();
            using Tensor w = e.CreateTensor(4, 4);
            float[] before = w.ToArray();
            // torch: ValueError: Unsupported nonlinearity rellu (the same message as Gain.Calculate("rellu")).
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Init.KaimingNormal(w, nonlinearity: "rellu"));
            Assert.AreEqual("nonlinearity", ex.ParamName);
            StringAssert.Contains(ex.Message, "Unsupported nonlinearity \"rellu\"");
            Assert.AreEqual(Assert.ThrowsExactly<ArgumentException>(() => Gain.Calculate("rellu")).Message, ex.Message);
            // torch: ValueError: Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']
            ex = Assert.ThrowsExactly<ArgumentException>(() => Init.KaimingUniform(w, "relu", mode: "fan_avg"));
            Assert.AreEqual("mode", ex.ParamName);
            StringAssert.Contains(ex.Message, "Mode fan_avg not supported, please use one of fan_in, fan_out");
            ex = Assert.ThrowsExactly<ArgumentException>(() => Init.KaimingUniform(w, "relu", mode: "FAN_IN"));
            StringAssert.Contains(ex.Message, "Mode FAN_IN not supported");
            Assert.AreEqual("nonlinearity", Assert.ThrowsExactly<ArgumentNullException>(() => Init.KaimingNormal(w, nonlinearity: (string)null!)).ParamName);
            CollectionAssert.AreEqual(before, w.ToArray(), "nothing drawn");
        }

        [TestMethod]
        public void Lsuv_ModelWithNoLayerToCalibrate_ThrowsNamingTheModel()
        {
            using Engine e = Cpu();
            var model = new Sequential(e, new ReLU(e), new Flatten(e));
            using Tensor x = e.CreateTensor(2, 3);
            var ex = Assert.ThrowsExactly<InvalidOperationException>(() => Lsuv.Run(model, x));
            StringAssert.Contains(ex.Message, "LSUV has no layer to calibrate in the model Sequential (layers: ReLU(), Flatten())");
            StringAssert.Contains(ex.Message, "Linear and Conv2d");

            var filtered = new Sequential(e, new Linear(e, 3, 3), new ReLU(e));
            float[] w = ((Linear)filtered[0]).Weight.Value.ToArray();
            ex = Assert.ThrowsExactly<InvalidOperationException>(() => Lsuv.Run(filtered, x, new LsuvOptions { LayerFilter = _ => false }));
            StringAssert.Contains(ex.Message, "that LsuvOptions.LayerFilter accepts");
            CollectionAssert.AreEqual(w, ((Linear)filtered[0]).Weight.Value.ToArray(), "nothing changed");
            Assert.IsTrue(filtered.IsTraining, "the mode is left as it was");
        }

        [TestMethod]
        public void ActivationStats_OnADisposedEngine_ThrowsObjectDisposed()
        {
            Engine e = Cpu();
            var model = new Sequential(e, new Linear(e, 3, 2), new ReLU(e));
            using var stats = new ActivationStats(model);
            using (Tensor x = e.CreateTensor(2, 3)) model.Forward(x);
            e.Dispose();
            var ex = Assert.ThrowsExactly<ObjectDisposedException>(() => stats.Records(model[0]));
            StringAssert.Contains(ex.Message, "Engine.Create()");
            Assert.ThrowsExactly<ObjectDisposedException>(() => stats.ToCsv());
            Assert.ThrowsExactly<ObjectDisposedException>(() => stats.ToJson());
            Assert.ThrowsExactly<ObjectDisposedException>(() => new ActivationStats(model));
        }
    }
}
