using System;
using System.Collections.Generic;
using System.IO;
using InitCore.Cuda;
using InitCore.Interop.Cublas;
using InitCore.Interop.Cuda;
using InitCore.Interop.Cudnn;

namespace InitCore.Interop
{
    /// <summary>
    /// Finds libcuda, cuBLAS and cuDNN by exact versioned names, confirms each candidate by calling its
    /// version function, and keeps a trace of every attempt. libcuda is required; cuBLAS and cuDNN are
    /// optional (matmul and convolution need them) and their failures are kept in the trace.
    /// </summary>
    internal sealed class CudaLibraries
    {
        /// <summary>Environment variable naming one directory that replaces the default search.</summary>
        internal const string DirectoryVariable = "INITCORE_CUDA_LIBRARY_PATH";

        private CudaLibraries(CudaDriverApi driver, int driverVersion, CublasApi? cublas, CudnnApi? cudnn, List<string> trace)
        {
            Driver = driver;
            DriverVersion = driverVersion;
            Cublas = cublas;
            Cudnn = cudnn;
            Trace = trace;
        }

        internal CudaDriverApi Driver { get; }
        internal int DriverVersion { get; }
        internal CublasApi? Cublas { get; }
        internal CudnnApi? Cudnn { get; }
        internal IReadOnlyList<string> Trace { get; }

        internal static IReadOnlyList<string> DriverNames => LibraryLoader.IsWindows ? new[] { "nvcuda.dll" } : new[] { "libcuda.so.1", "libcuda.so" };

        internal static IReadOnlyList<(string Lt, string Blas, int Major)> CublasNames => LibraryLoader.IsWindows
            ? new[] { ("cublasLt64_13.dll", "cublas64_13.dll", 13), ("cublasLt64_12.dll", "cublas64_12.dll", 12), ("cublasLt64_11.dll", "cublas64_11.dll", 11) }
            : new[] { ("libcublasLt.so.13", "libcublas.so.13", 13), ("libcublasLt.so.12", "libcublas.so.12", 12), ("libcublasLt.so.11", "libcublas.so.11", 11) };

        internal static IReadOnlyList<string> CudnnNames => LibraryLoader.IsWindows ? new[] { "cudnn64_9.dll", "cudnn64_8.dll" } : new[] { "libcudnn.so.9", "libcudnn.so.8" };

        internal static IReadOnlyList<string> FallbackDirectories()
        {
            var dirs = new List<string>();
            string? cudaPath = Environment.GetEnvironmentVariable("CUDA_PATH");
            if (LibraryLoader.IsWindows)
            {
                if (!string.IsNullOrEmpty(cudaPath))
                {
                    dirs.Add(Path.Combine(cudaPath, "bin", "x64"));
                    dirs.Add(Path.Combine(cudaPath, "bin"));
                }
                return dirs;
            }
            if (!string.IsNullOrEmpty(cudaPath)) dirs.Add(Path.Combine(cudaPath, "lib64"));
            dirs.AddRange(new[] { "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/wsl/lib" });
            return dirs;
        }

        /// <summary>The override directory: the API's if given, else the environment variable's, else none.</summary>
        internal static string? ResolveOverride(string? apiDirectory, List<string> trace)
        {
            if (!string.IsNullOrEmpty(apiDirectory))
            {
                trace.Add($"library directory override from EngineOptions.CudaLibraryDirectory: {apiDirectory} (only this directory is searched)");
                return apiDirectory;
            }
            string? env = Environment.GetEnvironmentVariable(DirectoryVariable);
            if (!string.IsNullOrEmpty(env))
            {
                trace.Add($"library directory override from {DirectoryVariable}: {env} (only this directory is searched)");
                return env;
            }
            return null;
        }

