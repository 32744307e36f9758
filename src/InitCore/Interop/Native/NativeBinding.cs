namespace InitCore.Interop.Native
{
    /// <summary>
    /// The part every library binding (driver, cuBLAS, cuDNN) shares: the path it was loaded from, and the
    /// <see cref="Exports"/> its constructor resolves, whose unresolved names are <see cref="MissingSymbols"/>
    /// (a binding with any is refused, and the load trace lists them), and reading the strings the libraries return (<see cref="Utf8"/>).
    /// </summary>
    internal abstract class NativeBinding
    {
        private protected NativeBinding(IntPtr library, string path)
        {
            Path = path;
            Exports = new LibraryLoader.Exports(library);
        }

        /// <summary>Resolves the binding's required exports, recording the absent ones.</summary>
        private protected LibraryLoader.Exports Exports { get; }

        /// <summary>The name or path the library was loaded from.</summary>
        internal string Path { get; }

        /// <summary>The required exports the library lacks, in the order they were asked for.</summary>
        internal IReadOnlyList<string> MissingSymbols => Exports.Missing;

        /// <summary>A NUL-terminated UTF-8 string the library returned (a name, a description, a log), or "" for null.</summary>
        internal static unsafe string Utf8(byte* s)
        {
            if (s == null) return "";
            int n = 0;
            while (s[n] != 0) n++;
            return Encoding.UTF8.GetString(s, n);
        }
    }
}
