namespace InitCore.Interop.Native
{
    /// <summary>
    /// Loads native libraries and resolves symbols with dlopen/dlsym (Linux) or LoadLibrary/GetProcAddress
    /// (Windows), the calls that exist on netstandard2.1 and under IL2CPP (no NativeLibrary). Every
    /// attempt is written to a trace that failures carry. Libraries are never unloaded: CUDA libraries
    /// must outlive every handle made from them, and hosts may create engines again.
    /// </summary>
    internal static class LibraryLoader
    {
        private const int RTLD_NOW = 2;
        private const int RTLD_GLOBAL = 0x100;

        [DllImport("libdl.so.2", EntryPoint = "dlopen")]
        private static extern IntPtr dlopen_libdl([MarshalAs(UnmanagedType.LPStr)] string fileName, int flags);

        [DllImport("libdl.so.2", EntryPoint = "dlsym")]
        private static extern IntPtr dlsym_libdl(IntPtr handle, [MarshalAs(UnmanagedType.LPStr)] string symbol);

        [DllImport("libdl.so.2", EntryPoint = "dlerror")]
        private static extern IntPtr dlerror_libdl();

        [DllImport("libc.so.6", EntryPoint = "dlopen")]
        private static extern IntPtr dlopen_libc([MarshalAs(UnmanagedType.LPStr)] string fileName, int flags);

        [DllImport("libc.so.6", EntryPoint = "dlsym")]
        private static extern IntPtr dlsym_libc(IntPtr handle, [MarshalAs(UnmanagedType.LPStr)] string symbol);

        [DllImport("libc.so.6", EntryPoint = "dlerror")]
        private static extern IntPtr dlerror_libc();

        [DllImport("libdl.so.2", EntryPoint = "dladdr")]
        private static extern int dladdr_libdl(IntPtr address, out DlInfo info);

        [DllImport("libc.so.6", EntryPoint = "dladdr")]
        private static extern int dladdr_libc(IntPtr address, out DlInfo info);

        /// <summary>Dl_info from dlfcn.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        private struct DlInfo
        {
            internal IntPtr dli_fname;
            internal IntPtr dli_fbase;
            internal IntPtr dli_sname;
            internal IntPtr dli_saddr;
        }

        [DllImport("kernel32", EntryPoint = "LoadLibraryExW", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryExW(string fileName, IntPtr reserved, uint flags);

        [DllImport("kernel32", EntryPoint = "GetProcAddress", CharSet = CharSet.Ansi, SetLastError = true)]
        private static extern IntPtr GetProcAddress(IntPtr module, string procName);

        private const uint LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR = 0x00000100;
        private const uint LOAD_LIBRARY_SEARCH_DEFAULT_DIRS = 0x00001000;

        internal static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        internal static bool IsLinux => RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

        /// <summary>Tries one file name or path; on failure adds the loader's reason to the trace.</summary>
        internal static IntPtr TryLoad(string nameOrPath, List<string> trace, bool global = false)
        {
            if (IsWindows)
            {
                uint flags = Path.IsPathRooted(nameOrPath) ? LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS : 0;
                IntPtr h = LoadLibraryExW(nameOrPath, IntPtr.Zero, flags);
                if (h == IntPtr.Zero) trace.Add($"{nameOrPath}: LoadLibraryEx failed (Win32 error {Marshal.GetLastWin32Error()})");
                return h;
            }
            if (!IsLinux)
            {
                trace.Add($"{nameOrPath}: not tried: CUDA libraries are loaded on Linux and Windows only ({RuntimeInformation.OSDescription})");
                return IntPtr.Zero;
            }
            int mode = RTLD_NOW | (global ? RTLD_GLOBAL : 0);
            try
            {
                // Binding the dlerror import on its first call runs the runtime's own dlopen/dlsym, which
                // consumes a pending error; call it once before dlopen so a failure's reason survives.
                ClearError(useLibc: false);
                IntPtr h = dlopen_libdl(nameOrPath, mode);
                if (h == IntPtr.Zero) trace.Add($"{nameOrPath}: dlopen failed: {LastError(useLibc: false)}");
                return h;
            }
            catch (DllNotFoundException)
            {
                // glibc ≥ 2.34 and musl keep dlopen in libc itself.
                ClearError(useLibc: true);
                IntPtr h = dlopen_libc(nameOrPath, mode);
                if (h == IntPtr.Zero) trace.Add($"{nameOrPath}: dlopen failed: {LastError(useLibc: true)}");
                return h;
            }
        }

        /// <summary>Resolves one library's exports by name, collecting the names it lacks (for the raw binding tables).</summary>
        internal sealed class Exports
        {
            private readonly IntPtr _library;
            private readonly List<string> _missing = new List<string>();

            internal Exports(IntPtr library) => _library = library;

            /// <summary>The export's address, or zero (and the name is recorded in <see cref="Missing"/>).</summary>
            internal IntPtr Need(string name)
            {
                IntPtr p = Symbol(_library, name);
                if (p == IntPtr.Zero) _missing.Add(name);
                return p;
            }

            /// <summary>The names <see cref="Need"/> could not resolve, in order.</summary>
            internal IReadOnlyList<string> Missing => _missing;
        }

        /// <summary>Resolves a symbol, or returns zero.</summary>
        internal static IntPtr Symbol(IntPtr library, string name)
        {
            if (IsWindows) return GetProcAddress(library, name);
            try
            {
                return dlsym_libdl(library, name);
            }
            catch (DllNotFoundException)
            {
                return dlsym_libc(library, name);
            }
        }

        /// <summary>Reads and discards any pending dlerror (and binds the import, so reading it later costs no loader call).</summary>
        private static void ClearError(bool useLibc)
        {
            if (useLibc) dlerror_libc();
            else dlerror_libdl();
        }

        /// <summary>
        /// The file a loaded symbol came from (dladdr on Linux), or null where that cannot be told
        /// (Windows, or dladdr fails). Used to find the directory a library was found in by the system search.
        /// </summary>
        internal static string? FileOf(IntPtr symbol)
        {
            if (!IsLinux || symbol == IntPtr.Zero) return null;
            DlInfo info;
            int ok;
            try
            {
                ok = dladdr_libdl(symbol, out info);
            }
            catch (DllNotFoundException)
            {
                ok = dladdr_libc(symbol, out info);
            }
            return ok != 0 && info.dli_fname != IntPtr.Zero ? Marshal.PtrToStringAnsi(info.dli_fname) : null;
        }

        private static string LastError(bool useLibc)
        {
            IntPtr p = useLibc ? dlerror_libc() : dlerror_libdl();
            return p == IntPtr.Zero ? "(no reason given)" : Marshal.PtrToStringAnsi(p) ?? "(no reason given)";
        }

        /// <summary>
        /// The candidate paths for a list of library names: each name alone (the system loader's search:
        /// LD_LIBRARY_PATH, the ldconfig cache, PATH on Windows), then in each fallback directory, before
        /// the next name; or, when an override directory is given, only the names in that directory.
        /// </summary>
        internal static IEnumerable<string> Candidates(IReadOnlyList<string> names, string? overrideDirectory, IReadOnlyList<string> fallbackDirectories)
        {
            if (overrideDirectory is not null)
            {
                foreach (string n in names) yield return Path.Combine(overrideDirectory, n);
                yield break;
            }
            foreach (string n in names)
            {
                yield return n;
                foreach (string dir in fallbackDirectories) yield return Path.Combine(dir, n);
            }
        }
    }
}
