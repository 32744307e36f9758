using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using InitCore.Backends.Cuda;

using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// The emulated CUDA device (native/emulator) itself: what it checks (statuses of the driver, cuBLAS
    /// and cuDNN stand-ins) and the engine's fault paths it makes reachable without a GPU. Inconclusive
    /// when the emulator is not built (the message says how). These tests use the emulator even on a GPU
    /// machine: fault injection exists only there.
    /// </summary>
    [TestClass]
    [DoNotParallelize]
    public sealed unsafe class CudaEmulatorTests : BackendFixture
    {
        private const string FailAlloc = "INITCORE_EMU_FAIL_ALLOC";
        private const string StickyAfterLaunch = "INITCORE_EMU_STICKY_AFTER_LAUNCH";
        private const string CudnnCreateStatus = "INITCORE_EMU_CUDNN_CREATE_STATUS";

        protected override BackendKind Kind => BackendKind.Cuda;

        // ------------------------------------------------------------------ identity and loading

        [TestMethod]
        public void EmulatedEngine_SaysSoInItsBackendLineAndDescription()
        {
            using Engine e = EmulatedEngine();
            Assert.AreEqual(BackendKind.Cuda, e.Backend);
            Assert.AreEqual("CUDA backend (emulated device: InitCore emulated device, not a GPU): requested", e.BackendReason);
            StringAssert.StartsWith(e.BackendDescription, "cuda (EMULATED device InitCore emulated device,");
            Assert.IsTrue(e.Cuda!.IsEmulated);
            Assert.IsTrue(e.Cuda.HasCublas && e.Cuda.HasCudnn, string.Join(" | ", e.LoadTrace));
            StringAssert.Contains(e.LoadTrace[0], "EngineOptions.CudaLibraryDirectory");
        }

        [TestMethod]
        public void DefaultSearch_NeverLoadsTheEmulator()
        {
            RequireEmulator();
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(CudaLibraries.DirectoryVariable)))
                Assert.Inconclusive($"{CudaLibraries.DirectoryVariable} is set, so the default search is not in use.");
            try
            {
                using Engine e = Engine.Create(new EngineOptions { Backend = BackendKind.Cuda });
                Assert.IsFalse(e.Cuda!.IsEmulated, e.BackendReason);
            }
            catch (CudaUnavailableException ex)
            {
                Assert.IsFalse(ex.LoadTrace.Any(l => l.Contains("artifacts/emulator") || l.Contains("InitCore emulated device")), string.Join(" | ", ex.LoadTrace));
            }
        }

        [TestMethod]
        public void RequireGpu_WithoutARealDevice_FailsInsteadOfUsingTheEmulator()
        {
            RequireEmulator();
            if (CudaDevice.Hardware.Usable) Assert.Inconclusive($"A GPU is present ({CudaDevice.Hardware.Reason}); the no-GPU path of {CudaDevice.RequireGpuVariable} cannot be observed.");
            string? before = Environment.GetEnvironmentVariable(CudaDevice.RequireGpuVariable);
            try
            {
                Environment.SetEnvironmentVariable(CudaDevice.RequireGpuVariable, "1");
                var ex = Assert.ThrowsExactly<AssertFailedException>(() => CudaDevice.Create(0, out _));
                StringAssert.Contains(ex.Message, "INITCORE_REQUIRE_GPU=1 but no real CUDA device is usable");
            }
            finally
            {
                Environment.SetEnvironmentVariable(CudaDevice.RequireGpuVariable, before);
            }
        }

        // ------------------------------------------------------------------ driver stand-in

        /// <summary>Runs <paramref name="body"/> with the emulator's driver, its primary context current.</summary>
        private void WithDriver(Action<CudaDriverApi> body)
        {
            CudaLibraries libs = CudaLibraries.Load(RequireEmulator());
            CudaDriverApi d = libs.Driver;
            Assert.AreEqual(CUresult.CUDA_SUCCESS, d.DeviceGet(0, out int device));
            Assert.AreEqual(CUresult.CUDA_SUCCESS, d.PrimaryCtxRetain(device, out IntPtr ctx));
            Assert.AreEqual(CUresult.CUDA_SUCCESS, d.CtxPush(ctx));
            try
            {
                body(d);
            }
            finally
            {
                d.CtxPop();
                d.PrimaryCtxRelease(device);
            }
        }

        [TestMethod]
        public void Memory_HostAndDevicePointersAndSizesAreChecked()
        {
            WithDriver(d =>
            {
                Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, d.MemAlloc(0, out _), "cuMemAlloc of 0 bytes");
                Assert.AreEqual(CUresult.CUDA_SUCCESS, d.MemAlloc(1000, out ulong p));
                var host = new byte[2000];
                fixed (byte* h = host)
                {
                    Assert.AreEqual(CUresult.CUDA_SUCCESS, d.MemcpyHtoD(p, h, 1000, IntPtr.Zero));
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, d.MemcpyHtoD(p, h, 1001, IntPtr.Zero), "one byte past the allocation");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, d.MemcpyHtoD(p + 8, h, 1000, IntPtr.Zero), "offset copy running past the end");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, d.MemcpyHtoD((ulong)h, h + 1000, 4, IntPtr.Zero), "host pointer as the device destination");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, d.MemcpyDtoH((void*)p, p, 4, IntPtr.Zero), "device pointer as the host destination");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, d.MemcpyDtoD(p, p + 996, 8, IntPtr.Zero), "device-to-device source past the end");
                    Assert.AreEqual(CUresult.CUDA_SUCCESS, d.MemcpyDtoH(h + 1000, p, 1000, IntPtr.Zero));
                }
                Assert.AreEqual(CUresult.CUDA_SUCCESS, d.MemsetD32(p, 7, 250, IntPtr.Zero));
                Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, d.MemsetD32(p, 7, 251, IntPtr.Zero), "memset past the end");
                Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, d.MemsetD32(p + 2, 7, 1, IntPtr.Zero), "misaligned 32-bit memset");
                Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, d.MemFree(p + 256), "free of an address inside an allocation");
                Assert.AreEqual(CUresult.CUDA_SUCCESS, d.MemFree(p));
                Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, d.MemFree(p), "double free");
                Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_HANDLE, d.StreamSynchronize((IntPtr)0x1234), "unknown stream");
            });
        }

        [TestMethod]
        public void Launch_ChecksGridBlockSharedMemoryAndPointerArguments()
        {
            WithDriver(d =>
            {
                Assert.AreEqual(CUresult.CUDA_SUCCESS, d.ModuleLoadData(KernelCatalog.Image("philox_fill"), out IntPtr module, out string log), log);
                Assert.AreEqual(CUresult.CUDA_SUCCESS, d.ModuleLoadData(KernelCatalog.Image("stats"), out IntPtr stats, out log), log);
                try
                {
                    Assert.AreEqual(CUresult.CUDA_SUCCESS, d.ModuleGetFunction(module, "initcore_fill_constant", out IntPtr f));
                    Assert.AreEqual(CUresult.CUDA_ERROR_NOT_FOUND, d.ModuleGetFunction(module, "initcore_no_such_kernel", out _));
                    Assert.AreEqual(CUresult.CUDA_SUCCESS, d.MemAlloc(4096, out ulong p));
                    ulong n = 1024;
                    float value = 2.5f;
                    ulong ptr = p;
                    void** args = stackalloc void*[3];
                    args[0] = &ptr; args[1] = &n; args[2] = &value;
                    CUresult Launch(IntPtr fn, uint gx, uint gy, uint gz, uint bx, uint by, uint bz, uint shared, void** a) =>
                        d.cuLaunchKernel(fn, gx, gy, gz, bx, by, bz, shared, IntPtr.Zero, a, null);
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, Launch(f, 0, 1, 1, 256, 1, 1, 0, args), "grid x = 0");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, Launch(f, 1, 1, 1, 256, 1, 0, 0, args), "block z = 0");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, Launch(f, 1, 65536, 1, 256, 1, 1, 0, args), "grid y = 65536");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, Launch(f, 1, 1, 65536, 256, 1, 1, 0, args), "grid z = 65536");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, Launch(f, 1, 1, 1, 1025, 1, 1, 0, args), "1025 threads");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, Launch(f, 1, 1, 1, 32, 32, 2, 0, args), "32×32×2 threads");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, Launch(f, 1, 1, 1, 256, 1, 1, 48 * 1024 + 1, args), "shared memory over 48 KiB");
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, Launch(f, 1, 1, 1, 256, 1, 1, 0, null), "no kernelParams");
                    float* hostBuffer = stackalloc float[4];
                    ulong hostPtr = (ulong)hostBuffer;
                    args[0] = &hostPtr;
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, Launch(f, 1, 1, 1, 256, 1, 1, 0, args), "host pointer as a kernel's device pointer");
                    args[0] = &ptr;
                    Assert.AreEqual(CUresult.CUDA_SUCCESS, Launch(f, 3, 1, 1, 128, 1, 1, 0, args));
                    var back = new float[1024];
                    fixed (float* b = back) Assert.AreEqual(CUresult.CUDA_SUCCESS, d.MemcpyDtoH(b, p, 4096, IntPtr.Zero));
                    Assert.IsTrue(back.All(v => v == 2.5f));

                    // initcore_stats_partial declares 10240 bytes of static shared memory: dynamic + static must fit in 48 KiB.
                    Assert.AreEqual(CUresult.CUDA_SUCCESS, d.ModuleGetFunction(stats, "initcore_stats_partial", out IntPtr sp));
                    var cfg = new StatsConfigNative { Bins = 0 };
                    ulong zero = 0;
                    void** sargs = stackalloc void*[5];
                    sargs[0] = &ptr; sargs[1] = &zero; sargs[2] = &cfg; sargs[3] = &ptr; sargs[4] = &ptr;
                    Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_VALUE, Launch(sp, 1, 1, 1, 256, 1, 1, 48 * 1024 - 10240 + 4, sargs), "static + dynamic shared over 48 KiB");
                    Assert.AreEqual(CUresult.CUDA_SUCCESS, Launch(sp, 1, 1, 1, 256, 1, 1, 48 * 1024 - 10240, sargs));
                    Assert.AreEqual(CUresult.CUDA_SUCCESS, d.MemFree(p));
                }
                finally
                {
                    d.ModuleUnload(module);
                    d.ModuleUnload(stats);
                }
            });
        }

        [TestMethod]
        public void ModuleLoad_RejectsTextThatIsNotPtx_WithAJitLog()
        {
            WithDriver(d =>
            {
                CUresult r = d.ModuleLoadData(System.Text.Encoding.ASCII.GetBytes("this is not PTX\0"), out _, out string log);
                Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_PTX, r);
                StringAssert.Contains(log, "not PTX");
                string ptx = ".version 7.8\n.target sm_52\n.address_size 64\n.visible .entry initcore_unknown(\n\t.param .u64 initcore_unknown_param_0\n)\n{\n\tret;\n}\n\0";
                r = d.ModuleLoadData(System.Text.Encoding.ASCII.GetBytes(ptx), out _, out log);
                Assert.AreEqual(CUresult.CUDA_ERROR_INVALID_PTX, r);
                StringAssert.Contains(log, "initcore_unknown has no host-compiled twin");
            });
        }

        // ------------------------------------------------------------------ cuBLAS and cuDNN stand-ins

        [TestMethod]
        public void CublasSgemm_ChecksLeadingDimensions_AsCublasDoes()
        {
            using Engine e = EmulatedEngine();
            CudaLibraries libs = CudaLibraries.Load(RequireEmulator());
            CublasApi blas = libs.Cublas!;
            Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_SUCCESS, blas.Create(out IntPtr h));
            try
            {
                using Tensor a = e.CreateTensor(64), b = e.CreateTensor(64), c = e.CreateTensor(64);
                ulong pa = ((CudaStorage)a.Storage).Pointer, pb = ((CudaStorage)b.Storage).Pointer, pc = ((CudaStorage)c.Storage).Pointer;
                using (e.Cuda!.Enter())
                {
                    // C (2×2) = A (2×k) · B (k×2): lda ≥ max(1, m), ldb ≥ max(1, k), ldc ≥ max(1, m).
                    Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_SUCCESS, blas.Sgemm(h, false, false, 2, 2, 3, 1f, pa, 2, pb, 3, 0f, pc, 2));
                    Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_INVALID_VALUE, blas.Sgemm(h, false, false, 2, 2, 3, 1f, pa, 1, pb, 3, 0f, pc, 2), "lda < m");
                    Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_INVALID_VALUE, blas.Sgemm(h, false, false, 2, 2, 3, 1f, pa, 2, pb, 2, 0f, pc, 2), "ldb < k");
                    Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_INVALID_VALUE, blas.Sgemm(h, false, false, 2, 2, 3, 1f, pa, 2, pb, 3, 0f, pc, 1), "ldc < m");
                    Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_INVALID_VALUE, blas.Sgemm(h, false, false, 2, 2, 0, 1f, pa, 2, pb, 0, 0f, pc, 2), "k = 0 still needs ldb ≥ 1");
                    Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_SUCCESS, blas.Sgemm(h, false, false, 2, 2, 0, 1f, pa, 2, pb, 1, 0f, pc, 2), "k = 0 with ldb = 1");
                    Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_INVALID_VALUE, blas.Sgemm(h, false, false, -1, 2, 3, 1f, pa, 2, pb, 3, 0f, pc, 2), "m < 0");
                    Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_INVALID_VALUE, blas.Sgemm(h, false, false, 2, 2, 3, 1f, pa, 2, pb, 3, 0f, pc + ((CudaStorage)c.Storage).BlockBytes - 8, 2), "C runs past its allocation");
                }
                Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_INVALID_VALUE, blas.SetMathMode(h, 9));
                Assert.AreEqual("CUBLAS_STATUS_INVALID_VALUE", blas.StatusName(cublasStatus_t.CUBLAS_STATUS_INVALID_VALUE));
            }
            finally
            {
                blas.Destroy(h);
            }
            Assert.AreEqual(cublasStatus_t.CUBLAS_STATUS_NOT_INITIALIZED, blas.Destroy(h), "destroying a destroyed handle");
        }

        [TestMethod]
        public void CudnnDescriptors_AreValidatedAsCudnn9Documents()
        {
            using Engine e = EmulatedEngine();
            CudnnApi d = CudaLibraries.Load(RequireEmulator()).Cudnn!;
            Assert.AreEqual(0, d.Create(out IntPtr h));
            IntPtr x, y, w, conv;
            Assert.AreEqual(0, d.cudnnCreateTensorDescriptor(&x));
            Assert.AreEqual(0, d.cudnnCreateTensorDescriptor(&y));
            Assert.AreEqual(0, d.cudnnCreateFilterDescriptor(&w));
            Assert.AreEqual(0, d.cudnnCreateConvolutionDescriptor(&conv));
            try
            {
                Assert.AreEqual(2000, d.cudnnSetTensor4dDescriptor(x, 0, 0, 0, 3, 8, 8), "n = 0");
                Assert.AreEqual(2000, d.cudnnSetTensor4dDescriptor(x, 7, 0, 1, 3, 8, 8), "unknown format");
                Assert.AreEqual(2000, d.cudnnSetConvolution2dDescriptor(conv, 1, 1, 0, 1, 1, 1, 1, 0), "stride 0");
                Assert.AreEqual(2000, d.cudnnSetConvolutionGroupCount(conv, 0), "0 groups");
                Assert.AreEqual(2000, d.cudnnSetConvolutionMathType(conv, 4), "unknown math type");
                Assert.AreEqual(0, d.cudnnSetTensor4dDescriptor(x, 0, 0, 2, 4, 8, 8));
                Assert.AreEqual(0, d.cudnnSetFilter4dDescriptor(w, 0, 0, 6, 2, 3, 3));
                Assert.AreEqual(0, d.cudnnSetConvolution2dDescriptor(conv, 1, 1, 1, 1, 1, 1, 1, 0));
                Assert.AreEqual(0, d.cudnnSetConvolutionGroupCount(conv, 2));
                Assert.AreEqual(0, d.cudnnSetTensor4dDescriptor(y, 0, 0, 2, 6, 7, 8), "y with a wrong height");
                var perf = stackalloc cudnnConvolutionPerf_t[4];
                int got;
                Assert.AreEqual(2000, d.cudnnGetConvolutionForwardAlgorithm_v7(h, x, w, conv, y, 4, &got, perf), "y does not match the convolution");
                Assert.AreEqual(0, d.cudnnSetTensor4dDescriptor(y, 0, 0, 2, 6, 8, 8));
                Assert.AreEqual(0, d.cudnnGetConvolutionForwardAlgorithm_v7(h, x, w, conv, y, 4, &got, perf));
                Assert.IsGreaterThan(0, got);
                nuint bytes;
                Assert.AreEqual(0, d.cudnnGetConvolutionForwardWorkspaceSize(h, x, w, conv, y, perf[0].algo, &bytes));
                Assert.AreEqual(perf[0].memory, bytes);
                Assert.AreEqual(2000, d.cudnnGetConvolutionForwardWorkspaceSize(h, x, w, conv, y, 99, &bytes), "unknown algorithm");
                Assert.AreEqual(0, d.cudnnSetConvolutionGroupCount(conv, 3));
                Assert.AreEqual(2000, d.cudnnGetConvolutionForwardAlgorithm_v7(h, x, w, conv, y, 4, &got, perf), "4 channels are not 2 per group × 3 groups");
                Assert.AreEqual("CUDNN_STATUS_BAD_PARAM", d.Describe(2000));
            }
            finally
            {
                d.cudnnDestroyTensorDescriptor(x);
                d.cudnnDestroyTensorDescriptor(y);
                d.cudnnDestroyFilterDescriptor(w);
                d.cudnnDestroyConvolutionDescriptor(conv);
                d.Destroy(h);
            }
        }

        // ------------------------------------------------------------------ fault paths

        [TestMethod]
        public void InjectedAllocationFailure_IsAbsorbedByTrimmingThePool_AndTheCountRestartsWhenTheValueChanges()
        {
            using Engine e = EmulatedEngine();
            CudaBackend cuda = e.Cuda!;
            try
            {
                using (Tensor warm = e.CreateTensor(1 << 16)) Init.Normal(warm);
                using Tensor probe = e.CreateTensor(1); // drains the released block into the pool
                Assert.IsGreaterThan(0UL, cuda.PooledBytes);
                using Tensor z = e.CreateTensor(1 << 14);
                long before = cuda.DeviceAllocations;
                CudaDevice.SetNativeEnvironment(FailAlloc, "1");
                using Tensor t = e.CreateTensor(1 << 20); // a new size class: cuMemAlloc fails once, the pool is trimmed, the retry succeeds
                Assert.AreEqual(0UL, cuda.PooledBytes, "the engine released its cached blocks before retrying");
                Assert.AreEqual(before + 1, cuda.DeviceAllocations);
                Init.Ones(t);
                Assert.AreEqual(1f, t.ToArray()[(1 << 20) - 1]);
                // The same value fails no further allocation; a new value restarts the count: the 2nd allocation after it fails.
                using Tensor u = e.CreateTensor(1 << 21);
                CudaDevice.SetNativeEnvironment(FailAlloc, "2");
                using Tensor v = e.CreateTensor(3 << 20);
                z.Dispose();
                using Tensor w = e.CreateTensor(5 << 20); // drains z's block into the pool, then the failing allocation trims it
                Assert.AreEqual(0UL, cuda.PooledBytes, "the second allocation after the new value failed and the pool was trimmed");
                Assert.AreEqual(before + 4, cuda.DeviceAllocations);
            }
            finally
            {
                CudaDevice.SetNativeEnvironment(FailAlloc, null);
            }
        }

        [TestMethod]
        public void OutOfDeviceMemory_ThrowsCudaOutOfMemoryException_AndTheEngineStaysUsable()
        {
            using Engine e = EmulatedEngine();
            ulong total = 0;
            var ex = Assert.ThrowsExactly<CudaOutOfMemoryException>(() => e.CreateTensor(int.MaxValue / 2));
            total = ex.TotalBytes;
            Assert.AreEqual(2, ex.Code);
            Assert.AreEqual("CUDA_ERROR_OUT_OF_MEMORY", ex.StatusName);
            StringAssert.Contains(ex.Message, "could not allocate");
            StringAssert.Contains(ex.Message, "InitCore emulated device");
            Assert.IsGreaterThan(ex.FreeBytes, ex.RequestedBytes);
            Assert.IsGreaterThan(0UL, total);
            using Tensor ok = e.CreateTensor(1000);
            Init.Uniform(ok, -1, 1);
            Assert.IsTrue(ok.ToArray().All(v => v >= -1f && v <= 1f));
        }

        [DllImport("libdl.so.2")]
        private static extern IntPtr dlopen(string file, int mode);

        [DllImport("libdl.so.2")]
        private static extern IntPtr dlsym(IntPtr handle, string name);

        /// <summary>Forgets an injected sticky error (emulator-only export), as a process restart would.</summary>
        private void ClearStickyError()
        {
            IntPtr lib = dlopen(Path.Combine(RequireEmulator(), "libcuda.so.1"), 2);
            IntPtr fn = lib == IntPtr.Zero ? IntPtr.Zero : dlsym(lib, "initcore_emu_clear_sticky_error");
            Assert.AreNotEqual(IntPtr.Zero, fn, "the emulator exports initcore_emu_clear_sticky_error");
            ((delegate* unmanaged[Cdecl]<void>)fn)();
        }

        /// <summary>
        /// Issue 13: a sticky error (700) leaves the engine unusable; it says so, and that the process must
        /// restart (the primary context stays poisoned, so a new engine does not help).
        /// </summary>
        [TestMethod]
        public void StickyError_BreaksTheEngineForGood_AndSaysTheProcessMustRestart()
        {
            using Engine e = EmulatedEngine();
            using Tensor t = e.CreateTensor(4096);
            try
            {
                CudaDevice.SetNativeEnvironment(StickyAfterLaunch, "1");
                Init.Ones(t); // the launch itself succeeds; the fault shows at the next call
                var first = Assert.Throws<CudaException>(() => t.ToArray()); // CudaStickyErrorException, a CudaException
                Assert.AreEqual(700, first.Code);
                Assert.AreEqual("CUDA_ERROR_ILLEGAL_ADDRESS", first.StatusName);
                StringAssert.Contains(first.Message, "restart");
                Assert.IsFalse(first.Message.Contains("create a new one"), "a new engine cannot help: " + first.Message);
                var again = Assert.Throws<Exception>(() => Init.Zeros(t));
                StringAssert.Contains(again.Message, "restart");
                Assert.Throws<Exception>(() => EmulatedEngine().Dispose());
            }
            finally
            {
                CudaDevice.SetNativeEnvironment(StickyAfterLaunch, null);
                ClearStickyError();
            }
        }

        /// <summary>Issue 13: a failing cudnnCreate (1008) leaves a working engine without convolutions that says why.</summary>
        [TestMethod]
        public void CudnnCreateFailure_LeavesAWorkingEngineWithoutConvolutions_ThatSaysWhy()
        {
            RequireEmulator();
            Engine e;
            try
            {
                CudaDevice.SetNativeEnvironment(CudnnCreateStatus, "1008");
                e = EmulatedEngine();
            }
            finally
            {
                CudaDevice.SetNativeEnvironment(CudnnCreateStatus, null);
            }
            using (e)
            {
                Assert.IsFalse(e.Cuda!.HasCudnn);
                Assert.IsTrue(e.LoadTrace.Any(l => l.Contains("CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED")), string.Join(" | ", e.LoadTrace));
                var linear = new Linear(e, 4, 3);
                using Tensor x = e.CreateTensor(new float[8], 2, 4);
                Assert.AreEqual(6, linear.Forward(x).Length, "matmul still works");
                var conv = new Conv2d(e, 1, 2, 3);
                using Tensor img = e.CreateTensor(new float[25], 1, 1, 5, 5);
                var ex = Assert.ThrowsExactly<InvalidOperationException>(() => conv.Forward(img));
                StringAssert.Contains(ex.Message, "convolutions");
                StringAssert.Contains(ex.Message, "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED");
                StringAssert.Contains(ex.Message, "libcudnn_engines_precompiled"); // cudnnGetLastErrorString's text
            }
        }

        [TestMethod]
        public void WithoutCublas_MatmulFailsWithAClearMessage_AndTheRestWorks()
        {
            string emu = RequireEmulator();
            using var folder = new TempFolder();
            foreach (string name in new[] { "libcuda.so.1", "libcudnn.so.9", "libinitcore_emu.so" })
                File.CreateSymbolicLink(folder.File(name), Path.Combine(emu, name));
            using Engine e = Engine.Create(new EngineOptions { Backend = BackendKind.Cuda, CudaLibraryDirectory = folder.Path });
            Device = CudaDeviceKind.Emulated;
            Assert.IsTrue(e.Cuda!.IsEmulated);
            Assert.IsFalse(e.Cuda.HasCublas);
            Assert.IsTrue(e.Cuda.HasCudnn);
            Assert.IsTrue(e.LoadTrace.Any(l => l.Contains("cuBLAS: none usable")), string.Join(" | ", e.LoadTrace));
            using Tensor x = e.CreateTensor(new float[8], 2, 4);
            var ex = Assert.ThrowsExactly<InvalidOperationException>(() => new Linear(e, 4, 3).Forward(x));
            StringAssert.Contains(ex.Message, "cuBLAS is not available, so matrix multiplies cannot run on CUDA");
            StringAssert.Contains(ex.Message, "libcublasLt.so.13"); // the load trace names what was tried
            Init.Ones(x);
            Assert.AreEqual(1f, x.ToArray()[7]);
        }
    }
}
