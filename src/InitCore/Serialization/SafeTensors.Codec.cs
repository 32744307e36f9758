namespace InitCore.Serialization
{
    // SafeTensors, part 2 of 2: the codec between a file's bytes and tensors (validation, layout, name order).
    public static partial class SafeTensors
    {
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
