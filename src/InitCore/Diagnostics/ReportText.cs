namespace InitCore.Diagnostics
{
    /// <summary>Numbers in the diagnostics' text tables, formatted one way: four significant digits, invariant culture (fractions too, e.g. 0.5012).</summary>
    internal static class ReportText
    {
        /// <summary><paramref name="v"/> with four significant digits (the non-finite values as the invariant culture writes them).</summary>
        internal static string Number(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
    }
}