        /// <summary>Loads the libraries or throws <see cref="CudaUnavailableException"/> with the trace.</summary>
        internal static unsafe CudaLibraries Load(string? overrideDirectory)
        {
            var trace = new List<string>();
            string? dir = ResolveOverride(overrideDirectory, trace);
            IReadOnlyList<string> fallback = FallbackDirectories();

            CudaDriverApi? driver = null;
            int driverVersion = 0;
            foreach (string candidate in LibraryLoader.Candidates(DriverNames, dir, fallback))
            {
                IntPtr h = LibraryLoader.TryLoad(candidate, trace);
                if (h == IntPtr.Zero) continue;
                var api = new CudaDriverApi(h, candidate);
                if (api.MissingSymbols.Count > 0)
                {
                    trace.Add($"{candidate}: loaded but refused: missing {string.Join(", ", api.MissingSymbols)}");
                    continue;
                }
                CUresult r = api.DriverGetVersion(out int v);
                if (r != CUresult.CUDA_SUCCESS)
                {
                    trace.Add($"{candidate}: loaded but refused: cuDriverGetVersion returned {CUresultInfo.Name((int)r)} ({(int)r})");
                    continue;
                }
                trace.Add($"{candidate}: loaded, driver supports CUDA {v / 1000}.{v % 1000 / 10}");
                driver = api;
                driverVersion = v;
                break;
            }
            if (driver is null)
                throw new CudaUnavailableException(
                    $"the NVIDIA driver library ({string.Join(" or ", DriverNames)}) was not found; install the NVIDIA driver, or point {DirectoryVariable} at the directory that holds it",
                    trace);

            // Initialize before probing the math libraries: without a device they are not needed.
            CUresult init = driver.Init();
            if (init != CUresult.CUDA_SUCCESS)
            {
                string reason = $"cuInit returned {CUresultInfo.Name((int)init)} ({(int)init})";
                trace.Add(reason + (CUresultInfo.Advice((int)init) is { Length: > 0 } a ? ": " + a : ""));
                var (name, text) = driver.Describe(init);
                var inner = new CudaException((int)init, name, "cuInit(0)", $"cuInit(0) failed with {name} ({(int)init}){(text.Length > 0 ? ": " + text : "")}.");
                throw new CudaUnavailableException(reason, trace, inner);
            }

            CublasApi? cublas = null;
            foreach (var (lt, blas, major) in CublasNames)
            {
                if (major > driverVersion / 1000)
                {
                    trace.Add($"{blas}: skipped: cuBLAS {major} needs a CUDA {major} driver, this driver supports CUDA {driverVersion / 1000}.{driverVersion % 1000 / 10}");
                    continue;
                }
                foreach (string candidate in LibraryLoader.Candidates(new[] { blas }, dir, fallback))
                {
                    // Load cublasLt from the same place first, so cuBLAS's dependency resolves to it.
                    string ltCandidate = Path.GetDirectoryName(candidate) is { Length: > 0 } d ? Path.Combine(d, lt) : lt;
                    if (LibraryLoader.TryLoad(ltCandidate, trace, global: true) == IntPtr.Zero) continue;
                    IntPtr h = LibraryLoader.TryLoad(candidate, trace);
                    if (h == IntPtr.Zero) continue;
                    var api = new CublasApi(h, candidate);
                    if (api.MissingSymbols.Count > 0)
                    {
                        trace.Add($"{candidate}: loaded but refused: missing {string.Join(", ", api.MissingSymbols)}");
                        continue;
                    }
                    var status = api.GetVersion(out int ma, out int mi, out int pa);
                    int cudart = api.CudartVersion;
                    if (status != cublasStatus_t.CUBLAS_STATUS_SUCCESS)
                    {
                        trace.Add($"{candidate}: loaded but refused: cublasGetProperty returned {CublasStatusInfo.Name((int)status)}");
                        continue;
                    }
                    if (cudart / 1000 > driverVersion / 1000)
                    {
                        trace.Add($"{candidate}: refused: cuBLAS {ma}.{mi}.{pa} was built for CUDA {cudart / 1000}.{cudart % 1000 / 10}, newer than the driver's CUDA {driverVersion / 1000}.{driverVersion % 1000 / 10}");
                        continue;
                    }
                    trace.Add($"{candidate}: loaded, cuBLAS {ma}.{mi}.{pa} (CUDA {cudart / 1000}.{cudart % 1000 / 10})");
                    cublas = api;
                    break;
                }
                if (cublas is not null) break;
            }
            if (cublas is null) trace.Add("cuBLAS: none usable; matrix multiplies on CUDA are unavailable");

            CudnnApi? cudnn = null;
            foreach (string candidate in LibraryLoader.Candidates(CudnnNames, dir, fallback))
            {
                IntPtr h = LibraryLoader.TryLoad(candidate, trace);
                if (h == IntPtr.Zero) continue;
                var api = new CudnnApi(h, candidate);
                if (api.MissingSymbols.Count > 0)
                {
                    trace.Add($"{candidate}: loaded but refused: missing {string.Join(", ", api.MissingSymbols)}");
                    continue;
                }
                long v = api.Version;
                trace.Add($"{candidate}: loaded, cuDNN version {v}");
                cudnn = api;
                break;
            }
            if (cudnn is null) trace.Add("cuDNN: none usable; convolutions on CUDA are unavailable");
            return new CudaLibraries(driver, driverVersion, cublas, cudnn, trace);
        }
    }
}
