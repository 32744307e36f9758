namespace InitCore.Serialization
{
    /// <summary>The kinds of JSON value.</summary>
    internal enum JsonKind
    {
        Object,
        Array,
        String,
        Number,
        True,
        False,
        Null,
    }

    /// <summary>
    /// A parsed JSON value. Objects keep their members in file order; numbers keep their text, so
    /// integers are read exactly (no detour through double).
    /// </summary>
    internal sealed class JsonValue
    {
        private JsonValue(JsonKind kind, int position)
        {
            Kind = kind;
            Position = position;
        }

        internal JsonKind Kind { get; }

        /// <summary>The character offset where the value starts in the parsed text.</summary>
        internal int Position { get; }

        /// <summary>A string's value or a number's text.</summary>
        internal string Text { get; private set; } = "";

        internal List<KeyValuePair<string, JsonValue>> Members { get; } = new List<KeyValuePair<string, JsonValue>>();

        internal List<JsonValue> Items { get; } = new List<JsonValue>();

        internal static JsonValue Of(JsonKind kind, int position, string text = "") => new JsonValue(kind, position) { Text = text };

        /// <summary>The value as a non-negative integer, or null when it is not one (or exceeds <see cref="long.MaxValue"/>).</summary>
        internal long? AsNonNegativeInteger()
        {
            if (Kind != JsonKind.Number || Text.Length == 0 || Text.Length > 19) return null;
            foreach (char c in Text) if (c < '0' || c > '9') return null;
            return long.TryParse(Text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : (long?)null;
        }

        /// <summary>A short description for messages: the string in quotes, the number, or the kind.</summary>
        internal string Describe() => Kind switch
        {
            JsonKind.String => "\"" + Text + "\"",
            JsonKind.Number => Text,
            JsonKind.True => "true",
            JsonKind.False => "false",
            JsonKind.Null => "null",
            JsonKind.Array => "an array",
            _ => "an object",
        };
    }

    /// <summary>A malformed JSON text; <see cref="Position"/> is the character offset of the problem.</summary>
    internal sealed class JsonSyntaxException : Exception
    {
        internal JsonSyntaxException(string message, int position) : base(message) => Position = position;

        internal int Position { get; }
    }

    /// <summary>
    /// A strict RFC 8259 JSON parser, small enough for the safetensors header (System.Text.Json would be a
    /// package dependency on netstandard2.1). Rejects duplicate keys, lone surrogates, control characters in
    /// strings, leading zeros and nesting deeper than 64.
    /// </summary>
    internal sealed class JsonParser
    {
        private const int MaxDepth = 64;
        private readonly string _s;
        private int _i;

        private JsonParser(string text) => _s = text;

        /// <summary>Parses one JSON value; only whitespace may follow it.</summary>
        /// <exception cref="JsonSyntaxException">The text is not well-formed JSON.</exception>
        internal static JsonValue Parse(string text)
        {
            var p = new JsonParser(text);
            p.SkipWhitespace();
            JsonValue v = p.ParseValue(0);
            p.SkipWhitespace();
            if (p._i != text.Length) throw p.Error($"unexpected {p.Found()} after the end of the JSON value");
            return v;
        }

        private JsonValue ParseValue(int depth)
        {
            if (_i >= _s.Length) throw Error("unexpected end of the text, expected a value");
            char c = _s[_i];
            switch (c)
            {
                case '{': return ParseObject(depth + 1);
                case '[': return ParseArray(depth + 1);
                case '"': { int at = _i; return JsonValue.Of(JsonKind.String, at, ParseString()); }
                case 't': return Literal("true", JsonKind.True);
                case 'f': return Literal("false", JsonKind.False);
                case 'n': return Literal("null", JsonKind.Null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
                    throw Error($"unexpected {Found()}, expected a value");
            }
        }

        private JsonValue ParseObject(int depth)
        {
            if (depth > MaxDepth) throw Error($"nesting deeper than {MaxDepth}");
            var obj = JsonValue.Of(JsonKind.Object, _i);
            _i++; // {
            SkipWhitespace();
            if (Peek('}')) { _i++; return obj; }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                SkipWhitespace();
                if (!Peek('"')) throw Error($"unexpected {Found()}, expected a string key");
                int keyAt = _i;
                string key = ParseString();
                if (!seen.Add(key)) throw new JsonSyntaxException($"duplicate key \"{key}\"", keyAt);
                SkipWhitespace();
                Expect(':', $"after key \"{key}\"");
                SkipWhitespace();
                obj.Members.Add(new KeyValuePair<string, JsonValue>(key, ParseValue(depth)));
                SkipWhitespace();
                if (Peek(',')) { _i++; continue; }
                Expect('}', $"after the value of key \"{key}\" (or a ',')");
                return obj;
            }
        }

        private JsonValue ParseArray(int depth)
        {
            if (depth > MaxDepth) throw Error($"nesting deeper than {MaxDepth}");
            var arr = JsonValue.Of(JsonKind.Array, _i);
            _i++; // [
            SkipWhitespace();
            if (Peek(']')) { _i++; return arr; }
            while (true)
            {
                SkipWhitespace();
                arr.Items.Add(ParseValue(depth));
                SkipWhitespace();
                if (Peek(',')) { _i++; continue; }
                Expect(']', "after an array element (or a ',')");
                return arr;
            }
        }

        private string ParseString()
        {
            _i++; // opening quote
            var sb = new StringBuilder();
            while (true)
            {
                if (_i >= _s.Length) throw Error("unterminated string");
                char c = _s[_i++];
                if (c == '"') return sb.ToString();
                if (c < 0x20) throw new JsonSyntaxException($"control character U+{(int)c:X4} inside a string (it must be escaped)", _i - 1);
                if (char.IsSurrogate(c))
                {
                    // The text came from strict UTF-8 decoding, so raw surrogates arrive in valid pairs.
                    sb.Append(c);
                    continue;
                }
                if (c != '\\') { sb.Append(c); continue; }
                if (_i >= _s.Length) throw Error("unterminated escape sequence");
                char e = _s[_i++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                    {
                        int at = _i - 2;
                        char u = ReadHex4();
                        if (char.IsHighSurrogate(u))
                        {
                            if (_i + 1 < _s.Length && _s[_i] == '\\' && _s[_i + 1] == 'u')
                            {
                                _i += 2;
                                char low = ReadHex4();
                                if (!char.IsLowSurrogate(low)) throw new JsonSyntaxException($"\\u{(int)u:X4} is a high surrogate not followed by a low one", at);
                                sb.Append(u).Append(low);
                                break;
                            }
                            throw new JsonSyntaxException($"\\u{(int)u:X4} is a lone high surrogate", at);
                        }
                        if (char.IsLowSurrogate(u)) throw new JsonSyntaxException($"\\u{(int)u:X4} is a lone low surrogate", at);
                        sb.Append(u);
                        break;
                    }
                    default:
                        throw new JsonSyntaxException($"invalid escape \\{e}", _i - 2);
                }
            }
        }

        private char ReadHex4()
        {
            if (_i + 4 > _s.Length) throw Error("truncated \\u escape");
            int v = 0;
            for (int k = 0; k < 4; k++)
            {
                char h = _s[_i + k];
                int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                if (d < 0) throw new JsonSyntaxException($"invalid hex digit '{h}' in a \\u escape", _i + k);
                v = v * 16 + d;
            }
            _i += 4;
            return (char)v;
        }

        private JsonValue ParseNumber()
        {
            int start = _i;
            if (Peek('-')) _i++;
            if (Peek('0')) _i++;
            else if (_i < _s.Length && _s[_i] >= '1' && _s[_i] <= '9') SkipDigits();
            else throw Error($"unexpected {Found()} in a number");
            if (Peek('.'))
            {
                _i++;
                if (!(_i < _s.Length && _s[_i] >= '0' && _s[_i] <= '9')) throw Error("expected a digit after the decimal point");
                SkipDigits();
            }
            if (Peek('e') || Peek('E'))
            {
                _i++;
                if (Peek('+') || Peek('-')) _i++;
                if (!(_i < _s.Length && _s[_i] >= '0' && _s[_i] <= '9')) throw Error("expected a digit in the exponent");
                SkipDigits();
            }
            if (_i < _s.Length && _s[_i] >= '0' && _s[_i] <= '9') throw new JsonSyntaxException("a number has a leading zero", start);
            return JsonValue.Of(JsonKind.Number, start, _s.Substring(start, _i - start));
        }

        private void SkipDigits()
        {
            while (_i < _s.Length && _s[_i] >= '0' && _s[_i] <= '9') _i++;
        }

        private JsonValue Literal(string word, JsonKind kind)
        {
            if (string.CompareOrdinal(_s, _i, word, 0, word.Length) != 0) throw Error($"unexpected {Found()}, expected a value");
            var v = JsonValue.Of(kind, _i);
            _i += word.Length;
            return v;
        }

        private void SkipWhitespace()
        {
            while (_i < _s.Length && (_s[_i] == ' ' || _s[_i] == '\t' || _s[_i] == '\n' || _s[_i] == '\r')) _i++;
        }

        private bool Peek(char c) => _i < _s.Length && _s[_i] == c;

        private void Expect(char c, string where)
        {
            if (!Peek(c)) throw Error($"expected '{c}' {where}, found {Found()}");
            _i++;
        }

        private string Found() => _i >= _s.Length ? "the end of the text" : $"'{_s[_i]}'";

        private JsonSyntaxException Error(string message) => new JsonSyntaxException(message, _i);
    }
}
