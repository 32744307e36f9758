using System;
using System.Globalization;
using System.Text;

namespace InitCore.Diagnostics
{
    /// <summary>Report JSON: string literals (through the safetensors writer's escaping) and numbers (no System.Text.Json on netstandard2.1 without a package).</summary>
    internal static class JsonText
    {
        /// <summary>A JSON string literal, with the escapes of <see cref="Serialization.JsonText"/> (shared with the safetensors writer).</summary>
        internal static string String(string s)
        {
            var sb = new StringBuilder(s.Length + 2);
            Serialization.JsonText.AppendString(sb, s);
            return sb.ToString();
        }

        /// <summary>A number, or null for NaN and infinities (JSON has neither).</summary>
        internal static string Number(double v) => double.IsNaN(v) || double.IsInfinity(v) ? "null" : v.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Numbers in the diagnostics' text tables, formatted one way: four significant digits, invariant culture (fractions too, e.g. 0.5012).</summary>
    internal static class ReportText
    {
        /// <summary><paramref name="v"/> with four significant digits (the non-finite values as the invariant culture writes them).</summary>
        internal static string Number(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
    }
}
