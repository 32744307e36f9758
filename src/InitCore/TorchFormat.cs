namespace InitCore
{
    /// <summary>
    /// torch's <c>repr</c> of a float tensor (torch/_tensor_str.py with the default print options: precision 4,
    /// threshold 1000, edgeitems 3, linewidth 80), so a PyTorch user reads InitCore's values as in a notebook.
    /// </summary>
    internal static class TorchFormat
    {
        private const int Precision = 4, Threshold = 1000, EdgeItems = 3, LineWidth = 80;
        private const string Prefix = "tensor(";

        internal static string Format(float[] data, int[] shape, string? device)
        {
            var suffixes = new List<string>();
            string body;
            if (data.Length == 0)
            {
                body = "[]";
                if (shape.Length != 1) suffixes.Add("size=(" + string.Join(", ", Array.ConvertAll(shape, d => d.ToString(CultureInfo.InvariantCulture))) + ")");
            }
            else
            {
                bool summarize = data.Length > Threshold;
                var formatter = new Formatter(Summarized(data, shape, summarize));
                var sb = new StringBuilder();
                Append(sb, data, shape, 0, 0, Prefix.Length, summarize, formatter);
                body = sb.ToString();
            }
            if (device is not null) suffixes.Add(device);
            return AddSuffixes(Prefix + body, suffixes, Prefix.Length);
        }

        /// <summary>The elements torch's formatter looks at: all of them, or the edge items of each dimension when summarizing.</summary>
        private static List<float> Summarized(float[] data, int[] shape, bool summarize)
        {
            var values = new List<float>();
            if (!summarize) values.AddRange(data);
            else Collect(data, shape, 0, 0, values);
            return values;
        }

        private static void Collect(float[] data, int[] shape, int dim, long offset, List<float> values)
        {
            if (shape.Length == 0) { values.Add(data[0]); return; }
            long stride = Stride(shape, dim);
            foreach (int i in Indices(shape[dim], true))
            {
                if (dim == shape.Length - 1) values.Add(data[offset + i]);
                else Collect(data, shape, dim + 1, offset + i * stride, values);
            }
        }

        private static long Stride(int[] shape, int dim)
        {
            long s = 1;
            for (int d = dim + 1; d < shape.Length; d++) s *= shape[d];
            return s;
        }

        /// <summary>The indices shown along a dimension of <paramref name="size"/>, with −1 where "..." goes.</summary>
        private static IEnumerable<int> Indices(int size, bool summarize)
        {
            if (summarize && size > 2 * EdgeItems)
            {
                for (int i = 0; i < EdgeItems; i++) yield return i;
                for (int i = size - EdgeItems; i < size; i++) yield return i;
            }
            else
            {
                for (int i = 0; i < size; i++) yield return i;
            }
        }

        private static void Append(StringBuilder sb, float[] data, int[] shape, int dim, long offset, int indent, bool summarize, Formatter f)
        {
            int rank = shape.Length - dim;
            if (rank == 0)
            {
                sb.Append(f.Format(data[offset]));
                return;
            }
            int size = shape[dim];
            bool cut = summarize && size > 2 * EdgeItems;
            if (rank == 1)
            {
                // _vector_str: elements of the same width, as many per line as fit in the line width.
                var items = new List<string>();
                for (int i = 0; i < size; i++)
                {
                    if (cut && i == EdgeItems) { items.Add(" ..."); i = size - EdgeItems; }
                    items.Add(f.Format(data[offset + i]));
                }
                int perLine = Math.Max(1, (LineWidth - indent) / (f.Width + 2));
                sb.Append('[');
                for (int i = 0; i < items.Count; i++)
                {
                    if (i > 0) sb.Append(i % perLine == 0 ? ",\n" + new string(' ', indent + 1) : ", ");
                    sb.Append(items[i]);
                }
                sb.Append(']');
                return;
            }
            long stride = Stride(shape, dim);
            string separator = "," + new string('\n', rank - 1) + new string(' ', indent + 1);
            sb.Append('[');
            bool first = true;
            for (int i = 0; i < size; i++)
            {
                if (!first) sb.Append(separator);
                first = false;
                if (cut && i == EdgeItems)
                {
                    sb.Append("...").Append(separator);
                    i = size - EdgeItems;
                }
                Append(sb, data, shape, dim + 1, offset + i * stride, indent + 1, summarize, f);
            }
            sb.Append(']');
        }

        private static string AddSuffixes(string text, List<string> suffixes, int indent)
        {
            var sb = new StringBuilder(text);
            int lastLine = text.Length - text.LastIndexOf('\n') + 1;
            foreach (string suffix in suffixes)
            {
                if (lastLine + suffix.Length + 2 > LineWidth)
                {
                    sb.Append(",\n").Append(' ', indent).Append(suffix);
                    lastLine = indent + suffix.Length;
                }
                else
                {
                    sb.Append(", ").Append(suffix);
                    lastLine += suffix.Length + 2;
                }
            }
            return sb.Append(')').ToString();
        }

        /// <summary>torch's _Formatter for floating tensors: integer mode, scientific mode or fixed with 4 decimals, one width for all.</summary>
        private sealed class Formatter
        {
            private readonly bool _intMode = true, _sciMode;

            internal Formatter(List<float> values)
            {
                Width = 1;
                double min = double.PositiveInfinity, max = 0;
                var nonzero = new List<double>();
                foreach (float v in values)
                {
                    if (float.IsNaN(v) || float.IsInfinity(v) || v == 0f) continue;
                    double a = Math.Abs((double)v);
                    nonzero.Add(v);
                    min = Math.Min(min, a);
                    max = Math.Max(max, a);
                }
                if (nonzero.Count == 0) return;
                foreach (double v in nonzero)
                    if (v != Math.Ceiling(v)) { _intMode = false; break; }
                _sciMode = max / min > 1000.0 || max > 1.0e8 || (!_intMode && min < 1.0e-4);
                foreach (double v in nonzero)
                    Width = Math.Max(Width, _sciMode ? Sci(v).Length : _intMode ? Fixed(v, 0).Length + 1 : Fixed(v, Precision).Length);
            }

            internal int Width { get; }

            internal string Format(float value)
            {
                double v = value;
                string text =
                    _sciMode ? Sci(v)
                    : _intMode ? Fixed(v, 0) + (double.IsNaN(v) || double.IsInfinity(v) ? "" : ".")
                    : Fixed(v, Precision);
                return text.Length < Width ? new string(' ', Width - text.Length) + text : text;
            }

            private static string Special(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";

            /// <summary>Python's <c>f"{v:.{decimals}f}"</c>.</summary>
            private static string Fixed(double v, int decimals) =>
                double.IsNaN(v) || double.IsInfinity(v) ? Special(v) : v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

            /// <summary>Python's <c>f"{v:.4e}"</c>: d.dddde±XX.</summary>
            private static string Sci(double v) =>
                double.IsNaN(v) || double.IsInfinity(v) ? Special(v) : v.ToString("0.0000e+00", CultureInfo.InvariantCulture);
        }
    }
}
