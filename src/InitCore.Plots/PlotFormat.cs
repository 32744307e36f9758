namespace InitCore.Plots
{
    /// <summary>The image formats a plot can be written in, chosen by the file's extension.</summary>
    internal enum PlotFormat
    {
        Png,
        Svg,
    }
}
