namespace InitCore.Nn
{
    /// <summary>Numbers in layer descriptions as Python's <c>repr(float)</c> writes them (1.0, 0.25, 1e-05), so they read as torch prints its modules.</summary>
    internal static class TorchRepr
    {
        internal static string Float(double v)
        {
            string s = v.ToString("R", CultureInfo.InvariantCulture);
            if (s.Contains("E"))
            {
                // .NET: 1E-05 → Python: 1e-05
                s = s.Replace("E", "e");
                int e = s.IndexOf('e');
                string mantissa = s.Substring(0, e), exp = s.Substring(e + 1);
                string sign = exp.StartsWith("-") ? "-" : "+";
                exp = exp.TrimStart('+', '-');
                if (exp.Length < 2) exp = "0" + exp;
                return mantissa + "e" + sign + exp;
            }
            return s.IndexOf('.') < 0 && !double.IsNaN(v) && !double.IsInfinity(v) ? s + ".0" : s;
        }
    }
}
