using System;
using System.Linq;
using System.Reflection;
using System.Runtime.Versioning;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    [TestClass]
    public sealed class EngineTests
    {
        [TestMethod]
        public void EngineUnderTest_IsTheExpectedBuild()
        {
            string? framework = typeof(Engine).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName;
#if ENGINE_NETSTANDARD
            Assert.AreEqual(".NETStandard,Version=v2.1", framework);
#else
            Assert.AreEqual(".NETCoreApp,Version=v8.0", framework);
#endif
        }

        [TestMethod]
        public void Create_CpuRequested_UsesAllCoresAndSaysWhy()
        {
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            Assert.AreEqual(Environment.ProcessorCount, engine.ThreadCount);
            Assert.AreEqual(BackendKind.Cpu, engine.Backend);
            StringAssert.StartsWith(engine.BackendDescription, "cpu (");
            Assert.AreEqual("CPU backend: requested", engine.BackendReason);
            Assert.AreEqual(0, engine.LoadTrace.Count);
        }

        [TestMethod]
        public void Create_ZeroThreads_ThrowsNamingSetting()
        {
            var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Engine.Create(new EngineOptions { ThreadCount = 0 }));
            Assert.AreEqual("ThreadCount", ex.ParamName);
        }

        [TestMethod]
        public void Dispose_Twice_IsNoOp_AndLaterUseThrows()
        {
            var engine = Engine.Create();
            Tensor t = engine.CreateTensor(2, 2);
            engine.Dispose();
            engine.Dispose();
            Assert.IsTrue(engine.IsDisposed);
            Assert.ThrowsExactly<ObjectDisposedException>(() => engine.CreateTensor(1));
            Assert.ThrowsExactly<ObjectDisposedException>(() => Init.Normal(t));
            Assert.ThrowsExactly<ObjectDisposedException>(() => Init.Normal(engine, new float[4]));
        }

        [TestMethod]
        public void Dispose_ConcurrentCalls_AreSafe()
        {
            var engine = Engine.Create();
            System.Threading.Tasks.Parallel.For(0, 16, _ => engine.Dispose());
            Assert.IsTrue(engine.IsDisposed);
        }

        [TestMethod]
        public void Tensor_Dispose_Twice_IsNoOp_AndLaterUseThrows()
        {
            using var engine = Engine.Create();
            var t = engine.CreateTensor(3);
            t.Dispose();
            t.Dispose();
            Assert.ThrowsExactly<ObjectDisposedException>(() => t.ToArray());
        }

        [TestMethod]
        public void Tensor_CopyRoundTrip_PreservesBits()
        {
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            float[] data = Enumerable.Range(0, 24).Select(i => i * 0.1f - 1f).ToArray();
            using var t = engine.CreateTensor(data, 2, 3, 4);
            Assert.AreEqual(3, t.Rank);
            Assert.AreEqual(24L, t.Length);
            CollectionAssert.AreEqual(new[] { 2, 3, 4 }, t.Shape.ToArray());
            CollectionAssert.AreEqual(data, t.ToArray());
            var back = new float[30];
            t.CopyTo(back);
            CollectionAssert.AreEqual(data, back.Take(24).ToArray());
            StringAssert.StartsWith(t.ToString(), "tensor([[[-1.0000, -0.9000, -0.8000, -0.7000],");
        }

        [TestMethod]
        public void Tensor_WrongSourceLength_ThrowsAndKeepsData()
        {
            using var engine = Engine.Create();
            using var t = engine.CreateTensor(new float[] { 1, 2, 3, 4 }, 2, 2);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => t.CopyFrom(new float[3]));
            Assert.AreEqual("source", ex.ParamName);
            StringAssert.Contains(ex.Message, "3 elements");
            CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4 }, t.ToArray());
        }

        [TestMethod]
        public void Tensor_NegativeDimension_Throws()
        {
            using var engine = Engine.Create();
            var ex = Assert.ThrowsExactly<ArgumentException>(() => engine.CreateTensor(2, -3));
            Assert.AreEqual("shape", ex.ParamName);
            StringAssert.Contains(ex.Message, "Dimension 1 of shape [2, -3] is -3");
        }

        [TestMethod]
        public void Tensor_RankZero_HasOneElement()
        {
            using var engine = Engine.Create();
            using var t = engine.CreateTensor();
            Assert.AreEqual(1L, t.Length);
            Init.Constant(t, 3);
            Assert.AreEqual(3f, t.ToArray()[0]);
        }

        [TestMethod]
        public void Engines_AreIndependent_NoSharedState()
        {
            using var a = Engine.Create(new EngineOptions { Seed = 5 });
            using var b = Engine.Create(new EngineOptions { Seed = 5 });
            var x = new float[64];
            var y = new float[64];
            Init.Normal(a, new float[100]); // advances only a's default generator
            Init.Normal(a, x);
            Init.Normal(b, y);
            Assert.IsFalse(x.SequenceEqual(y));
            Assert.AreEqual(25UL + 16UL, a.DefaultGenerator.Offset);
            Assert.AreEqual(16UL, b.DefaultGenerator.Offset);
        }
    }
}
