namespace InitCore.Serialization
{
    /// <summary>
    /// The one JSON writer behind every report (LSUV, activation statistics, the doctor), the safetensors header and
    /// the samples' --json documents. Strings get exactly the escapes RFC 8259 requires (everything else passes through,
    /// so "→" stays readable); numbers are written in the invariant culture, doubles in their shortest round-trip form,
    /// and NaN and ±∞ (which JSON lacks) as <c>null</c>. Commas (and, when indented, line breaks) are placed by the writer.
    /// System.Text.Json would be a package dependency on netstandard2.1, hence this small writer.
    /// </summary>
    internal sealed class JsonWriter
    {
        private readonly StringBuilder _sb = new StringBuilder();
        private readonly bool _indented;
        private readonly List<bool> _hasItems = new List<bool>(); // per open container: whether it holds a value yet
        private bool _afterName;

        /// <summary>A writer of compact JSON, or, with <paramref name="indented"/>, of JSON indented by two spaces per level.</summary>
        internal JsonWriter(bool indented = false) => _indented = indented;

        /// <summary>Starts an object (as a value, or after <see cref="Name"/>).</summary>
        internal JsonWriter StartObject() => Open('{');

        /// <summary>Ends the innermost object.</summary>
        internal JsonWriter EndObject() => Close('}');

        /// <summary>Starts an array (as a value, or after <see cref="Name"/>).</summary>
        internal JsonWriter StartArray() => Open('[');

        /// <summary>Ends the innermost array.</summary>
        internal JsonWriter EndArray() => Close(']');

        /// <summary>The name of the next member of the innermost object.</summary>
        internal JsonWriter Name(string name)
        {
            BeforeValue();
            AppendString(_sb, name);
            _sb.Append(_indented ? ": " : ":");
            _afterName = true;
            return this;
        }

        /// <summary>A string value, or <c>null</c> for a null string.</summary>
        internal JsonWriter String(string? value)
        {
            if (value is null) return Null();
            BeforeValue();
            AppendString(_sb, value);
            return this;
        }

        /// <summary>A number in its shortest round-trip form, or <c>null</c> for NaN, ±∞ and a missing value.</summary>
        internal JsonWriter Number(double? value) =>
            value is double v && !double.IsNaN(v) && !double.IsInfinity(v) ? Raw(v.ToString("R", CultureInfo.InvariantCulture)) : Null();

        /// <summary>An integer.</summary>
        internal JsonWriter Number(long value) => Raw(value.ToString(CultureInfo.InvariantCulture));

        /// <summary>An unsigned integer (a seed, say).</summary>
        internal JsonWriter Number(ulong value) => Raw(value.ToString(CultureInfo.InvariantCulture));

        /// <summary><c>true</c> or <c>false</c>.</summary>
        internal JsonWriter Bool(bool value) => Raw(value ? "true" : "false");

        /// <summary><c>null</c>.</summary>
        internal JsonWriter Null() => Raw("null");

        /// <summary>The document written so far.</summary>
        public override string ToString() => _sb.ToString();

        /// <summary>Appends <paramref name="value"/> as a JSON string literal, with the escapes RFC 8259 requires and nothing else.</summary>
        internal static void AppendString(StringBuilder sb, string value)
        {
            sb.Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        private JsonWriter Raw(string text)
        {
            BeforeValue();
            _sb.Append(text);
            return this;
        }

        private JsonWriter Open(char bracket)
        {
            BeforeValue();
            _sb.Append(bracket);
            _hasItems.Add(false);
            return this;
        }

        private JsonWriter Close(char bracket)
        {
            if (_hasItems.Count == 0 || _afterName)
                throw new InvalidOperationException($"JsonWriter: '{bracket}' has no open container to close (or follows a member name without a value).");
            bool any = _hasItems[_hasItems.Count - 1];
            _hasItems.RemoveAt(_hasItems.Count - 1);
            if (any) NewLine();
            _sb.Append(bracket);
            return this;
        }

        /// <summary>The separator before a value or a name: a comma between items, a line break and indent when indented.</summary>
        private void BeforeValue()
        {
            if (_afterName)
            {
                _afterName = false;
                return;
            }
            if (_hasItems.Count == 0) return;
            if (_hasItems[_hasItems.Count - 1]) _sb.Append(',');
            _hasItems[_hasItems.Count - 1] = true;
            NewLine();
        }

        private void NewLine()
        {
            if (!_indented) return;
            _sb.Append(Environment.NewLine).Append(' ', 2 * _hasItems.Count);
        }
    }
}
