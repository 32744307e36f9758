// Why initialization matters, from the lessons' first principles: push a vector through 100 products with
// 512×512 matrices and watch its scale.
//
//   dotnet run --project samples/VarianceExperiments -- [--device cpu|cuda|auto] [--out FOLDER] [--json] [--small]
//                                                        [--products N] [--same-matrix] [--draws N] [--limit N] [--seed N]
//
// 1. Repeated products x ← W·x (100 times, a new W for every product, like the layers of a deep linear network;
//    x is a batch of 64 inputs rather than the lesson's single vector, which only makes the curves less noisy):
//    W ~ N(0, 1) overflows to ∞/NaN after about 28 products (each one multiplies the scale by √512 ≈ 22.6);
//    W × 0.01 underflows to exactly 0; W / √512 keeps the scale near 1; with a ReLU after each product the
//    variance halves every time; Kaiming's √(2/512) undoes that; and ReLU − 0.5 (the lessons' trick) pulls the
//    mean back towards 0. --same-matrix reuses one W, as the lesson's loop does: then the matrix's largest
//    eigenvalues, not the variance alone, decide the long run (the lesson saw /√512 end anywhere from 1 to 7).
// 2. Where √512 comes from: the mean of squares of y = W·x is 512 for N(0, 1) entries (a sum of 512 terms of
//    mean square 1), and 1 after dividing W by √512.
// 3. "Multiplications until the matrix vanishes": M ← M·M… until its std is 0 or NaN, for U(−0.01, 0.01),
//    U(−1, 1)/√512 and kaiming_uniform, with and without ReLU.
//
// Every product runs on the engine (a bias-free Linear layer: x·Wᵀ, the same as W·x for a column vector).
// Experiments 1 and 3 follow values from 1e±38 to 0 and ∞; the engine's statistics measure them on the device
// (deviations from a pivot, scaled so that no square overflows or underflows anywhere in float32's range, and
// exactly 0 for constant data), so every experiment uses the engine's statistics.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using InitCore.Samples;
using Spectre.Console;

/// <summary>The variance experiments, callable in-process (the smoke tests do).</summary>
public static class VarianceExperimentsProgram
{
    /// <summary>Runs the sample with <paramref name="args"/>; returns the exit code (0, 1 runtime failure, 2 bad arguments).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Cli().Run(args, stdout, stderr);

    /// <summary>The sample's command line: the common options and its own (the tests enumerate them).</summary>
    public static System.CommandLine.RootCommand Command => Cli().Command;

    private static SampleCli Cli()
    {
        var cli = new SampleCli("VarianceExperiments", "Repeated 512×512 matrix products: why activations explode or vanish, and how √(1/n) and Kaiming's √(2/n) fix it.");
        var products = cli.AddInt("--products", "Products per chain in experiment 1.", 100);
        var draws = cli.AddInt("--draws", "Random matrices per row in experiment 2 (default 100; 20 with --small).", 100);
        var limit = cli.AddInt("--limit", "Most multiplications in experiment 3.", 500);
        var sameMatrix = cli.Add(new System.CommandLine.Option<bool>("--same-matrix") { Description = "Experiment 1 reuses one W for every product, as the lesson's loop does." });
        return cli.Runs(ctx =>
        {
            bool drawsGiven = ctx.Parse.GetResult(draws) is { Implicit: false };
            return Experiments(ctx, ctx.Get(products), ctx.Get(sameMatrix), ctx.Small && !drawsGiven ? 20 : ctx.Get(draws), ctx.Get(limit));
        });
    }

    private const int Dim = 512;
    private const int Batch = 64;
    private static readonly StatisticsOptions NoHistogram = new StatisticsOptions { HistogramBins = 0 };

    /// <summary>How a chain of products turns out: std and mean after each product.</summary>
    private sealed record Chain(string Name, double WeightStd, string Activation, double[] Stds, double[] Means)
    {
        public int? FirstNonFinite => Find(s => !double.IsFinite(s));
        public int? FirstZero => Find(s => s == 0);
        // The std's average factor per product (geometric mean of the ratios), over the finite, non-zero stretch.
        public double FactorPerProduct
        {
            get
            {
                int last = (FirstNonFinite ?? FirstZero ?? Stds.Length + 1) - 2;
                return last < 1 ? double.NaN : Math.Pow(Stds[last] / Stds[0], 1.0 / last);
            }
        }

