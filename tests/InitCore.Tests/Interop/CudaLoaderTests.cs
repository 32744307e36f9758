using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using InitCore.Backends.Cuda;

using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>The CUDA core as far as it can be checked without a GPU: loader, no-device path, interop layout, kernel images, status names.</summary>
    [TestClass]
    public sealed class CudaLoaderTests
    {
        private static bool GpuUsable()
        {
            try
            {
                using var e = Engine.Create(new EngineOptions { Backend = BackendKind.Cuda });
                return true;
            }
            catch (CudaUnavailableException)
            {
                return false;
            }
        }

        [TestMethod]
        public void Auto_WithoutGpu_FallsBackToCpu_AndSaysWhy()
        {
            using var engine = Engine.Create();
            if (engine.Backend == BackendKind.Cuda)
            {
                Assert.Inconclusive($"A GPU is present ({engine.BackendReason}); the fallback path was not exercised.");
                return;
            }
            StringAssert.StartsWith(engine.BackendReason, "CPU backend (auto): CUDA unavailable: ");
            Assert.IsGreaterThan(0, engine.LoadTrace.Count);
            bool driverLoaded = engine.LoadTrace.Any(l => l.Contains("libcuda.so.1: loaded") || l.Contains("nvcuda.dll: loaded"));
            if (driverLoaded)
                StringAssert.Contains(engine.BackendReason, "cuInit returned CUDA_ERROR_NO_DEVICE (100)");
            else
                StringAssert.Contains(engine.BackendReason, "the NVIDIA driver library");
        }

        [TestMethod]
        public void NoDevice_WithDriverLibraryPresent_ReportsCuInitNoDevice()
        {
            // Debian's nvidia-cuda-toolkit installs libcuda.so.1; without a GPU cuInit returns CUDA_ERROR_NO_DEVICE.
            if (GpuUsable())
            {
                Assert.Inconclusive("A GPU is present; the no-device path cannot be observed here.");
                return;
            }
            var ex = Assert.ThrowsExactly<CudaUnavailableException>(() => Engine.Create(new EngineOptions { Backend = BackendKind.Cuda }));
            if (!ex.LoadTrace.Any(l => l.Contains("libcuda.so.1: loaded")))
            {
                Assert.Inconclusive($"libcuda.so.1 is not installed, so cuInit could not be reached (install nvidia-cuda-toolkit: bash native/install-nvcc.sh). Trace: {string.Join(" | ", ex.LoadTrace)}");
                return;
            }
            Assert.AreEqual("cuInit returned CUDA_ERROR_NO_DEVICE (100)", ex.Reason);
            Assert.IsInstanceOfType<CudaException>(ex.InnerException);
            var inner = (CudaException)ex.InnerException!;
            Assert.AreEqual(100, inner.Code);
            Assert.AreEqual("CUDA_ERROR_NO_DEVICE", inner.StatusName);
            Assert.AreEqual("cuInit(0)", inner.Call);
            StringAssert.Contains(ex.Message, "Load trace:");
        }

        [TestMethod]
        public void CudaRequested_OverrideToEmptyDirectory_ThrowsListingEveryNameAndPath()
        {
            string dir = Path.Combine(Path.GetTempPath(), "initcore-empty-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var ex = Assert.ThrowsExactly<CudaUnavailableException>(() =>
                    Engine.Create(new EngineOptions { Backend = BackendKind.Cuda, CudaLibraryDirectory = dir }));
                StringAssert.Contains(ex.Reason, "NVIDIA driver library");
                foreach (string name in CudaLibraries.DriverNames)
                    Assert.IsTrue(ex.LoadTrace.Any(l => l.StartsWith(Path.Combine(dir, name) + ":", StringComparison.Ordinal)), $"trace lacks {name}: {string.Join(" | ", ex.LoadTrace)}");
                StringAssert.Contains(ex.LoadTrace[0], "EngineOptions.CudaLibraryDirectory");
                foreach (string line in ex.LoadTrace) StringAssert.Contains(ex.Message, line);
            }
            finally
            {
                Directory.Delete(dir);
            }
        }

        [TestMethod]
        public void EnvironmentOverride_ToEmptyDirectory_IsHonoured()
        {
            string dir = Path.Combine(Path.GetTempPath(), "initcore-empty-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            string? before = Environment.GetEnvironmentVariable(CudaLibraries.DirectoryVariable);
            try
            {
                Environment.SetEnvironmentVariable(CudaLibraries.DirectoryVariable, dir);
                var ex = Assert.ThrowsExactly<CudaUnavailableException>(() => Engine.Create(new EngineOptions { Backend = BackendKind.Cuda }));
                StringAssert.Contains(ex.LoadTrace[0], CudaLibraries.DirectoryVariable);
                Assert.IsTrue(ex.LoadTrace.Skip(1).All(l => l.StartsWith(dir, StringComparison.Ordinal)), string.Join(" | ", ex.LoadTrace));
                using var auto = Engine.Create();
                Assert.AreEqual(BackendKind.Cpu, auto.Backend, "auto falls back when the override holds nothing");
            }
            finally
            {
                Environment.SetEnvironmentVariable(CudaLibraries.DirectoryVariable, before);
                Directory.Delete(dir);
            }
        }

        [TestMethod]
        public void InteropStructs_MatchKernelLayouts()
        {
            Assert.AreEqual(72, Marshal.SizeOf<FillTaskNative>());
            Assert.AreEqual(40, (int)Marshal.OffsetOf<FillTaskNative>(nameof(FillTaskNative.Kind)));
            Assert.AreEqual(48, (int)Marshal.OffsetOf<FillTaskNative>(nameof(FillTaskNative.P)));
            Assert.AreEqual(40, Marshal.SizeOf<StatsPartialNative>());
            Assert.AreEqual(32, (int)Marshal.OffsetOf<StatsPartialNative>(nameof(StatsPartialNative.Min)));
            Assert.AreEqual(24, Marshal.SizeOf<StatsConfigNative>());
            // cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t: algo, status, time, size_t memory, determinism, mathType, reserved[3].
            Assert.AreEqual(48, Marshal.SizeOf<cudnnConvolutionPerf_t>());
            Assert.AreEqual(16, (int)Marshal.OffsetOf<cudnnConvolutionPerf_t>(nameof(cudnnConvolutionPerf_t.memory)));
            Assert.AreEqual(28, (int)Marshal.OffsetOf<cudnnConvolutionPerf_t>(nameof(cudnnConvolutionPerf_t.mathType)));
            Assert.AreEqual(16, (int)Marshal.OffsetOf<StatsConfigNative>(nameof(StatsConfigNative.Bins)));
        }

        [TestMethod]
        public void EmbeddedKernels_ArePtxDeclaringEveryEntryPoint()
        {
            foreach (var module in KernelCatalog.Modules)
            {
                byte[] image = KernelCatalog.Image(module.Key);
                Assert.AreEqual(0, image[^1], "the image is NUL-terminated for cuModuleLoadDataEx");
                string ptx = System.Text.Encoding.ASCII.GetString(image, 0, image.Length - 1);
                StringAssert.Contains(ptx, ".target sm_52", $"{module.Key}: compiled for a low virtual architecture");
                // activations.ptx calls CUDA's float tanhf/expf/erff/expm1f/log1pf, whose libdevice code uses FMA whatever -fmad
                // says; its kernels are compared with their twins at a tolerance (CudaLayerParityTests), not bit for bit.
                if (module.Key != "activations")
                    Assert.IsFalse(ptx.Contains("fma.rn.f32"), $"{module.Key}: no fused multiply-add (built with -fmad=false)");
                foreach (string entry in module.Value)
                    StringAssert.Contains(ptx, $".entry {entry}(", $"{module.Key} lacks {entry}");
            }
        }

        [TestMethod]
        [DataRow(0, "CUDA_SUCCESS")]
        [DataRow(2, "CUDA_ERROR_OUT_OF_MEMORY")]
        [DataRow(100, "CUDA_ERROR_NO_DEVICE")]
        [DataRow(218, "CUDA_ERROR_INVALID_PTX")]
        [DataRow(222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION")]
        [DataRow(4242, "CUresult 4242")]
        public void CUresult_NamesMatchCudaH(int code, string name) => Assert.AreEqual(name, CUresultInfo.Name(code));

        [TestMethod]
        public void CUresult_NoDevice_HasAdvice() => StringAssert.Contains(CUresultInfo.Advice(100), "CPU backend");

        [TestMethod]
        [DataRow(0, "CUBLAS_STATUS_SUCCESS")]
        [DataRow(7, "CUBLAS_STATUS_INVALID_VALUE")]
        [DataRow(13, "CUBLAS_STATUS_EXECUTION_FAILED")]
        [DataRow(99, "cublasStatus_t 99")]
        public void CublasStatus_NamesMatchHeader(int code, string name) => Assert.AreEqual(name, CublasStatusInfo.Name(code));

        [TestMethod]
        [DataRow(3, "CUDNN_STATUS_BAD_PARAM")]
        [DataRow(9, "CUDNN_STATUS_NOT_SUPPORTED")]
        [DataRow(1001, "CUDNN_STATUS_NOT_INITIALIZED")]
        [DataRow(2000, "CUDNN_STATUS_BAD_PARAM")]
        [DataRow(2005, "CUDNN_STATUS_BAD_PARAM (2005)")]
        [DataRow(5000, "CUDNN_STATUS_EXECUTION_FAILED")]
        public void CudnnStatus_NamesCoverVersions8And9(int code, string name) => Assert.AreEqual(name, CudnnStatusInfo.Name(code));

        [TestMethod]
        [DataRow(1UL, 512UL)]
        [DataRow(512UL, 512UL)]
        [DataRow(513UL, 1024UL)]
        [DataRow(1UL << 20, 1UL << 20)]
        [DataRow((1UL << 20) + 1, 2UL << 20)]
        public void PoolBlockSize_RoundsToClasses(ulong bytes, ulong block) => Assert.AreEqual(block, CudaBackend.BlockSize(bytes));

        [TestMethod]
        public void LibraryCandidates_ProbeNewestVersionFirst_ThenFallbackDirectories()
        {
            var names = CudaLibraries.CublasNames.Select(n => n.Blas).ToArray();
            if (!LibraryLoader.IsWindows)
            {
                CollectionAssert.AreEqual(new[] { "libcublas.so.13", "libcublas.so.12", "libcublas.so.11" }, names);
                CollectionAssert.AreEqual(new[] { "libcuda.so.1", "libcuda.so" }, CudaLibraries.DriverNames.ToArray());
                CollectionAssert.AreEqual(new[] { "libcudnn.so.9", "libcudnn.so.8" }, CudaLibraries.CudnnNames.ToArray());
            }
            var candidates = LibraryLoader.Candidates(new[] { "a", "b" }, null, new[] { "/d1", "/d2" }).ToArray();
            CollectionAssert.AreEqual(new[] { "a", Path.Combine("/d1", "a"), Path.Combine("/d2", "a"), "b", Path.Combine("/d1", "b"), Path.Combine("/d2", "b") }, candidates);
            CollectionAssert.AreEqual(new[] { Path.Combine("/o", "a"), Path.Combine("/o", "b") }, LibraryLoader.Candidates(new[] { "a", "b" }, "/o", new[] { "/d1" }).ToArray());
        }
    }
}
