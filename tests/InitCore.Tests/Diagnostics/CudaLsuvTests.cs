using System;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Diagnostics
{
    /// <summary>LSUV and ActivationStats on CUDA (Inconclusive without a GPU).</summary>
    [TestClass]
    public sealed class CudaLsuvTests : BackendFixture
    {
        protected override BackendKind Kind => BackendKind.Cuda;

        [TestMethod]
        public void Lsuv_LessonCnnAndTwentyLayers_ConvergeOnCuda()
        {
            using Engine e = NewEngine(4);
            using Tensor x = LsuvTests.Images(e);
            Assert.IsTrue(Lsuv.Run(LessonModels.Cnn(e), x).AllConverged);
            Assert.IsTrue(Lsuv.Run(LsuvTests.PlainCnn(e, 20), x, new LsuvOptions { MaxIterations = 20 }).AllConverged);
        }

        /// <summary>The same starting weights on both engines.</summary>
        private static void CopyParameters(Module from, Module to)
        {
            foreach (var (p, q) in from.Parameters().Zip(to.Parameters(), (p, q) => (p, q))) q.Value.CopyFrom(p.Value.ToArray());
        }

        [TestMethod]
        public void Lsuv_PlainReluCnn_OnCuda_MatchesTheCpu()
        {
            using Engine e = NewEngine(4);
            using Engine cpu = CpuEngine(4);
            Sequential Model(Engine en) => new Sequential(en, new Conv2d(en, 1, 8, 3, 1, 1), new ReLU(en), new MaxPool2d(en, 2),
                new Conv2d(en, 8, 16, 3, 1, 1), new GeneralReLU(en, 0.1, 0.4), new Flatten(en), new Linear(en, 16 * 14 * 14, 10));
            Sequential onCpu = Model(cpu), onGpu = Model(e);
            CopyParameters(onCpu, onGpu);
            using Tensor xc = LsuvTests.Images(cpu, 32), xg = LsuvTests.Images(e, 32);
            LsuvReport rc = Lsuv.Run(onCpu, xc), rg = Lsuv.Run(onGpu, xg);
            Assert.IsTrue(rg.AllConverged, rg.ToString());
            for (int i = 0; i < rc.Layers.Count; i++)
            {
                // Reductions in another order: the statistics agree to about 1e-5, the corrections they drive to 1e-4.
                Assert.AreEqual(rc.Layers[i].WeightScale, rg.Layers[i].WeightScale, 1e-4 * Math.Abs(rc.Layers[i].WeightScale), rg.ToString());
                Assert.AreEqual(rc.Layers[i].BiasShift, rg.Layers[i].BiasShift, 1e-4 * (1 + Math.Abs(rc.Layers[i].BiasShift)), rg.ToString());
                Assert.AreEqual(rc.Layers[i].SubAfter ?? 0, rg.Layers[i].SubAfter ?? 0, 1e-4, rg.ToString());
            }
        }

        [TestMethod]
        public void Doctor_FlatFraction_OnCuda_MatchesTheCpu()
        {
            using Engine e = NewEngine(4);
            using Engine cpu = CpuEngine(4);
            Sequential Model(Engine en) => new Sequential(en, new Linear(en, 64, 64), new ReLU(en), new Linear(en, 64, 64), new GeneralReLU(en, 0, 0.4));
            Sequential onCpu = Model(cpu), onGpu = Model(e);
            CopyParameters(onCpu, onGpu);
            float[] input = Enumerable.Range(0, 256 * 64).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
            using Tensor xc = cpu.CreateTensor(input, 256, 64), xg = e.CreateTensor(input, 256, 64);
            DoctorReport dc = InitDoctor.Diagnose(onCpu, xc), dg = InitDoctor.Diagnose(onGpu, xg);
            foreach (int i in new[] { 1, 3 })
            {
                Assert.IsNotNull(dg.Layers[i].FlatFraction);
                Assert.AreEqual(dc.Layers[i].FlatFraction!.Value, dg.Layers[i].FlatFraction!.Value, 1.0 / (256 * 64) * 8, dg.ToString());
                Assert.IsTrue(dg.Layers[i].FlatFraction > 0.3, "the flat values are counted on the device too: " + dg);
            }
        }

        [TestMethod]
        public void ActivationStats_OnCuda_MatchDirectStatistics()
        {
            using Engine e = NewEngine(4);
            var model = LessonModels.Cnn(e);
            using var stats = new ActivationStats(model);
            using Tensor x = LsuvTests.Images(e);
            Tensor? first = null;
            using var probe = model[1].RegisterForwardHook((_, _, y) => first = y);
            model.Forward(x);
            TensorStatistics direct = TensorOps.Statistics(first!);
            var r = stats.Records(model[1]).Single().Statistics;
            Assert.AreEqual(direct.Mean, r.Mean, 1e-6);
            CollectionAssert.AreEqual(direct.Histogram.ToArray(), r.Histogram.ToArray());
        }
    }
}