        private int? Find(Func<double, bool> test)
        {
            for (int i = 0; i < Stds.Length; i++) if (test(Stds[i])) return i + 1;
            return null;
        }
    }

    private static int Experiments(SampleContext ctx, int products, bool sameMatrix, int draws, int limit)
    {
        using Engine engine = ctx.CreateEngine();
        int vanishDim = ctx.Small ? 128 : Dim;   // experiment 3 multiplies whole matrices: 64× cheaper at 128
        if (ctx.Small) limit = Math.Min(limit, 200);

        // 1. Repeated products. Every chain uses the same draws of W and x, only scaled, so the rows compare the scalings.
        var chains = new List<Chain>();
        double invSqrt = 1 / Math.Sqrt(Dim), kaiming = Math.Sqrt(2.0 / Dim);
        var specs = new (string Name, double Std, string Activation)[]
        {
            ("randn", 1, "none"),
            ("randn × 0.01", 0.01, "none"),
            ("randn / √512", invSqrt, "none"),
            ("randn / √512 + ReLU", invSqrt, "relu"),
            ("Kaiming + ReLU", kaiming, "relu"),
            ("Kaiming + ReLU − 0.5", kaiming, "relu-0.5"),
        };
        var squares = new List<(string Name, int Draws, double Mean, double MeanSquare, double ExpectedMean, double ExpectedSquare)>();
        var vanishing = new List<(string Init, double WeightStd, bool Relu, string Outcome, int? Multiplications)>();
        ctx.WithProgress(bars =>
        {
            var b1 = bars.Add("1. repeated products", specs.Length * products);
            foreach (var (name, std, activation) in specs)
                chains.Add(RunChain(engine, ctx.Seed, name, std, activation, products, sameMatrix, () => b1.Increment()));
            b1.Complete();

            var b2 = bars.Add("2. mean of squares", 5 * draws + 1);
            squares.Add(Scalars(engine, ctx.Seed));
            b2.Increment();
            foreach (var (name, std, activation, expMean, expSquare) in new[]
            {
                ("y = W·x, W ~ N(0, 1)", 1.0, "none", 0.0, (double)Dim),
                ("y = (W / √512)·x", invSqrt, "none", 0.0, 1.0),
                ("y = ReLU(W·x)", 1.0, "relu", Math.Sqrt(Dim / (2 * Math.PI)), Dim / 2.0),
                ("y = ReLU(W·√(2/512)·x)", kaiming, "relu", 1 / Math.Sqrt(Math.PI), 1.0),
                ("y = ReLU(W·√(2/512)·x) − 0.5", kaiming, "relu-0.5", 1 / Math.Sqrt(Math.PI) - 0.5, 1.25 - 1 / Math.Sqrt(Math.PI)),
            })
            {
                var (mean, square) = MeanOfSquares(engine, ctx.Seed, std, activation, draws, () => b2.Increment());
                squares.Add((name, draws, mean, square, expMean, expSquare));
            }
            b2.Complete();

            var b3 = bars.Add("3. until the matrix vanishes", 6);
            foreach (var (init, fill) in new (string, Action<Tensor, RandomSource>)[]
            {
                ("U(−0.01, 0.01)", (w, g) => Init.Uniform(w, -0.01, 0.01, g)),
                ($"U(−1, 1) / √{vanishDim}", (w, g) => { Init.Uniform(w, -1, 1, g); TensorOps.ScaleShift(w, 1 / Math.Sqrt(vanishDim), 0); }),
                ("kaiming_uniform (a=0)", (w, g) => Init.KaimingUniform(w, generator: g)),
            })
            {
                foreach (bool relu in new[] { false, true })
                {
                    var (outcome, count, wstd) = UntilVanishes(engine, ctx.Seed, vanishDim, fill, relu, limit);
                    vanishing.Add((init, wstd, relu, outcome, count));
                    b3.Increment();
                }
            }
            b3.Complete();
        });

        ReportChains(ctx, chains, products, sameMatrix);
        ReportSquares(ctx, squares);
        ReportVanishing(ctx, vanishing, vanishDim, limit);

        if (ctx.PlotPath("repeated-products.png") is string chainPlot)
            Charts.Lines(chainPlot, "Repeated products x ← W·x: log10 of the std (lines end at 0 or ∞)", "product", "log10(std)",
                chains.Select(c => new Charts.Series(c.Name, c.Stds.Select(s => s > 0 ? Math.Log10(s) : double.NaN).ToList())));
        ctx.ReportPlots();
        ctx.Console.MarkupLineInterpolated($"[grey]done in {ctx.ElapsedSeconds:F1} s[/]");

        if (ctx.Json)
        {
            ctx.WriteJson(new
            {
                backend = SampleContext.BackendJson(engine),
                repeated_products = new
                {
                    dim = Dim,
                    batch = Batch,
                    products,
                    same_matrix = sameMatrix,
                    chains = chains.Select(c => new
                    {
                        name = c.Name, weight_std = c.WeightStd, activation = c.Activation,
                        first_non_finite = c.FirstNonFinite, first_zero = c.FirstZero,
                        final_mean = c.Means[^1], final_std = c.Stds[^1], std_factor_per_product = c.FactorPerProduct,
                        stds = c.Stds, means = c.Means,
                    }),
                },
                mean_of_squares = squares.Select(s => new
                {
                    name = s.Name, draws = s.Draws, mean = s.Mean, mean_of_squares = s.MeanSquare,
                    expected_mean = s.ExpectedMean, expected_mean_of_squares = s.ExpectedSquare,
                }),
                until_vanishes = new
                {
                    dim = vanishDim,
                    limit,
                    runs = vanishing.Select(v => new { init = v.Init, weight_std = v.WeightStd, relu = v.Relu, outcome = v.Outcome, multiplications = v.Multiplications }),
                },
                seconds = ctx.ElapsedSeconds,
            });
        }
        return SampleCli.Success;
    }

