using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

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
    /// </remarks>
    /// <example>
    /// <code>
    /// var state = new Dictionary&lt;string, Tensor&gt; { ["conv.weight"] = w, ["conv.bias"] = b };
    /// SafeTensors.Save("model.safetensors", state, new Dictionary&lt;string, string&gt; { ["format"] = "pt" });
    /// SafeTensors.LoadInto("model.safetensors", state);   // in Python: safetensors.torch.load_file("model.safetensors")
    /// </code>
    /// </example>
    public static class SafeTensors
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

        private static SafeTensorsFile Load(byte[] file, string source)
        {
            var header = SafeTensorsHeader.Parse(file, source);
            var tensors = new Dictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var e in Sorted(header.Entries.Values))
            {
                if (e.DType != "F32")
                    throw SafeTensorsHeader.Error(source, $"tensor '{e.Name}' has dtype {e.DType}; InitCore reads F32 only. Convert it before saving (in PyTorch: tensor.float()).");
                tensors.Add(e.Name, new TensorData(Decode(file, header.DataStart, e), e.Shape));
            }
            return new SafeTensorsFile(tensors, header.Metadata);
        }

        private static void LoadInto(byte[] file, string source, IReadOnlyDictionary<string, Tensor> targets, bool strict)
        {
            var header = SafeTensorsHeader.Parse(file, source);
            var problems = new List<string>();
            var missing = new List<string>();
            var names = new List<string>(targets.Keys);
            names.Sort(CompareUtf8);
            foreach (string name in names)
            {
                Tensor target = targets[name] ?? throw new ArgumentException($"Target '{name}' is null; pass a tensor for every name.", nameof(targets));
                target.ThrowIfDisposed(); // throws ObjectDisposedException now, before anything is copied
                if (!header.Entries.TryGetValue(name, out var e)) { missing.Add(name); continue; }
                if (e.DType != "F32")
                    problems.Add($"tensor '{name}': expected dtype F32 (InitCore tensors are float32), found {e.DType}");
                else if (!SameShape(e.Shape, target.ShapeArray))
                    problems.Add($"tensor '{name}': expected shape {TensorShape.Format(target.ShapeArray)} (the target's), found {TensorShape.Format(e.Shape)}");
            }
            if (missing.Count > 0)
                problems.Insert(0, $"missing from the file: {SafeTensorsHeader.FormatNames(missing)} (the file holds {SafeTensorsHeader.FormatNames(SortedNames(header.Entries.Keys))})");
            if (strict)
            {
                var extra = new List<string>();
                foreach (string name in header.Entries.Keys) if (!targets.ContainsKey(name)) extra.Add(name);
                extra.Sort(CompareUtf8);
                if (extra.Count > 0)
                    problems.Add($"the file holds tensors that are not among the targets: {SafeTensorsHeader.FormatNames(extra)} (pass strict: false to ignore them)");
            }
            if (problems.Count > 0)
                throw new ArgumentException($"safetensors {source} does not match the {targets.Count} target tensors; nothing was loaded: {string.Join("; ", problems)}.", nameof(targets));

            // Decode everything before touching any target.
            var values = new List<(Tensor Target, float[] Data)>(names.Count);
            foreach (string name in names) values.Add((targets[name], Decode(file, header.DataStart, header.Entries[name])));
            foreach (var (target, data) in values) target.CopyFrom(data);
        }

        private readonly struct Item
        {
            internal Item(string name, int[] shape, float[] data)
            {
                Name = name;
                Shape = shape;
                Data = data;
            }

            internal string Name { get; }
            internal int[] Shape { get; }
            internal float[] Data { get; }
        }

        private static List<Item> Snapshot(IReadOnlyDictionary<string, Tensor> tensors)
        {
            if (tensors is null) throw new ArgumentNullException(nameof(tensors));
            var items = new List<Item>(tensors.Count);
            foreach (var kv in tensors)
            {
                if (kv.Value is null) throw new ArgumentException($"Tensor '{kv.Key}' is null; pass a tensor for every name.", nameof(tensors));
                items.Add(new Item(kv.Key, kv.Value.ShapeArray, kv.Value.ToArray()));
            }
            return items;
        }

        private static List<Item> Snapshot(IReadOnlyDictionary<string, TensorData> tensors)
        {
            if (tensors is null) throw new ArgumentNullException(nameof(tensors));
            var items = new List<Item>(tensors.Count);
            foreach (var kv in tensors)
            {
                if (kv.Value is null) throw new ArgumentException($"Tensor '{kv.Key}' is null; pass a tensor for every name.", nameof(tensors));
                items.Add(new Item(kv.Key, kv.Value.ShapeArray, kv.Value.Data));
            }
            return items;
        }

        /// <summary>The whole file: length prefix, space-padded header, data in sorted-name order.</summary>
        private static byte[] Serialize(List<Item> items, IReadOnlyDictionary<string, string>? metadata)
        {
            var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
            foreach (var item in items)
            {
                if (item.Name.Length == 0)
                    throw new ArgumentException("A tensor name is empty; give every tensor a name such as \"fc.weight\".", "tensors");
                if (item.Name == SafeTensorsHeader.MetadataKey)
                    throw new ArgumentException($"\"{SafeTensorsHeader.MetadataKey}\" is reserved by the format for the metadata map; rename the tensor.", "tensors");
                CheckEncodable(utf8, item.Name, "tensor name", "tensors");
            }
            items.Sort((a, b) => CompareUtf8(a.Name, b.Name));

            var json = new JsonWriter().StartObject();
            if (metadata is not null)
            {
                json.Name(SafeTensorsHeader.MetadataKey).StartObject();
                var keys = new List<string>(metadata.Keys);
                keys.Sort(CompareUtf8);
                foreach (string key in keys)
                {
                    string value = metadata[key] ?? throw new ArgumentException($"Metadata entry '{key}' is null; metadata values must be strings.", nameof(metadata));
                    CheckEncodable(utf8, key, "metadata key", nameof(metadata));
                    CheckEncodable(utf8, value, $"metadata value of '{key}'", nameof(metadata));
                    json.Name(key).String(value);
                }
                json.EndObject();
            }
            long offset = 0;
            foreach (Item item in items)
            {
                json.Name(item.Name).StartObject().Name("dtype").String("F32").Name("shape").StartArray();
                foreach (long d in item.Shape) json.Number(d);
                long end = offset + 4L * item.Data.Length;
                json.EndArray().Name("data_offsets").StartArray().Number(offset).Number(end).EndArray().EndObject();
                offset = end;
            }
            string header = json.EndObject().ToString();

            int headerLength = utf8.GetByteCount(header);
            int padded = (headerLength + 7) / 8 * 8; // spaces up to a multiple of 8, as the reference writer does
            var file = new byte[checked(8 + padded + offset)];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
            utf8.GetBytes(header, 0, header.Length, file, 8);
            for (int i = 8 + headerLength; i < 8 + padded; i++) file[i] = (byte)' ';
            int at = 8 + padded;
            foreach (var item in items)
            {
                Encode(item.Data, file.AsSpan(at, 4 * item.Data.Length));
                at += 4 * item.Data.Length;
            }
            return file;
        }

        private static void CheckEncodable(UTF8Encoding utf8, string text, string what, string paramName)
        {
            try
            {
                utf8.GetByteCount(text);
            }
            catch (EncoderFallbackException)
            {
                throw new ArgumentException($"The {what} \"{text}\" contains an unpaired surrogate and cannot be written as UTF-8.", paramName);
            }
        }

        private static void Encode(float[] data, Span<byte> destination)
        {
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.AsBytes(data.AsSpan()).CopyTo(destination);
                return;
            }
            for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(4 * i), BitConverter.SingleToInt32Bits(data[i]));
        }

        private static float[] Decode(byte[] file, long dataStart, SafeTensorsEntry e)
        {
            var values = new float[(e.End - e.Begin) / 4];
            var source = new ReadOnlySpan<byte>(file, checked((int)(dataStart + e.Begin)), 4 * values.Length);
            if (BitConverter.IsLittleEndian)
            {
                source.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
                return values;
            }
            for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(source.Slice(4 * i)));
            return values;
        }

        private static bool SameShape(int[] a, int[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }

        private static byte[] ReadAll(Stream stream)
        {
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            return ms.ToArray();
        }

        private static IEnumerable<SafeTensorsEntry> Sorted(IEnumerable<SafeTensorsEntry> entries)
        {
            var list = new List<SafeTensorsEntry>(entries);
            list.Sort((a, b) => CompareUtf8(a.Name, b.Name));
            return list;
        }

        private static List<string> SortedNames(IEnumerable<string> names)
        {
            var list = new List<string>(names);
            list.Sort(CompareUtf8);
            return list;
        }

        /// <summary>Orders names by their UTF-8 bytes (code point order), as the reference implementation's sorted names.</summary>
        internal static int CompareUtf8(string a, string b)
        {
            int i = 0;
            while (i < a.Length && i < b.Length)
            {
                int ca = CodePointAt(a, i), cb = CodePointAt(b, i);
                if (ca != cb) return ca.CompareTo(cb);
                i += ca > 0xFFFF ? 2 : 1;
            }
            return a.Length.CompareTo(b.Length);
        }

        private static int CodePointAt(string s, int i) =>
            char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? char.ConvertToUtf32(s[i], s[i + 1]) : s[i];
    }
}
