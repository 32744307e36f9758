using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InitCore.Backends.Cuda;

using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// The fixes of the CUDA core review (issue 13, item 3) that need no device: library search and load
    /// trace, cuDNN sub-libraries, algorithm and math-type choice, leading dimensions, sticky-error
    /// classification, the histogram's counter width, and the CPU's label check. The rest runs on the
    /// emulated device in <see cref="CudaReviewFixTests"/>.
    /// </summary>
    [TestClass]
    public sealed unsafe class CudaLoaderFixTests
    {
        [TestMethod]
        public void FirstFailedDlopenInTheProcess_TracesTheLoadersReason()
        {
            if (!LibraryLoader.IsLinux) Assert.Inconclusive("dlopen is Linux's loader; LoadLibraryEx reports Win32 errors instead.");
            // A fresh process, so this is the first dlopen and the first dlerror call it makes.
            if (!ChildProcessTest.InChild(typeof(CudaLoaderFixTests), nameof(FirstFailedDlopenInTheProcess_TracesTheLoadersReason))) return;
            var trace = new List<string>();
            string missing = Path.Combine(Path.GetTempPath(), "initcore-no-such-library-" + Guid.NewGuid().ToString("N") + ".so");
            Assert.AreEqual(IntPtr.Zero, LibraryLoader.TryLoad(missing, trace));
            Assert.HasCount(1, trace);
            StringAssert.StartsWith(trace[0], missing + ": dlopen failed: ");
            Assert.DoesNotContain("(no reason given)", trace[0]);
            StringAssert.Contains(trace[0], "No such file or directory");
        }

        [TestMethod]
        public void SearchDirectories_IncludeContainerDriverMountsAndPythonWheelLayouts()
        {
            if (!LibraryLoader.IsLinux) Assert.Inconclusive("The search directories checked here are Linux's.");
            using var venv = new TempFolder();
            using var conda = new TempFolder();
            using var home = new TempFolder();
            string cu13 = Directory.CreateDirectory(Path.Combine(venv.Path, "lib", "python3.12", "site-packages", "nvidia", "cu13", "lib")).FullName;
            string cublas = Directory.CreateDirectory(Path.Combine(venv.Path, "lib", "python3.12", "site-packages", "nvidia", "cublas", "lib")).FullName;
            string condaCudnn = Directory.CreateDirectory(Path.Combine(conda.Path, "lib", "python3.11", "site-packages", "nvidia", "cudnn", "lib")).FullName;
            string userCudnn = Directory.CreateDirectory(Path.Combine(home.Path, ".local", "lib", "python3.10", "dist-packages", "nvidia", "cudnn", "lib")).FullName;
            var env = new Dictionary<string, string> { ["VIRTUAL_ENV"] = venv.Path, ["CONDA_PREFIX"] = conda.Path };

            var dirs = CudaLibraries.FallbackDirectories(n => env.TryGetValue(n, out string? v) ? v : null, home.Path);
            var paths = dirs.Select(d => d.Directory).ToList();
            foreach (string expected in new[] { "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", cu13, cublas, condaCudnn, userCudnn })
                CollectionAssert.Contains(paths, expected, string.Join(" | ", paths));
            Assert.AreEqual("VIRTUAL_ENV Python wheel", dirs.Single(d => d.Directory == cublas).Origin);
            Assert.AreEqual("CONDA_PREFIX Python wheel", dirs.Single(d => d.Directory == condaCudnn).Origin);
            Assert.IsFalse(paths.Any(p => p.StartsWith(venv.Path, StringComparison.Ordinal) && p.Contains("cudnn")), "absent wheel folders are not listed");
            Assert.IsLessThan(paths.IndexOf(cu13), paths.IndexOf("/usr/local/nvidia/lib64"), "system folders before wheels");
        }

        [TestMethod]
        public void LoadTrace_RecordsEverySearchDirectory()
        {
            if (!LibraryLoader.IsLinux) Assert.Inconclusive("The search directories checked here are Linux's.");
            using var venv = new TempFolder();
            string cublas = Directory.CreateDirectory(Path.Combine(venv.Path, "lib", "python3.12", "site-packages", "nvidia", "cublas", "lib")).FullName;
            string? before = Environment.GetEnvironmentVariable("VIRTUAL_ENV");
            string? overrideBefore = Environment.GetEnvironmentVariable(CudaLibraries.DirectoryVariable);
            try
            {
                Environment.SetEnvironmentVariable("VIRTUAL_ENV", venv.Path);
                Environment.SetEnvironmentVariable(CudaLibraries.DirectoryVariable, null);
                IReadOnlyList<string> trace;
                try
                {
                    using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cuda });
                    trace = engine.LoadTrace;
                }
                catch (CudaUnavailableException ex)
                {
                    trace = ex.LoadTrace;
                }
                foreach (var (dir, origin) in CudaLibraries.FallbackDirectories())
                    CollectionAssert.Contains(trace.ToList(), $"search directory: {dir} ({origin})");
                CollectionAssert.Contains(trace.ToList(), $"search directory: {cublas} (VIRTUAL_ENV Python wheel)");
                CollectionAssert.Contains(trace.ToList(), "search directory: /usr/local/nvidia/lib64 (container driver mount)");
            }
            finally
            {
                Environment.SetEnvironmentVariable("VIRTUAL_ENV", before);
                Environment.SetEnvironmentVariable(CudaLibraries.DirectoryVariable, overrideBefore);
            }
        }

        [TestMethod]
        public void CudnnSubLibraries_AreLoadedFromTheMainLibrarysDirectory()
        {
            if (!LibraryLoader.IsLinux) Assert.Inconclusive("Windows finds cuDNN's DLLs next to the main DLL itself.");
            CollectionAssert.AreEqual(
                new[] { "libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9", "libcudnn_heuristic.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9" },
                CudaLibraries.CudnnSubLibraries("libcudnn.so.9").ToArray());
            using var dir = new TempFolder();
            File.WriteAllText(dir.File("libcudnn_graph.so.9"), "not an ELF file");
            File.WriteAllText(dir.File("libcudnn_cnn.so.9"), "not an ELF file");
            var trace = new List<string>();
            CudaLibraries.LoadCudnnSubLibraries(dir.Path, "libcudnn.so.9", trace);
            Assert.IsTrue(trace.Any(l => l.StartsWith(dir.File("libcudnn_graph.so.9") + ": dlopen failed: ", StringComparison.Ordinal)), string.Join(" | ", trace));
            Assert.IsTrue(trace.Any(l => l.StartsWith(dir.File("libcudnn_cnn.so.9") + ": dlopen failed: ", StringComparison.Ordinal)), string.Join(" | ", trace));
            Assert.IsLessThan(trace.FindIndex(l => l.StartsWith(dir.File("libcudnn_cnn.so.9"), StringComparison.Ordinal)),
                trace.FindIndex(l => l.StartsWith(dir.File("libcudnn_graph.so.9"), StringComparison.Ordinal)), "graph before cnn (dependency order)");
            Assert.AreEqual($"cuDNN sub-libraries not in {dir.Path}: libcudnn_engines_precompiled.so.9, libcudnn_engines_runtime_compiled.so.9, libcudnn_heuristic.so.9, libcudnn_ops.so.9, libcudnn_adv.so.9 (cuDNN will look for them on the loader's path)", trace[^1]);
        }

        [TestMethod]
        public void ConvolutionMathType_IsTheQuerysWithTf32_AndFmaWithout()
        {
            var perf = stackalloc cudnnConvolutionPerf_t[3];
            perf[0] = new cudnnConvolutionPerf_t { algo = 6, status = 3000, mathType = 1 };             // failed: skipped
            perf[1] = new cudnnConvolutionPerf_t { algo = 1, status = 0, memory = 4096, mathType = 1 }; // CUDNN_TENSOR_OP_MATH
            perf[2] = new cudnnConvolutionPerf_t { algo = 0, status = 0, memory = 0, mathType = 3 };
            Assert.AreEqual((1, 4096UL, 1), CudnnConvPlan.Pick(perf, 3, "forward", allowTf32: true));
            Assert.AreEqual((1, 4096UL, 3), CudnnConvPlan.Pick(perf, 3, "forward", allowTf32: false), "without AllowTf32 the math stays CUDNN_FMA_MATH (3)");
            var ex = Assert.ThrowsExactly<CudnnException>(() =>
            {
                var none = stackalloc cudnnConvolutionPerf_t[1];
                none[0] = new cudnnConvolutionPerf_t { algo = 2, status = 3000 };
                CudnnConvPlan.Pick(none, 1, "backward data", false);
            });
            StringAssert.Contains(ex.Message, "cuDNN offered no backward data algorithm");
        }

        [TestMethod]
        [DataRow(0, 1)]
        [DataRow(1, 1)]
        [DataRow(7, 7)]
        public void GemmLeadingDimension_IsAtLeastOne(int rows, int expected) => Assert.AreEqual(expected, CudaBackend.LeadingDimension(rows));

        [TestMethod]
        public void StickyErrors_Are700And715To719_AndTheAdviceIsToRestart()
        {
            foreach (int code in new[] { 700, 715, 716, 717, 718, 719 }) Assert.IsTrue(CudaDeviceContext.IsSticky((CUresult)code), $"{code} is sticky");
            foreach (int code in new[] { 0, 1, 2, 701, 702, 714, 720, 999 }) Assert.IsFalse(CudaDeviceContext.IsSticky((CUresult)code), $"{code} is not sticky");
            string advice = CUresultInfo.Advice(700);
            StringAssert.Contains(advice, "restart the process");
            Assert.DoesNotContain("dispose the engine and create a new one", advice);
        }

        [TestMethod]
        public void HistogramCounters_Are64BitInTheKernelAndTheReadback()
        {
            Assert.AreEqual(8, CudaBackend.HistogramCounterBytes);
            byte[] image = KernelCatalog.Image("stats");
            string ptx = System.Text.Encoding.ASCII.GetString(image, 0, image.Length - 1);
            StringAssert.Contains(ptx, "atom.shared.add.u64", "the per-block histogram counts in 64 bits");
            Assert.IsTrue(ptx.Contains("atom.global.add.u64") || ptx.Contains("red.global.add.u64"), "the global histogram counts in 64 bits");
            Assert.DoesNotContain("atom.shared.add.u32", ptx);
            Assert.DoesNotContain("red.global.add.u32", ptx);
            Assert.DoesNotContain("atom.global.add.u32", ptx);
        }

        [TestMethod]
        public void CpuCrossEntropy_OutOfRangeLabel_ThrowsArgumentException_AlsoOnTheParallelPath()
        {
            using Engine cpu = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, ThreadCount = 4 });
            const int n = 4096, classes = 3;
            using Tensor logits = cpu.CreateTensor(n, classes);
            var labels = new float[n];
            labels[3000] = 3;
            using Tensor target = cpu.CreateTensor(n);
            target.CopyFrom(labels);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => new CrossEntropyLoss().Forward(logits, target));
            Assert.AreEqual("target", ex.ParamName);
            StringAssert.StartsWith(ex.Message, "Label 3 at index 3000 is not an integer class in 0..2.");
        }
    }
}