    /// <summary>x ← act(W·x), <paramref name="products"/> times, recording the std and mean after each product.</summary>
    private static Chain RunChain(Engine engine, ulong seed, string name, double weightStd, string activation, int products, bool sameMatrix, Action step)
    {
        var layer = new Linear(engine, Dim, Dim, bias: false);
        var weights = new Generator(seed, stream: 1);   // every chain sees the same sequence of draws, only scaled
        Tensor x = engine.CreateTensor(Batch, Dim);
        Init.Normal(x, 0, 1, new Generator(seed, stream: 2));
        var stds = new double[products];
        var means = new double[products];
        for (int k = 0; k < products; k++)
        {
            if (k == 0 || !sameMatrix) Init.Normal(layer.Weight.Value, 0, weightStd, weights);
            Tensor y = layer.Forward(x);
            Activate(y, activation);
            (means[k], stds[k]) = Moments(y);
            x.Dispose();
            x = y;
            step();
        }
        x.Dispose();
        layer.Weight.Value.Dispose();
        return new Chain(name, weightStd, activation, stds, means);
    }

    /// <summary>Mean and sample std (n − 1, as torch's std) from the engine's one-pass statistics, which hold for values anywhere in float32's range.</summary>
    private static (double Mean, double Std) Moments(Tensor t)
    {
        TensorStatistics s = TensorOps.Statistics(t, NoHistogram);
        return (s.Mean, s.Std);
    }

    private static void Activate(Tensor y, string activation)
    {
        if (activation == "relu") TensorOps.Relu(y, y);
        else if (activation == "relu-0.5") TensorOps.GeneralRelu(y, y, leak: 0, sub: 0.5);   // fastai's GeneralRelu(sub=0.5)
    }

    /// <summary>The lessons' first step: 10,000 products a·x of N(0, 1) scalars have mean 0 and mean square 1.</summary>
    private static (string, int, double, double, double, double) Scalars(Engine engine, ulong seed)
    {
        const int n = 10_000;
        var a = new float[n];
        var x = new float[n];
        var g = new Generator(seed, stream: 3);
        Init.Normal(engine, a, generator: g);
        Init.Normal(engine, x, generator: g);
        double mean = 0, square = 0;
        for (int i = 0; i < n; i++)
        {
            double y = (double)a[i] * x[i];
            mean += y;
            square += y * y;
        }
        return ("y = a·x, scalars a, x ~ N(0, 1)", n, mean / n, square / n, 0.0, 1.0);
    }

