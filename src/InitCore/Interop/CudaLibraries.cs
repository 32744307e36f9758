using InitCore.Interop.Cublas;
using InitCore.Interop.CudaDriver;
using InitCore.Interop.Cudnn;
using InitCore.Interop.Native;

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

        /// <summary>The directories searched after the system search, each with where it comes from (see <see cref="FallbackDirectories(Func{string, string?}, string?)"/>).</summary>
        internal static IReadOnlyList<(string Directory, string Origin)> FallbackDirectories() =>
            FallbackDirectories(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

        /// <summary>
        /// The directories searched, in order, after the system loader's own search: CUDA_PATH, the toolkit's
        /// and the distribution's library folders, the container driver mounts (/usr/local/nvidia/lib64, /lib),
        /// WSL's driver folder, then NVIDIA's Python wheel layouts (nvidia/cu13/lib, nvidia/cublas/lib,
        /// nvidia/cudnn/lib under site-packages or dist-packages) of the active virtual environment
        /// (VIRTUAL_ENV), the Conda prefix (CONDA_PREFIX, also its lib folder), the user's ~/.local and the
        /// system's Python installations. Wheel folders are listed only where they exist.
        /// </summary>
        internal static IReadOnlyList<(string Directory, string Origin)> FallbackDirectories(Func<string, string?> environment, string? home)
        {
            var dirs = new List<(string, string)>();
            string? cudaPath = environment("CUDA_PATH");
            if (LibraryLoader.IsWindows)
            {
                if (!string.IsNullOrEmpty(cudaPath))
                {
                    dirs.Add((Path.Combine(cudaPath, "bin", "x64"), "CUDA_PATH"));
                    dirs.Add((Path.Combine(cudaPath, "bin"), "CUDA_PATH"));
                }
                return dirs;
            }
            if (!string.IsNullOrEmpty(cudaPath)) dirs.Add((Path.Combine(cudaPath, "lib64"), "CUDA_PATH"));
            foreach (string d in new[] { "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64" })
                dirs.Add((d, "CUDA toolkit and distribution"));
            dirs.Add(("/usr/local/nvidia/lib64", "container driver mount"));
            dirs.Add(("/usr/local/nvidia/lib", "container driver mount"));
            dirs.Add(("/usr/lib/wsl/lib", "WSL driver"));

            string? venv = environment("VIRTUAL_ENV"), conda = environment("CONDA_PREFIX");
            if (!string.IsNullOrEmpty(venv)) AddWheelDirectories(dirs, PythonLibRoots(Path.Combine(venv, "lib")), "VIRTUAL_ENV");
            if (!string.IsNullOrEmpty(conda))
            {
                AddWheelDirectories(dirs, PythonLibRoots(Path.Combine(conda, "lib")), "CONDA_PREFIX");
                string condaLib = Path.Combine(conda, "lib");
                if (Directory.Exists(condaLib)) dirs.Add((condaLib, "CONDA_PREFIX"));
            }
            if (!string.IsNullOrEmpty(home)) AddWheelDirectories(dirs, PythonLibRoots(Path.Combine(home, ".local", "lib")), "~/.local");
            foreach (string root in new[] { "/usr/local/lib", "/usr/lib", "/opt/conda/lib" })
                AddWheelDirectories(dirs, PythonLibRoots(root), "Python installation");
            return dirs;
        }

        /// <summary>NVIDIA's wheel layouts under one site-packages folder: the CUDA 13 meta-wheel's, cuBLAS's and cuDNN's.</summary>
        internal static readonly string[] WheelLayouts = { Path.Combine("nvidia", "cu13", "lib"), Path.Combine("nvidia", "cublas", "lib"), Path.Combine("nvidia", "cudnn", "lib") };

        /// <summary>The site-packages and dist-packages folders of every python3* under <paramref name="libDirectory"/>.</summary>
        private static IEnumerable<string> PythonLibRoots(string libDirectory)
        {
            string[] pythons;
            try
            {
                pythons = Directory.Exists(libDirectory) ? Directory.GetDirectories(libDirectory, "python3*") : Array.Empty<string>();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                yield break;
            }
            Array.Sort(pythons, StringComparer.Ordinal);
            Array.Reverse(pythons); // newest Python first
            foreach (string py in pythons)
            {
                yield return Path.Combine(py, "site-packages");
                yield return Path.Combine(py, "dist-packages");
            }
        }

        private static void AddWheelDirectories(List<(string, string)> dirs, IEnumerable<string> sitePackages, string origin)
        {
            foreach (string site in sitePackages)
                foreach (string layout in WheelLayouts)
                {
                    string d = Path.Combine(site, layout);
                    if (Directory.Exists(d) && !dirs.Exists(x => x.Item1 == d)) dirs.Add((d, origin + " Python wheel"));
                }
        }

        /// <summary>
        /// cuDNN's sub-libraries, in dependency order, for the main library's file name: cuDNN 9 splits into
        /// graph, engines, heuristic, ops, cnn and adv libraries that cudnnCreate opens by name; empty for
        /// names without sub-libraries (Windows finds them next to the main DLL itself).
        /// </summary>
        internal static IReadOnlyList<string> CudnnSubLibraries(string mainLibrary) => mainLibrary switch
        {
            "libcudnn.so.9" => new[]
            {
                "libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9",
                "libcudnn_heuristic.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9",
            },
            "libcudnn.so.8" => new[]
            {
                "libcudnn_ops_infer.so.8", "libcudnn_ops_train.so.8", "libcudnn_cnn_infer.so.8", "libcudnn_cnn_train.so.8",
                "libcudnn_adv_infer.so.8", "libcudnn_adv_train.so.8",
            },
            _ => Array.Empty<string>(),
        };

        /// <summary>
        /// Loads <paramref name="candidate"/> and binds its exports with <paramref name="bind"/>: the binding, or null when
        /// the library does not load or lacks a required export, with the reason in the trace.
        /// </summary>
        private static T? Bind<T>(string candidate, List<string> trace, Func<IntPtr, string, T> bind)
            where T : NativeBinding
        {
            IntPtr h = LibraryLoader.TryLoad(candidate, trace);
            if (h == IntPtr.Zero) return null;
            T api = bind(h, candidate);
            if (api.MissingSymbols.Count == 0) return api;
            trace.Add($"{candidate}: loaded but refused: missing {string.Join(", ", api.MissingSymbols)}");
            return null;
        }

        /// <summary>
        /// Loads cuDNN's sub-libraries from the directory the main library was found in, before cudnnCreate
        /// opens them by name: a library already loaded answers a later dlopen of its name, so cuDNN gets the
        /// copies that belong to it even when that directory is not on the loader's path (Python wheels,
        /// INITCORE_CUDA_LIBRARY_PATH). Each one found is traced; the absent ones are listed in one line.
        /// </summary>
        internal static void LoadCudnnSubLibraries(string directory, string mainLibrary, List<string> trace)
        {
            var absent = new List<string>();
            foreach (string name in CudnnSubLibraries(mainLibrary))
            {
                string path = Path.Combine(directory, name);
                if (!File.Exists(path))
                {
                    absent.Add(name);
                    continue;
                }
                if (LibraryLoader.TryLoad(path, trace, global: true) != IntPtr.Zero) trace.Add($"{path}: loaded (cuDNN sub-library, from the main library's directory)");
            }
            if (absent.Count > 0)
                trace.Add($"cuDNN sub-libraries not in {directory}: {string.Join(", ", absent)} (cuDNN will look for them on the loader's path)");
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
            var fallback = new List<string>();
            if (dir is null)
                foreach (var (d, origin) in FallbackDirectories())
                {
                    fallback.Add(d);
                    trace.Add($"search directory: {d} ({origin})");
                }

            CudaDriverApi? driver = null;
            int driverVersion = 0;
            foreach (string candidate in LibraryLoader.Candidates(DriverNames, dir, fallback))
            {
                CudaDriverApi? api = Bind(candidate, trace, (h, c) => new CudaDriverApi(h, c));
                if (api is null) continue;
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
                var (name, sentence) = driver.FailureSentence(init, "cuInit(0)");
                var inner = new CudaException((int)init, name, "cuInit(0)", sentence);
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
                    CublasApi? api = Bind(candidate, trace, (h, c) => new CublasApi(h, c));
                    if (api is null) continue;
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
                CudnnApi? api = Bind(candidate, trace, (h, c) => new CudnnApi(h, c));
                if (api is null) continue;
                long v = api.Version;
                trace.Add($"{candidate}: loaded, cuDNN version {v}");
                string? from = Path.IsPathRooted(candidate) ? Path.GetDirectoryName(candidate) : Path.GetDirectoryName(LibraryLoader.FileOf((IntPtr)api.cudnnGetVersion) ?? "");
                if (!string.IsNullOrEmpty(from)) LoadCudnnSubLibraries(from!, Path.GetFileName(candidate), trace);
                cudnn = api;
                break;
            }
            if (cudnn is null) trace.Add("cuDNN: none usable; convolutions on CUDA are unavailable");
            return new CudaLibraries(driver, driverVersion, cublas, cudnn, trace);
        }
    }
}
