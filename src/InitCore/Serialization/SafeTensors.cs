namespace InitCore.Serialization
{
    /// <summary>
    /// Saves and loads tensors in the safetensors format, the file format of Hugging Face's safetensors
    /// library that PyTorch users exchange weights in: an 8-byte little-endian header length N, an N-byte
    /// UTF-8 JSON header (<c>{"__metadata__": {…}, "name": {"dtype": "F32", "shape": […], "data_offsets":
    /// [begin, end]}, …}</c>, padded with spaces to a multiple of 8), then the raw little-endian data. InitCore
    /// writes F32 only, with names sorted and data in the same order, as the reference writer lays out a
    /// float32 state dict; <c>safetensors.torch.load_file</c> reads the files, and this class reads theirs.
    /// </summary>
    /// <remarks>
    /// Loading validates the whole file before anything is returned or copied: a malformed file is an
    /// <see cref="InvalidDataException"/> and a file that does not match the targets of
    /// <see cref="LoadInto(string, IReadOnlyDictionary{string, Tensor}, bool)"/> an <see cref="ArgumentException"/>;
    /// either way the targets are left unchanged. Files are read whole into memory (up to 2 GB).
    /// <para>This file holds the public entry points; SafeTensors.Codec.cs converts between the file's bytes and tensors.</para>
    /// </remarks>
    /// <example>
    /// <code>
    /// var state = new Dictionary&lt;string, Tensor&gt; { ["conv.weight"] = w, ["conv.bias"] = b };
    /// SafeTensors.Save("model.safetensors", state, new Dictionary&lt;string, string&gt; { ["format"] = "pt" });
    /// SafeTensors.LoadInto("model.safetensors", state);   // in Python: safetensors.torch.load_file("model.safetensors")
    /// </code>
    /// </example>
    public static partial class SafeTensors
    {
        /// <summary>Saves tensors to a file (created or overwritten).</summary>
        /// <param name="path">The file.</param>
        /// <param name="tensors">The tensors by name (a state dict); names must be non-empty and not "__metadata__".</param>
        /// <param name="metadata">The optional <c>__metadata__</c> string map (PyTorch's writer puts <c>format: pt</c> there).</param>
        /// <exception cref="ArgumentException">A name is empty, reserved or not valid UTF-16, or a tensor is null.</exception>
        public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            byte[] file = Serialize(Snapshot(tensors), metadata);
            File.WriteAllBytes(path, file);
        }

        /// <summary>Saves tensors to a stream.</summary>
        /// <param name="stream">The destination; not disposed.</param>
        /// <param name="tensors">The tensors by name; names must be non-empty and not "__metadata__".</param>
        /// <param name="metadata">The optional <c>__metadata__</c> string map.</param>
        /// <exception cref="ArgumentException">A name is empty, reserved or not valid UTF-16, or a tensor is null.</exception>
        public static void Save(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            byte[] file = Serialize(Snapshot(tensors), metadata);
            stream.Write(file, 0, file.Length);
        }

        /// <summary>Saves host tensors to a file (created or overwritten).</summary>
        /// <param name="path">The file.</param>
        /// <param name="tensors">The tensors by name; names must be non-empty and not "__metadata__".</param>
        /// <param name="metadata">The optional <c>__metadata__</c> string map.</param>
        /// <exception cref="ArgumentException">A name is empty, reserved or not valid UTF-16, or a tensor is null.</exception>
        public static void Save(string path, IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            byte[] file = Serialize(Snapshot(tensors), metadata);
            File.WriteAllBytes(path, file);
        }

        /// <summary>Saves host tensors to a stream.</summary>
        /// <param name="stream">The destination; not disposed.</param>
        /// <param name="tensors">The tensors by name; names must be non-empty and not "__metadata__".</param>
        /// <param name="metadata">The optional <c>__metadata__</c> string map.</param>
        /// <exception cref="ArgumentException">A name is empty, reserved or not valid UTF-16, or a tensor is null.</exception>
        public static void Save(Stream stream, IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            byte[] file = Serialize(Snapshot(tensors), metadata);
            stream.Write(file, 0, file.Length);
        }

        /// <summary>Loads every tensor of a file into host memory.</summary>
        /// <param name="path">The file.</param>
        /// <exception cref="InvalidDataException">The file is malformed, or holds a dtype other than F32 (the message names the tensor).</exception>
        public static SafeTensorsFile Load(string path)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            return Load(File.ReadAllBytes(path), path);
        }

        /// <summary>Loads every tensor from a stream (read to its end) into host memory.</summary>
        /// <param name="stream">The data; not disposed.</param>
        /// <exception cref="InvalidDataException">The data is malformed, or holds a dtype other than F32.</exception>
        public static SafeTensorsFile Load(Stream stream)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            return Load(ReadAll(stream), "stream");
        }

        /// <summary>
        /// Loads a file into existing tensors, for example a model's weights. Everything is validated first: the
        /// file's structure, then that every target is in the file with dtype F32 and exactly the target's shape,
        /// and (when <paramref name="strict"/>) that the file holds no other tensors. Only then are the values
        /// copied, so on any error every target keeps its values.
        /// </summary>
        /// <param name="path">The file.</param>
        /// <param name="targets">The tensors to fill, by name.</param>
        /// <param name="strict">When true (the default), tensors in the file that are not among the targets are an error; when false they are ignored.</param>
        /// <exception cref="InvalidDataException">The file is malformed; the targets are unchanged.</exception>
        /// <exception cref="ArgumentException">The file does not match the targets (missing or extra names, dtype, shape); the message lists every mismatch; the targets are unchanged.</exception>
        public static void LoadInto(string path, IReadOnlyDictionary<string, Tensor> targets, bool strict = true)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (targets is null) throw new ArgumentNullException(nameof(targets));
            LoadInto(File.ReadAllBytes(path), path, targets, strict);
        }

        /// <summary>Loads from a stream (read to its end) into existing tensors; see <see cref="LoadInto(string, IReadOnlyDictionary{string, Tensor}, bool)"/>.</summary>
        /// <param name="stream">The data; not disposed.</param>
        /// <param name="targets">The tensors to fill, by name.</param>
        /// <param name="strict">When true (the default), tensors in the file that are not among the targets are an error.</param>
        /// <exception cref="InvalidDataException">The data is malformed; the targets are unchanged.</exception>
        /// <exception cref="ArgumentException">The data does not match the targets; the targets are unchanged.</exception>
        public static void LoadInto(Stream stream, IReadOnlyDictionary<string, Tensor> targets, bool strict = true)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            if (targets is null) throw new ArgumentNullException(nameof(targets));
            LoadInto(ReadAll(stream), "stream", targets, strict);
        }

        /// <summary>
        /// Saves a module's <see cref="Nn.Module.StateDict"/> (parameters and buffers under torch's names, e.g. <c>0.weight</c>,
        /// <c>1.running_mean</c>), so <c>torch.nn.Module.load_state_dict(safetensors.torch.load_file(path))</c> reads it back.
        /// </summary>
        /// <param name="path">The file to write.</param>
        /// <param name="module">The model.</param>
        /// <param name="metadata">Optional string metadata, e.g. <c>format = pt</c>.</param>
        public static void Save(string path, Nn.Module module, IReadOnlyDictionary<string, string>? metadata = null)
            => Save(path, StateOf(module), metadata);

        /// <summary>Saves a module's state dict to a stream; see <see cref="Save(string, Nn.Module, IReadOnlyDictionary{string, string}?)"/>.</summary>
        /// <param name="stream">Where to write; not disposed.</param>
        /// <param name="module">The model.</param>
        /// <param name="metadata">Optional string metadata.</param>
        public static void Save(Stream stream, Nn.Module module, IReadOnlyDictionary<string, string>? metadata = null)
            => Save(stream, StateOf(module), metadata);

        /// <summary>
        /// Loads a file into a module through <see cref="Nn.Module.LoadStateDict"/>: the names are the module's state-dict
        /// names, and with <paramref name="strict"/> every name must match both ways; shapes must always match. On any
        /// error nothing is loaded.
        /// </summary>
        /// <param name="path">The file.</param>
        /// <param name="module">The model to fill.</param>
        /// <param name="strict">As torch's <c>load_state_dict</c>: true (the default) requires the same names on both sides.</param>
        /// <returns>The missing and unexpected names (empty after a strict load).</returns>
        /// <exception cref="InvalidDataException">The file is malformed or holds a tensor that is not F32.</exception>
        /// <exception cref="ArgumentException">The file does not match the module; the message lists every mismatch.</exception>
        public static Nn.StateDictLoadResult LoadInto(string path, Nn.Module module, bool strict = true)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (module is null) throw new ArgumentNullException(nameof(module));
            return LoadInto(Load(path), module, strict);
        }

        /// <summary>Loads from a stream (read to its end) into a module; see <see cref="LoadInto(string, Nn.Module, bool)"/>.</summary>
        /// <param name="stream">The data; not disposed.</param>
        /// <param name="module">The model to fill.</param>
        /// <param name="strict">True (the default) requires the same names on both sides.</param>
        /// <returns>The missing and unexpected names.</returns>
        public static Nn.StateDictLoadResult LoadInto(Stream stream, Nn.Module module, bool strict = true)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            if (module is null) throw new ArgumentNullException(nameof(module));
            return LoadInto(Load(stream), module, strict);
        }

        private static IReadOnlyDictionary<string, Tensor> StateOf(Nn.Module module) =>
            (module ?? throw new ArgumentNullException(nameof(module))).StateDict();

        private static Nn.StateDictLoadResult LoadInto(SafeTensorsFile file, Nn.Module module, bool strict)
        {
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (var kv in file.Tensors) tensors.Add(kv.Key, kv.Value.ToTensor(module.Engine));
                return module.LoadStateDict(tensors, strict);
            }
            finally
            {
                foreach (Tensor t in tensors.Values) t.Dispose();
            }
        }
    }
}