    /// <summary>The average over <paramref name="draws"/> fresh (W, x) of mean(y) and mean(y²), y = act(W·x), W ~ N(0, std²).</summary>
    private static (double Mean, double MeanSquare) MeanOfSquares(Engine engine, ulong seed, double weightStd, string activation, int draws, Action step)
    {
        var layer = new Linear(engine, Dim, Dim, bias: false);
        using Tensor x = engine.CreateTensor(1, Dim);
        var g = new Generator(seed, stream: 4);
        double mean = 0, square = 0;
        for (int d = 0; d < draws; d++)
        {
            Init.Normal(layer.Weight.Value, 0, weightStd, g);
            Init.Normal(x, 0, 1, g);
            using Tensor y = layer.Forward(x);
            Activate(y, activation);
            TensorStatistics s = TensorOps.Statistics(y, NoHistogram);
            mean += s.Mean;
            square += s.Variance + s.Mean * s.Mean;   // E[y²] = Var + mean² (population variance)
            step();
        }
        layer.Weight.Value.Dispose();
        return (mean / draws, square / draws);
    }

    /// <summary>
    /// The lesson's multiplications_until_matrix_vanishes: result ← M·result (optionally ReLU), at most <paramref name="limit"/>
    /// times; returns how many multiplications it took for the std to become exactly 0 ("zero") or NaN/∞ ("non-finite"),
    /// or "survived".
    /// </summary>
    private static (string Outcome, int? Multiplications, double WeightStd) UntilVanishes(Engine engine, ulong seed, int dim,
        Action<Tensor, RandomSource> fill, bool relu, int limit)
    {
        using Tensor m = engine.CreateTensor(dim, dim);
        fill(m, new Generator(seed, stream: 5));
        double weightStd = TensorOps.Statistics(m, NoHistogram).Std;
        // Linear computes x·Wᵀ; with W = Mᵀ and x = M, each step right-multiplies by M, so the k-th result is M^(k+1).
        float[] host = m.ToArray();
        var transposed = new float[host.Length];
        for (int r = 0; r < dim; r++)
            for (int c = 0; c < dim; c++)
                transposed[c * dim + r] = host[r * dim + c];
        var layer = new Linear(engine, dim, dim, bias: false);
        layer.Weight.Value.CopyFrom(transposed);
        Tensor result = engine.CreateTensor(host, dim, dim);
        try
        {
            for (int i = 1; i <= limit; i++)
            {
                Tensor next = layer.Forward(result);
                result.Dispose();
                result = next;
                if (relu) TensorOps.Relu(result, result);
                double std = Moments(result).Std;
                if (std == 0) return ("zero", i, weightStd);
                if (!double.IsFinite(std)) return ("non-finite", i, weightStd);
            }
            return ("survived", null, weightStd);
        }
        finally
        {
            result.Dispose();
            layer.Weight.Value.Dispose();
        }
    }

