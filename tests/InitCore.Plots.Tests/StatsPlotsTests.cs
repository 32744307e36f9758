using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InitCore.Plots.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using SkiaSharp;

namespace InitCore.Plots.Tests
{
    [TestClass]
    public sealed class StatsPlotsTests
    {
        private string _folder = "";

        [TestInitialize]
        public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("initcore-plots-").FullName;

        [TestCleanup]
        public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

        private string PathOf(string name) => Path.Combine(_folder, name);

        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 5 });

        /// <summary>Linear(20→30), ReLU, Linear(30→5) with statistics of <paramref name="batches"/> forward passes.</summary>
        private static (Sequential Model, ActivationStats Stats) Recorded(Engine e, int batches, ActivationStatsOptions? options = null)
        {
            var model = new Sequential(e, new Linear(e, 20, 30), new ReLU(e), new Linear(e, 30, 5));
            var stats = new ActivationStats(model, options);
            for (int b = 0; b < batches; b++)
            {
                using Tensor x = e.CreateTensor(64, 20);
                Init.Normal(x);
                Tensor y = model.Forward(x);
                if (options?.ActivationGradients == true || options?.WeightGradients == true) model.Backward(y);
            }
            return (model, stats);
        }

        /// <summary>Each plot of the public API, as (name, render to path with size).</summary>
        private static IEnumerable<(string Name, Action<string, int, int> Render)> EveryPlot(Sequential model, ActivationStats stats) => new (string, Action<string, int, int>)[]
        {
            ("MeanStd", (p, w, h) => StatsPlots.MeanStd(stats, p, w, h)),
            ("ColorfulDimension", (p, w, h) => StatsPlots.ColorfulDimension(stats, p, w, h)),
            ("NearZero", (p, w, h) => StatsPlots.NearZero(stats, p, w, h)),
            ("WeightDistributions", (p, w, h) => StatsPlots.WeightDistributions(model, p, w, h)),
            ("ActivationDistribution", (p, w, h) => StatsPlots.ActivationDistribution(stats, model[1], p, null, w, h)),
        };

        [TestMethod]
        public void EveryPlot_WritesPngOfTheRequestedSize()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 4);
            using (stats)
                foreach (var (name, render) in EveryPlot(model, stats))
                {
                    string png = PathOf(name + ".png");
                    render(png, 640, 360);
                    Assert.AreEqual((640, 360), ImageFile.PngSize(png), name);
                    render(png, 333, 517);   // overwrites, at an odd size
                    Assert.AreEqual((333, 517), ImageFile.PngSize(png), name);
                }
        }

        [TestMethod]
        public void EveryPlot_WritesSvgOfTheRequestedSize()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 4);
            using (stats)
                foreach (var (name, render) in EveryPlot(model, stats))
                {
                    string svg = PathOf(name + ".svg");
                    render(svg, 800, 450);
                    Assert.AreEqual((800, 450), ImageFile.SvgSize(ImageFile.Svg(svg)), name);
                }
        }

        [TestMethod]
        public void MeanStd_Svg_HasTitlesAndEveryLayerInTheLegend()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 4);
            using (stats)
            {
                string path = PathOf("meanstd.svg");
                StatsPlots.MeanStd(stats, path);
                string text = ImageFile.SvgText(ImageFile.Svg(path));
                StringAssert.Contains(text, "Activations: mean");
                StringAssert.Contains(text, "Activations: std");
                foreach (Module layer in stats.Layers) StringAssert.Contains(text, stats.LayerName(layer));
                StringAssert.Contains(text, "0:Linear(20→30)");
            }
        }

        [TestMethod]
        public void NearZero_AndColorfulDimension_Svg_NameEveryLayer()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 4);
            using (stats)
            {
                StatsPlots.NearZero(stats, PathOf("near.svg"));
                StatsPlots.ColorfulDimension(stats, PathOf("colorful.svg"));
                string near = ImageFile.SvgText(ImageFile.Svg(PathOf("near.svg")));
                XDocumentAssert(PathOf("colorful.svg"), out string colorful, out int images);
                foreach (Module layer in stats.Layers)
                {
                    StringAssert.Contains(near, stats.LayerName(layer));
                    StringAssert.Contains(colorful, stats.LayerName(layer));
                }
                StringAssert.Contains(near, "fraction near zero");
                StringAssert.Contains(colorful, "|x|", "the default histogram is of |x|");
                Assert.AreEqual(stats.Layers.Count, images, "one heatmap image per layer");
            }

            static void XDocumentAssert(string path, out string text, out int images)
            {
                var doc = ImageFile.Svg(path);
                text = ImageFile.SvgText(doc);
                images = doc.Descendants().Count(x => x.Name.LocalName == "image");
            }
        }

        [TestMethod]
        public void MeanStd_Png_DrawsOneLineInEachLayersColour()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 6);
            using (stats)
            {
                string path = PathOf("meanstd.png");
                StatsPlots.MeanStd(stats, path, 900, 400);
                using SKBitmap bitmap = SKBitmap.Decode(path);
                Assert.AreEqual(900, bitmap.Width);
                var palette = new ScottPlot.Palettes.Category10();
                for (int i = 0; i < stats.Layers.Count; i++)
                {
                    ScottPlot.Color c = palette.GetColor(i);
                    int close = 0;
                    for (int y = 0; y < bitmap.Height; y++)
                        for (int x = 0; x < bitmap.Width; x++)
                        {
                            SKColor p = bitmap.GetPixel(x, y);
                            if (Math.Abs(p.Red - c.R) + Math.Abs(p.Green - c.G) + Math.Abs(p.Blue - c.B) < 40) close++;
                        }
                    // Two lines over the batches plus the legend's sample: well over a hundred pixels of the colour.
                    Assert.IsGreaterThan(100, close, $"pixels in layer {i}'s colour");
                }
            }
        }

        [TestMethod]
        public void ColorfulDimension_IsLog1pOfTheRecordedCounts_BinByBatch()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 3);
            using (stats)
            {
                var series = LayerSeries.Read(stats, StatKind.Activation);
                Assert.AreEqual(stats.Layers.Count, series.Count);
                double[,] m = series[1].Log1pHistograms();
                IReadOnlyList<StatRecord> records = stats.Records(model[1]);
                Assert.AreEqual(40, m.GetLength(0), "rows are the histogram bins");
                Assert.AreEqual(3, m.GetLength(1), "columns are the batches");
                for (int t = 0; t < 3; t++)
                    for (int b = 0; b < 40; b++)
                        Assert.AreEqual(Math.Log(1 + records[t].Statistics.Histogram[b]), m[b, t], 1e-12);
                Assert.IsGreaterThan(0.0, m[0, 0], "ReLU output has mass in the first bin");
            }
        }

        [TestMethod]
        public void ColorfulDimension_Png_HasTheSmallValuesAtTheBottom()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 8, new ActivationStatsOptions { LayerFilter = m => m is ReLU });
            using (stats)
            {
                string path = PathOf("colorful.png");
                StatsPlots.ColorfulDimension(stats, path, 400, 400);
                using SKBitmap bitmap = SKBitmap.Decode(path);
                // Down the middle column: the empty high bins are viridis' darkest colour, the crowded low bins
                // (ReLU's zeros and small values) its bright end, and every bright pixel lies below every dark one.
                var dark = new List<int>();
                var bright = new List<int>();
                for (int y = 0; y < bitmap.Height; y++)
                {
                    SKColor p = bitmap.GetPixel(bitmap.Width / 2, y);
                    if (Math.Abs(p.Red - 68) + Math.Abs(p.Green - 1) + Math.Abs(p.Blue - 84) < 30) dark.Add(y);
                    else if (p.Green > 150 && p.Blue < 150) bright.Add(y);
                }
                Assert.IsGreaterThan(100, dark.Count, "most of the |x| range up to 10 is empty");
                Assert.IsGreaterThan(3, bright.Count, "the first bins are full");
                Assert.IsGreaterThan(dark.Max(), bright.Min(), "bright (low |x|) below dark (high |x|)");
            }
        }

        [TestMethod]
        public void ActivationDistribution_PicksTheRequestedBatch_OrTheLast()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 3);
            using (stats)
            {
                StatsPlots.ActivationDistribution(stats, model[1], PathOf("b1.svg"), batch: 1);
                StatsPlots.ActivationDistribution(stats, model[1], PathOf("last.svg"));
                string b1 = ImageFile.SvgText(ImageFile.Svg(PathOf("b1.svg")));
                string last = ImageFile.SvgText(ImageFile.Svg(PathOf("last.svg")));
                StringAssert.Contains(b1, "Activations of 1:ReLU(), batch 1");
                StringAssert.Contains(last, "Activations of 1:ReLU(), batch 2");
                double nearZero = stats.Records(model[1])[1].Statistics.NearZeroFraction;
                StringAssert.Contains(b1, $"near zero {nearZero.ToString("P1", System.Globalization.CultureInfo.InvariantCulture)}");
                var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StatsPlots.ActivationDistribution(stats, model[1], PathOf("x.png"), batch: 7));
                Assert.AreEqual("batch", ex.ParamName);
                StringAssert.Contains(ex.Message, "batches 0..2");
            }
        }

        [TestMethod]
        public void ActivationDistribution_OfALayerNotWatched_ThrowsNamingLayer()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 1);
            using (stats)
            {
                var other = new Linear(e, 2, 2);
                var ex = Assert.ThrowsExactly<ArgumentException>(() => StatsPlots.ActivationDistribution(stats, other, PathOf("x.png")));
                Assert.AreEqual("layer", ex.ParamName);
                Assert.IsFalse(File.Exists(PathOf("x.png")));
            }
        }

        [TestMethod]
        public void WeightDistributions_OnePanelPerWeight_BiasesOnRequest()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 0);
            stats.Dispose();
            StatsPlots.WeightDistributions(model, PathOf("w.svg"));
            StatsPlots.WeightDistributions(model, PathOf("wb.svg"), includeBiases: true);
            string w = ImageFile.SvgText(ImageFile.Svg(PathOf("w.svg")));
            string wb = ImageFile.SvgText(ImageFile.Svg(PathOf("wb.svg")));
            StringAssert.Contains(w, "0.weight: Linear(20→30)");
            StringAssert.Contains(w, "2.weight: Linear(30→5)");
            Assert.IsFalse(w.Contains(".bias", StringComparison.Ordinal), "no bias panels by default");
            StringAssert.Contains(wb, "0.bias: Linear(20→30)");
            StringAssert.Contains(wb, "2.bias: Linear(30→5)");
            // The std in the panel is the weight's own: PyTorch's default gives U(±1/√20), std 1/√60 ≈ 0.129.
            float[] w0 = ((Linear)model[0]).Weight.Value.ToArray();
            double mean = w0.Average(v => (double)v);
            double std = Math.Sqrt(w0.Sum(v => (v - mean) * (v - mean)) / (w0.Length - 1));
            StringAssert.Contains(w, $"std {std.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}");
        }

        [TestMethod]
        public void WeightDistributions_WithoutLinearOrConv_ThrowsNamingModel()
        {
            using var e = Cpu();
            var model = new Sequential(e, new ReLU(e), new Flatten(e));
            var ex = Assert.ThrowsExactly<ArgumentException>(() => StatsPlots.WeightDistributions(model, PathOf("w.png")));
            Assert.AreEqual("model", ex.ParamName);
            StringAssert.Contains(ex.Message, "no Linear or Conv2d");
            Assert.IsFalse(File.Exists(PathOf("w.png")));
        }

        [TestMethod]
        [DataRow("plot.jpg")]
        [DataRow("plot.pdf")]
        [DataRow("plot")]
        [DataRow("plot.png.txt")]
        public void UnsupportedExtension_ThrowsArgumentExceptionNamingPath(string file)
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 2);
            using (stats)
                foreach (var (name, render) in EveryPlot(model, stats))
                {
                    var ex = Assert.ThrowsExactly<ArgumentException>(() => render(PathOf(file), 400, 300), name);
                    Assert.AreEqual("path", ex.ParamName, name);
                    StringAssert.Contains(ex.Message, ".png, .svg", name);
                    Assert.IsFalse(File.Exists(PathOf(file)), name);
                }
        }

        [TestMethod]
        public void Extension_IsCaseInsensitive()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 2);
            using (stats)
            {
                StatsPlots.NearZero(stats, PathOf("upper.PNG"), 300, 200);
                StatsPlots.NearZero(stats, PathOf("upper.SVG"), 300, 200);
                Assert.AreEqual((300, 200), ImageFile.PngSize(PathOf("upper.PNG")));
                Assert.AreEqual((300, 200), ImageFile.SvgSize(ImageFile.Svg(PathOf("upper.SVG"))));
            }
        }

        [TestMethod]
        public void NoRecords_ThrowsInvalidOperation_AndWritesNothing()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 0);
            using (stats)
                foreach (var (name, render) in EveryPlot(model, stats).Where(p => p.Name != "WeightDistributions"))
                {
                    var ex = Assert.ThrowsExactly<InvalidOperationException>(() => render(PathOf(name + ".png"), 400, 300), name);
                    StringAssert.Contains(ex.Message, "no Activation records", name);
                    StringAssert.Contains(ex.Message, "run the model forward", name);
                    Assert.IsFalse(File.Exists(PathOf(name + ".png")), name);
                }
        }

        [TestMethod]
        public void GradientKinds_NotRecorded_SayHowToRecordThem_AndPlotOnceRecorded()
        {
            using var e = Cpu();
            var (_, plain) = Recorded(e, 2);
            using (plain)
            {
                var ex = Assert.ThrowsExactly<InvalidOperationException>(() => StatsPlots.MeanStd(plain, PathOf("g.png"), kind: StatKind.ActivationGradient));
                StringAssert.Contains(ex.Message, "ActivationGradients = true");
            }
            var (_, stats) = Recorded(e, 2, new ActivationStatsOptions { ActivationGradients = true });
            using (stats)
            {
                StatsPlots.MeanStd(stats, PathOf("g.svg"), kind: StatKind.ActivationGradient);
                StringAssert.Contains(ImageFile.SvgText(ImageFile.Svg(PathOf("g.svg"))), "Activation gradients: std");
            }
        }

        [TestMethod]
        public void RecordsWithoutHistogram_ColorfulDimension_ThrowsInvalidOperation()
        {
            using var e = Cpu();
            var options = new ActivationStatsOptions { Statistics = new StatisticsOptions { HistogramBins = 0 } };
            var (model, stats) = Recorded(e, 2, options);
            using (stats)
            {
                var ex = Assert.ThrowsExactly<InvalidOperationException>(() => StatsPlots.ColorfulDimension(stats, PathOf("c.png")));
                StringAssert.Contains(ex.Message, "HistogramBins");
                Assert.ThrowsExactly<InvalidOperationException>(() => StatsPlots.ActivationDistribution(stats, model[0], PathOf("d.png")));
                StatsPlots.MeanStd(stats, PathOf("m.png"));   // needs no histogram
                Assert.IsTrue(File.Exists(PathOf("m.png")));
            }
        }

        [TestMethod]
        public void BadSizeOrNullArguments_Throw()
        {
            using var e = Cpu();
            var (model, stats) = Recorded(e, 1);
            using (stats)
            {
                Assert.AreEqual("width", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StatsPlots.MeanStd(stats, PathOf("a.png"), 0, 100)).ParamName);
                Assert.AreEqual("height", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StatsPlots.NearZero(stats, PathOf("a.png"), 100, -1)).ParamName);
                Assert.AreEqual("bins", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StatsPlots.WeightDistributions(model, PathOf("a.png"), bins: 0)).ParamName);
                Assert.AreEqual("path", Assert.ThrowsExactly<ArgumentNullException>(() => StatsPlots.MeanStd(stats, null!)).ParamName);
                Assert.AreEqual("stats", Assert.ThrowsExactly<ArgumentNullException>(() => StatsPlots.MeanStd(null!, PathOf("a.png"))).ParamName);
                Assert.AreEqual("model", Assert.ThrowsExactly<ArgumentNullException>(() => StatsPlots.WeightDistributions(null!, PathOf("a.png"))).ParamName);
                Assert.ThrowsExactly<DirectoryNotFoundException>(() => StatsPlots.MeanStd(stats, Path.Combine(_folder, "missing", "a.png")));
            }
        }

        [TestMethod]
        public void LessonCnn_ShortTrainingRun_RendersEveryPlotInBothFormats()
        {
            using var e = Cpu();
            var model = InitCore.Tests.Support.LessonModels.Cnn(e);
            using var stats = new ActivationStats(model);
            var batches = new List<(Tensor, Tensor)>();
            var labels = new Random(1);
            for (int i = 0; i < 6; i++)
            {
                Tensor x = e.CreateTensor(16, 1, 28, 28);
                Init.Normal(x);
                batches.Add((x, e.CreateTensor(Enumerable.Range(0, 16).Select(_ => (float)labels.Next(10)).ToArray(), 16)));
            }
            Trainer.Fit(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1, momentum: 0.9), _ => batches, null, 1);
            Assert.AreEqual(12, stats.Layers.Count, "every leaf but Flatten");
            foreach (string ext in new[] { ".png", ".svg" })
            {
                StatsPlots.MeanStd(stats, PathOf("meanstd" + ext));
                StatsPlots.ColorfulDimension(stats, PathOf("colorful" + ext));
                StatsPlots.NearZero(stats, PathOf("nearzero" + ext));
                StatsPlots.WeightDistributions(model, PathOf("weights" + ext), includeBiases: true);
                StatsPlots.ActivationDistribution(stats, model[1], PathOf("relu1" + ext));
            }
            Assert.AreEqual((1000, 400), ImageFile.PngSize(PathOf("meanstd.png")));
            Assert.AreEqual((1100, 650), ImageFile.PngSize(PathOf("colorful.png")));
            string colorful = ImageFile.SvgText(ImageFile.Svg(PathOf("colorful.svg")));
            StringAssert.Contains(colorful, "0:Conv2d(1→8, k5, s2, p2)");
            StringAssert.Contains(colorful, "12:Linear(64→10)", "numbered as the model, NamedParameters (12.weight) and the LSUV report number it");
            Assert.IsFalse(colorful.Contains("11:Linear"), "Flatten (11) is not charted, and the Linear after it keeps its number");
            string weights = ImageFile.SvgText(ImageFile.Svg(PathOf("weights.svg")));
            foreach (string name in new[] { "0.weight", "2.weight", "4.weight", "6.weight", "8.weight", "12.weight", "12.bias" })
                StringAssert.Contains(weights, name);
            foreach (var (x, y) in batches)
            {
                x.Dispose();
                y.Dispose();
            }
        }
    }
}
