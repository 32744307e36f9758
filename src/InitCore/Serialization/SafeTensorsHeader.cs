namespace InitCore.Serialization
{
    /// <summary>One tensor's entry in a safetensors header.</summary>
    internal sealed class SafeTensorsEntry(string name, string dtype, int[] shape, long begin, long end)
    {
        internal string Name { get; } = name;
        internal string DType { get; } = dtype;
        internal int[] Shape { get; } = shape;
        internal long Begin { get; } = begin;
        internal long End { get; } = end;
        internal string Offsets => $"[{Begin}, {End}]";
    }

    /// <summary>
    /// Parses and validates the header of a safetensors file held in memory: the 8-byte little-endian header
    /// length, the UTF-8 JSON header, every tensor's dtype, shape and data_offsets, and that the tensors tile
    /// the data section exactly (contiguous, no gap, no overlap, nothing after the last one), as the
    /// reference implementation requires. Every failure is an <see cref="InvalidDataException"/>.
    /// </summary>
    internal sealed class SafeTensorsHeader
    {
        /// <summary>The reference implementation's limit on the header's length.</summary>
        internal const long MaxHeaderBytes = 100_000_000;

        internal const string MetadataKey = "__metadata__";

        private static readonly Dictionary<string, int> DTypeSizes = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
            ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
            ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
            ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
        };

        private SafeTensorsHeader(Dictionary<string, SafeTensorsEntry> entries, Dictionary<string, string> metadata, long dataStart)
        {
            Entries = entries;
            Metadata = metadata;
            DataStart = dataStart;
        }

        /// <summary>The tensors by name.</summary>
        internal Dictionary<string, SafeTensorsEntry> Entries { get; }

        internal Dictionary<string, string> Metadata { get; }

        /// <summary>The file offset of the data section: 8 + header length.</summary>
        internal long DataStart { get; }

        internal static SafeTensorsHeader Parse(byte[] file, string source)
        {
            if (file.Length < 8)
                throw Error(source, $"the file is {file.Length} bytes long; a safetensors file starts with an 8-byte little-endian header length.");
            ulong n = BitConverter.IsLittleEndian ? BitConverter.ToUInt64(file, 0) : System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(file);
            if (n > MaxHeaderBytes)
                throw Error(source, $"the header length prefix says {n} bytes, more than the format's limit of {MaxHeaderBytes}; the file is corrupt or not safetensors.");
            if ((long)n > file.Length - 8)
                throw Error(source, $"the header length prefix says {n} bytes but only {file.Length - 8} bytes follow it; the file is truncated or not safetensors.");
            if (n == 0 || file[8] != (byte)'{')
                throw Error(source, n == 0 ? "the header length is 0; the header must be a JSON object." : $"the header must start with '{{' but starts with byte 0x{file[8]:X2}; the file is corrupt or not safetensors.");

            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(file, 8, (int)n);
            }
            catch (DecoderFallbackException ex)
            {
                throw Error(source, $"the header is not valid UTF-8 ({ex.Message}).", ex);
            }

            JsonValue root;
            try
            {
                root = JsonParser.Parse(text);
            }
            catch (JsonSyntaxException ex)
            {
                throw Error(source, $"the header JSON is malformed at character {ex.Position}: {ex.Message}.", ex);
            }
            if (root.Kind != JsonKind.Object)
                throw Error(source, $"the header must be a JSON object, found {root.Describe()}.");

            long dataLength = file.Length - 8 - (long)n;
            var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var member in root.Members)
            {
                if (member.Key == MetadataKey)
                {
                    ParseMetadata(member.Value, metadata, source);
                    continue;
                }
                entries.Add(member.Key, ParseEntry(member.Key, member.Value, source));
            }
            CheckLayout(entries, dataLength, source);
            return new SafeTensorsHeader(entries, metadata, 8 + (long)n);
        }

        internal static int ElementSize(string dtype) => DTypeSizes.TryGetValue(dtype, out int s) ? s : 0;

        private static void ParseMetadata(JsonValue value, Dictionary<string, string> metadata, string source)
        {
            if (value.Kind != JsonKind.Object)
                throw Error(source, $"\"{MetadataKey}\" must be an object mapping strings to strings, found {value.Describe()}.");
            foreach (var m in value.Members)
            {
                if (m.Value.Kind != JsonKind.String)
                    throw Error(source, $"\"{MetadataKey}\" entry \"{m.Key}\" must be a string, found {m.Value.Describe()}.");
                metadata.Add(m.Key, m.Value.Text);
            }
        }

        private static SafeTensorsEntry ParseEntry(string name, JsonValue value, string source)
        {
            if (value.Kind != JsonKind.Object)
                throw Error(source, $"tensor '{name}': its entry must be an object with dtype, shape and data_offsets, found {value.Describe()}.");
            JsonValue? dtype = null, shape = null, offsets = null;
            foreach (var m in value.Members)
            {
                switch (m.Key)
                {
                    case "dtype": dtype = m.Value; break;
                    case "shape": shape = m.Value; break;
                    case "data_offsets": offsets = m.Value; break;
                    default: break; // like the reference implementation, unknown fields are ignored
                }
            }
            if (dtype is null || shape is null || offsets is null)
                throw Error(source, $"tensor '{name}': the entry lacks {(dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets")}; each tensor needs dtype, shape and data_offsets.");
            if (dtype.Kind != JsonKind.String)
                throw Error(source, $"tensor '{name}': dtype must be a string such as \"F32\", found {dtype.Describe()}.");
            int size = ElementSize(dtype.Text);
            if (size == 0)
                throw Error(source, $"tensor '{name}': unknown dtype \"{dtype.Text}\"; the format defines {string.Join(", ", DTypeSizes.Keys)}.");
            if (shape.Kind != JsonKind.Array)
                throw Error(source, $"tensor '{name}': shape must be an array of non-negative integers, found {shape.Describe()}.");
            var dims = new int[shape.Items.Count];
            long elements = 1;
            for (int i = 0; i < dims.Length; i++)
            {
                long? d = shape.Items[i].AsNonNegativeInteger();
                if (d is null)
                    throw Error(source, $"tensor '{name}': shape element {i} must be a non-negative integer, found {shape.Items[i].Describe()}.");
                if (d > int.MaxValue)
                    throw Error(source, $"tensor '{name}': dimension {i} is {d}, beyond the {int.MaxValue} a tensor supports.");
                dims[i] = (int)d.Value;
                elements *= dims[i];
                if (elements > int.MaxValue)
                    throw Error(source, $"tensor '{name}': shape {TensorShape.Format(dims.AsSpan(0, i + 1))}… has more than {int.MaxValue} elements, more than a tensor supports.");
            }
            if (offsets.Kind != JsonKind.Array || offsets.Items.Count != 2)
                throw Error(source, $"tensor '{name}': data_offsets must be an array [begin, end] of two integers, found {(offsets.Kind == JsonKind.Array ? $"{offsets.Items.Count} elements" : offsets.Describe())}.");
            long? begin = offsets.Items[0].AsNonNegativeInteger(), end = offsets.Items[1].AsNonNegativeInteger();
            if (begin is null || end is null)
                throw Error(source, $"tensor '{name}': data_offsets must be non-negative integers, found [{offsets.Items[0].Describe()}, {offsets.Items[1].Describe()}].");
            if (end < begin)
                throw Error(source, $"tensor '{name}': data_offsets [{begin}, {end}] end before they begin.");
            long bytes = elements * size;
            if (end - begin != bytes)
                throw Error(source, $"tensor '{name}': shape {TensorShape.Format(dims)} of {dtype.Text} needs {bytes} bytes but data_offsets [{begin}, {end}] span {end - begin}.");
            return new SafeTensorsEntry(name, dtype.Text, dims, begin.Value, end.Value);
        }

        private static void CheckLayout(Dictionary<string, SafeTensorsEntry> entries, long dataLength, string source)
        {
            var ordered = new List<SafeTensorsEntry>(entries.Values);
            ordered.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long at = 0;
            SafeTensorsEntry? previous = null;
            foreach (var e in ordered)
            {
                if (e.Begin != at)
                {
                    string before = previous is null ? "the data section starts at 0" : $"the previous tensor '{previous.Name}' ends at {at}";
                    throw Error(source, $"tensor '{e.Name}': data_offsets {e.Offsets} start at {e.Begin} but {before}; tensors must tile the data section with no {(e.Begin > at ? "gap" : "overlap")}.");
                }
                at = e.End;
                previous = e;
            }
            if (at > dataLength)
                throw Error(source, $"truncated: the tensors need {at} data bytes after the header but the file holds {dataLength}{(previous is null ? "" : $" (tensor '{previous.Name}' has data_offsets {previous.Offsets})")}.");
            if (at < dataLength)
                throw Error(source, $"{dataLength - at} unexpected bytes after the last tensor's data (the tensors use {at} of the {dataLength} data bytes); the file is corrupt.");
        }

        internal static InvalidDataException Error(string source, string message, Exception? inner = null) =>
            new InvalidDataException($"safetensors {source}: {message}", inner);

        internal static string FormatNames(IEnumerable<string> names)
        {
            var sb = new StringBuilder();
            foreach (string n in names)
            {
                if (sb.Length > 0) sb.Append(", ");
                sb.Append('\'').Append(n).Append('\'');
            }
            return sb.Length == 0 ? "none" : sb.ToString();
        }
    }
}
