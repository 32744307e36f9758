using System;
using System.Linq;
using System.Threading.Tasks;
using InitCore.Backends.Cuda;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// The CUDA backend's owning pieces on their own, on the emulated device: the device context (primary context and
    /// stream) and the engine that composes it. Inconclusive when the emulator is not built (the message says how).
    /// </summary>
    [TestClass]
    public sealed class CudaDeviceContextTests : BackendFixture
    {
        protected override BackendKind Kind => BackendKind.Cuda;

        private CudaDriverApi EmulatedDriver() => CudaLibraries.Load(RequireEmulator()).Driver;

        [TestMethod]
        public void Open_ReadsTheDeviceAndCreatesTheStream_AndDisposeFromManyThreads_DestroysItOnce()
        {
            CudaDriverApi d = EmulatedDriver();
            var context = CudaDeviceContext.Open(d, 0);
            Assert.AreEqual(CudaBackend.EmulatedDeviceName, context.Name);
            StringAssert.Matches(context.ComputeCapability, new System.Text.RegularExpressions.Regex(@"^\d+\.\d+$"));
            Assert.IsGreaterThan(0, context.MultiprocessorCount);
            Assert.AreNotEqual(IntPtr.Zero, context.Stream);
            context.Push();
            context.Synchronize();
            context.Pop();

            Parallel.For(0, 16, _ => context.Dispose());
            context.Dispose();
            Assert.IsTrue(context.IsDisposed);
            Assert.AreEqual(IntPtr.Zero, context.Stream, "the stream was destroyed");
            Assert.IsFalse(context.TryPush(), "a disposed context is never made current again");

            // One retain, one release: the primary context still works for the next owner.
            using Engine e = EmulatedEngine();
            using Tensor t = e.CreateTensor(1000);
            Init.Ones(t);
            Assert.IsTrue(t.ToArray().All(v => v == 1f));
        }

        [TestMethod]
        public void Open_WithAnOrdinalTheDriverRejects_ThrowsCudaException_NamingTheCallAndStatus()
        {
            CudaDriverApi d = EmulatedDriver();
            var ex = Assert.ThrowsExactly<CudaException>(() => CudaDeviceContext.Open(d, 3));
            Assert.AreEqual("cuDeviceGet(3)", ex.Call);
            Assert.AreEqual("CUDA_ERROR_INVALID_DEVICE", ex.StatusName);
            StringAssert.Contains(ex.Message, "cuDeviceGet(3) failed with CUDA_ERROR_INVALID_DEVICE");
        }

        [TestMethod]
        public void Engine_DisposedFromManyThreadsAtOnce_ThrowsNothing_AndTheNextEngineWorks()
        {
            Engine first = EmulatedEngine();
            Tensor kept = first.CreateTensor(4096); // still owned by a tensor when the engine goes
            Init.Normal(kept);
            Parallel.For(0, 16, _ => first.Dispose());
            Assert.ThrowsExactly<ObjectDisposedException>(() => first.CreateTensor(1));
            kept.Dispose(); // after the engine: no CUDA call

            using Engine next = EmulatedEngine();
            using Tensor t = next.CreateTensor(4096);
            Init.Uniform(t, -1, 1);
            Assert.IsTrue(t.ToArray().All(v => v >= -1f && v <= 1f));
        }
    }
}