    private static void ReportChains(SampleContext ctx, List<Chain> chains, int products, bool sameMatrix)
    {
        ctx.Console.Write(new Rule($"[bold]1. x ← W·x, {products} times: W 512×512 ({(sameMatrix ? "the same one" : "a new one each time")}), 64 x ~ N(0, 1)[/]").LeftJustified());
        int[] at = new[] { 1, 10, 25, 50, 100 }.Where(k => k <= products).Distinct().ToArray();
        if (at[^1] != products) at = at.Append(products).ToArray();
        var columns = new List<string> { "chain" };
        columns.AddRange(at.Select(k => $"std @{k}"));
        columns.Add($"mean\n@{products}");
        Table table = SampleContext.NewTable("std of x after k products", columns.ToArray());
        foreach (Chain c in chains)
        {
            var cells = new List<Spectre.Console.Rendering.IRenderable> { SampleContext.Cell(c.Name) };
            foreach (int k in at)
            {
                double s = c.Stds[k - 1];
                cells.Add(SampleContext.Number(s, Math.Abs(s) >= 1e4 || (s != 0 && Math.Abs(s) < 1e-3) ? "0.0e+00" : "F3",
                    good: s > 0.5 && s < 2, bad: !(s > 1e-3 && s < 1e3)));
            }
            cells.Add(SampleContext.Number(c.Means[^1], Math.Abs(c.Means[^1]) >= 1e4 || (Math.Abs(c.Means[^1]) < 1e-3 && c.Means[^1] != 0) ? "0.0e+00" : "F3"));
            table.AddRow(cells);
        }
        ctx.Console.Write(table);
        foreach (Chain c in chains) ctx.Console.MarkupLineInterpolated($"  {c.Name}: {Outcome(c)}");
        ctx.Console.MarkupLine("[grey]Each product scales the std by √(n·Var(w)): 22.6 for randn, 0.226 for ×0.01, 1 for /√512. A ReLU halves the mean square, which √2 in the weights gives back.[/]");
        ctx.Console.WriteLine();
    }

    private static string Outcome(Chain c)
    {
        if (c.FirstNonFinite is int k) return $"∞/NaN at product {k}";
        if (c.FirstZero is int z) return $"exactly 0 at product {z}";
        return string.Format(CultureInfo.InvariantCulture, "std ×{0:F3} per product", c.FactorPerProduct);
    }

    private static void ReportSquares(SampleContext ctx, List<(string Name, int Draws, double Mean, double MeanSquare, double ExpectedMean, double ExpectedSquare)> rows)
    {
        ctx.Console.Write(new Rule("[bold]2. Where √512 comes from: mean and mean of squares of y[/]").LeftJustified());
        Table table = SampleContext.NewTable("averages over random draws", "experiment", "draws", "mean", "mean\nof y²", "expected\nmean", "expected\ny²");
        foreach (var r in rows)
            table.AddRow(SampleContext.Cell(r.Name), SampleContext.Cell(r.Draws.ToString(CultureInfo.InvariantCulture)),
                SampleContext.Number(r.Mean), SampleContext.Number(r.MeanSquare), SampleContext.Number(r.ExpectedMean), SampleContext.Number(r.ExpectedSquare));
        ctx.Console.Write(table);
        ctx.Console.MarkupLine("[grey]y is a sum of 512 products of mean square 1, so its mean square is 512: divide W by √512 to get 1. ReLU keeps half (256), so use √(2/512).[/]");
        ctx.Console.WriteLine();
    }

    private static void ReportVanishing(SampleContext ctx, List<(string Init, double WeightStd, bool Relu, string Outcome, int? Multiplications)> runs, int dim, int limit)
    {
        ctx.Console.Write(new Rule($"[bold]3. Multiplications until the matrix vanishes ({dim}×{dim}, at most {limit})[/]").LeftJustified());
        Table table = SampleContext.NewTable("result ← M·result until its std is 0 or NaN", "matrix M", "std of M", "without ReLU", "with ReLU");
        foreach (var group in runs.GroupBy(r => r.Init))
        {
            var plain = group.First(r => !r.Relu);
            var relu = group.First(r => r.Relu);
            table.AddRow(SampleContext.Cell(group.Key), SampleContext.Number(plain.WeightStd, "F4"), SampleContext.Cell(Describe(plain.Outcome, plain.Multiplications)),
                SampleContext.Cell(Describe(relu.Outcome, relu.Multiplications)));
        }
        ctx.Console.Write(table);
        ctx.Console.MarkupLine("[grey]The lesson's numbers (PyTorch, other draws): 48 / 41, 182 / 108, 238 / never. Only a scale that matches the nonlinearity survives.[/]");
        ctx.Console.WriteLine();
    }

    private static string Describe(string outcome, int? count) => outcome switch
    {
        "zero" => $"0 after {count}",
        "non-finite" => $"NaN/∞ after {count}",
        _ => "never",
    };
}

internal static class Program
{
    private static int Main(string[] args) => VarianceExperimentsProgram.Run(args, Console.Out, Console.Error);
}
