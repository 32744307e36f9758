using System;
using System.Linq;
using System.Threading.Tasks;
using InitCore.Backends.Cuda;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>Context, streams, lifetime and the memory pool on a real GPU; Inconclusive without one.</summary>
    [TestClass]
    public sealed class CudaLifetimeTests : BackendFixture
    {
        protected override BackendKind Kind => BackendKind.Cuda;

        [TestMethod]
        public void Engine_DisposedTwice_IsNoOp_AndLaterUseThrows()
        {
            Engine engine = NewEngine();
            Tensor t = engine.CreateTensor(100);
            engine.Dispose();
            engine.Dispose();
            Assert.ThrowsExactly<ObjectDisposedException>(() => t.ToArray());
            Assert.ThrowsExactly<ObjectDisposedException>(() => engine.CreateTensor(1));
            t.Dispose(); // after the engine: harmless, no CUDA call
        }

        [TestMethod]
        public void SteadyStateWork_ReusesPooledMemory()
        {
            using Engine engine = NewEngine();
            CudaBackend cuda = engine.Cuda!;
            for (int warm = 0; warm < 2; warm++)
            {
                using Tensor a = engine.CreateTensor(1 << 20);
                Init.Normal(a);
                TensorOps.Statistics(a);
            }
            long before = cuda.DeviceAllocations;
            for (int i = 0; i < 20; i++)
            {
                using Tensor a = engine.CreateTensor(1 << 20);
                Init.Normal(a);
                TensorOps.Statistics(a);
            }
            Assert.AreEqual(before, cuda.DeviceAllocations, "steady-state work must come from the pool");
        }

        [TestMethod]
        public void FinalizedTensor_ReturnsMemoryWithoutCudaCallOnFinalizer()
        {
            using Engine engine = NewEngine();
            CudaBackend cuda = engine.Cuda!;
            MakeGarbage(engine);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using Tensor probe = engine.CreateTensor(1); // next call drains the queue into the pool
            Assert.IsGreaterThanOrEqualTo(4UL << 20, cuda.PooledBytes);
        }

        private static void MakeGarbage(Engine engine)
        {
            for (int i = 0; i < 4; i++) engine.CreateTensor(1 << 18);
        }

        [TestMethod]
        public void AnyHostThread_MayCall()
        {
            using Engine engine = NewEngine(9);
            using Tensor t = engine.CreateTensor(4096);
            Parallel.For(0, 16, i =>
            {
                Init.Uniform(t, -1, 1);
                TensorOps.Statistics(t);
            });
            float[] x = t.ToArray();
            Assert.IsTrue(x.All(v => v >= -1f && v <= 1f));
        }

        [TestMethod]
        public void OutOfMemory_SaysHowMuchWasAskedAndIsFree_EngineStaysUsable()
        {
            using Engine engine = NewEngine();
            var held = new System.Collections.Generic.List<Tensor>();
            try
            {
                var ex = Assert.ThrowsExactly<CudaOutOfMemoryException>(() =>
                {
                    for (int i = 0; i < 1000; i++) held.Add(engine.CreateTensor(int.MaxValue / 2)); // 4 GiB each
                });
                StringAssert.Contains(ex.Message, "could not allocate");
                StringAssert.Contains(ex.Message, "free of");
                Assert.AreEqual("CUDA_ERROR_OUT_OF_MEMORY", ex.StatusName);
                Assert.IsGreaterThan(0UL, ex.RequestedBytes);
            }
            finally
            {
                foreach (Tensor t in held) t.Dispose();
            }
            using Tensor ok = engine.CreateTensor(10);
            Init.Ones(ok);
            Assert.AreEqual(1f, ok.ToArray()[9]);
        }
    }
}
