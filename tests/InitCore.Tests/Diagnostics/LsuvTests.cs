using System;
using System.Collections.Generic;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Diagnostics
{
    [TestClass]
    public sealed class LsuvTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 4 });

        private static readonly System.Lazy<InitCore.Data.MnistData> Mnist = new System.Lazy<InitCore.Data.MnistData>(() => InitCore.Data.Mnist.LoadBundled().Normalize());

        /// <summary>The first <paramref name="n"/> digits of the bundled MNIST training subset, normalized with training statistics.</summary>
        internal static Tensor Images(Engine e, int n = 64) => Mnist.Value.Train.Slice(0, n).ToTensor(e);

        internal static Sequential PlainCnn(Engine e, int depth)
        {
            var layers = new List<Module> { new Conv2d(e, 1, 16, 3, 1, 1), new GeneralReLU(e, 0.1, 0.4) };
            for (int i = 1; i < depth; i++) { layers.Add(new Conv2d(e, 16, 16, 3, 1, 1)); layers.Add(new GeneralReLU(e, 0.1, 0.4)); }
            layers.Add(new AdaptiveAvgPool2d(e));
            layers.Add(new Flatten(e));
            layers.Add(new Linear(e, 16, 10));
            return new Sequential(e, layers.ToArray());
        }

        [TestMethod]
        [DataRow(LsuvVariant.Fastai)]
        [DataRow(LsuvVariant.Paper)]
        public void Lsuv_LessonCnn_ReachesTargetsOnEveryLayer(LsuvVariant variant)
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            using Tensor x = Images(e);
            LsuvReport report = Lsuv.Run(model, x, new LsuvOptions { Variant = variant, Tolerance = 1e-3, MaxIterations = 20 });
            Assert.AreEqual(6, report.Layers.Count, report.ToString());
            Assert.IsTrue(report.AllConverged, report.ToString());
            foreach (LsuvLayerReport l in report.Layers)
            {
                Assert.IsLessThan(1e-3, Math.Abs(l.StdAfter - 1), l.Name);
                if (variant == LsuvVariant.Fastai) Assert.IsLessThan(1e-3, Math.Abs(l.MeanAfter), l.Name);
            }
        }

        [TestMethod]
        public void Lsuv_TwentyLayerPlainCnn_Converges()
        {
            using var e = Cpu();
            var model = PlainCnn(e, 20);
            using Tensor x = Images(e, 16);
            LsuvReport report = Lsuv.Run(model, x, new LsuvOptions { MaxIterations = 20 });
            Assert.AreEqual(21, report.Layers.Count);
            Assert.IsTrue(report.AllConverged, report.ToString());
        }

        [TestMethod]
        public void Lsuv_Cost_IsOnePassPlusEachLayersIterations()
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            int calls = 0;
            using var scope = new HookScope();
            foreach (Module m in model.Modules().Where(m => m.Children.Count == 0)) scope.Forward(m, (_, _, _) => calls++);
            using Tensor x = Images(e);
            LsuvReport report = Lsuv.Run(model, x);
            // Exactly one pass through the model: each conv runs once, its cached output is rescaled and measured
            // (through the GeneralReLU's formula, fused into the statistics pass) on every iteration, and the
            // GeneralReLU module runs once on the final values to make the next layer's input; pool and flatten
            // run once to reach the final Linear, which runs once.
            int leaves = model.Modules().Count(m => m.Children.Count == 0);
            Assert.AreEqual(13, leaves);
            Assert.AreEqual(leaves, calls, report.ToString());
            Assert.IsTrue(report.Layers.Take(5).Any(l => l.Iterations > 0), "the layers needed iterations, so the count shows they cost no layer calls");
            Assert.AreEqual(calls, report.LayerForwardCalls);
            int fastaiStyle = report.Layers.Sum(l => (l.Iterations + 1) * 13);
            Assert.IsLessThan(fastaiStyle / 2, calls, "far fewer layer calls than re-running the whole model each iteration");
        }

        [TestMethod]
        public void Lsuv_NotConverged_IsReported_NotAnInfiniteLoop()
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            using Tensor x = Images(e);
            LsuvReport report = Lsuv.Run(model, x, new LsuvOptions { MaxIterations = 1, Tolerance = 1e-9 });
            Assert.IsFalse(report.AllConverged);
            Assert.IsTrue(report.Layers.All(l => l.Iterations == 1));
        }

        [TestMethod]
        public void Lsuv_ZeroStd_ThrowsNamingTheLayer_AndRestoresMode()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 8, 8), new ReLU(e), new Linear(e, 8, 4));
            Init.Zeros(((Linear)model[0]).Weight.Value);
            Init.Zeros(((Linear)model[0]).Bias!.Value);
            using Tensor x = e.CreateTensor(16, 8);
            Init.Normal(x);
            model.Train();
            var ex = Assert.ThrowsExactly<LsuvException>(() => Lsuv.Run(model, x));
            Assert.AreEqual("0:Linear(8→8)", ex.Layer);
            StringAssert.Contains(ex.Message, "zero std");
            Assert.IsTrue(model.IsTraining, "the model's mode is restored");
        }

        [TestMethod]
        public void Lsuv_LayerFilter_AndMeasureBeforeActivation()
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            using Tensor x = Images(e);
            LsuvReport report = Lsuv.Run(model, x, new LsuvOptions { LayerFilter = m => m is Conv2d, MeasureAfterActivation = false });
            Assert.AreEqual(5, report.Layers.Count);
            Assert.IsTrue(report.AllConverged, report.ToString());
            StringAssert.Contains(report.ToJson(), "\"layer_forward_calls\":");
        }

        [TestMethod]
        public void Lsuv_BadArguments_Throw()
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            Assert.ThrowsExactly<ArgumentException>(() => Lsuv.Run(model, Array.Empty<Tensor>()));
            using Tensor x = Images(e, 2);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Lsuv.Run(model, x, new LsuvOptions { MaxIterations = 0 }));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Lsuv.Run(model, x, new LsuvOptions { Tolerance = 0 }));
        }
    }
}
