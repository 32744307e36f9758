// Why √5? The lesson that read PyTorch's Conv2d.reset_parameters — kaiming_uniform_(weight, a=math.sqrt(5)) —
// and measured what it does to the first layer on MNIST.
//
//   dotnet run --project samples/WhySqrt5 -- [--device cpu|cuda|auto] [--out FOLDER] [--json] [--small] [--seed N]
//
// 1. A Conv2d(1, 32, 5) on 100 normalized validation digits: PyTorch's default gives an output std of about 0.58;
//    kaiming_normal(a=1) (gain 1, a linear layer) gives about 1; with a ReLU after it, kaiming_normal(a=0)
//    (the leaky-ReLU gain √2) keeps the std up where the default loses half of it.
// 2. The gain √(2 / (1 + a²)) for a = 1, 0, 0.01, 0.1 and √5: at a = √5 it is 1/√3 = 0.577...
// 3. ... which is the std of U(−1, 1): the default is U(−1, 1)/√fan_in, a third of the variance Kaiming asks for.
// 4. Does it matter? A 4-layer CNN → MSE against the labels → backward: with the default the output and the
//    first layer's gradient are tiny; with kaiming_uniform (and zero biases) they are an order of magnitude larger.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using InitCore.Plots;
using InitCore.Samples;
using Spectre.Console;

/// <summary>Why √5, callable in-process (the smoke tests do).</summary>
public static class WhySqrt5Program
{
    /// <summary>Runs the sample with <paramref name="args"/>; returns the exit code (0, 1 runtime failure, 2 bad arguments).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Cli().Run(args, stdout, stderr);

    /// <summary>The sample's command line: the common options and its own (the tests enumerate them).</summary>
    public static System.CommandLine.RootCommand Command => Cli().Command;

    private static SampleCli Cli()
    {
        var cli = new SampleCli("WhySqrt5", "Why PyTorch's Conv2d uses kaiming_uniform(a=√5), measured on MNIST: layer statistics, gains, gradients.");
        return cli.Runs(WhySqrt5);
    }

    private static readonly StatisticsOptions NoHistogram = new StatisticsOptions { HistogramBins = 0 };

    private sealed record ConvRow(string Id, string Init, string Activation, double WeightStd, double Mean, double Std, double StdMin, double StdMax, double PredictedStd);

    private sealed record CnnRow(string Init, double OutputMean, double OutputStd, double Loss, double GradMean, double GradStd);

    private static int WhySqrt5(SampleContext ctx)
    {
        using Engine engine = ctx.CreateEngine();
        MnistData data = Mnist.LoadBundled().Normalize();
        // The lesson's x = x_valid[:100]: validation digits, normalized with the training mean and std.
        using TensorBatch batch = new DataLoader(data.Valid, 100).GetBatches(engine).First();
        Tensor x = batch.Features;
        TensorStatistics xs = TensorOps.Statistics(x, NoHistogram);
        ctx.Console.MarkupLineInterpolated($"input: {batch.Count} validation digits {"[" + string.Join(", ", x.Shape) + "]"}, mean {xs.Mean:F4}, std {xs.Std:F4}");
        ctx.Console.WriteLine();

        // 1. One Conv2d(1, 32, 5) (the lesson's nh = 32), re-initialized several ways.
        var l1 = new Conv2d(engine, 1, 32, 5, generator: new Generator(ctx.Seed, stream: 1));
        Tensor w = l1.Weight.Value, b = l1.Bias!.Value;
        Fans fans = Fans.FromShape(new[] { 32, 1, 5, 5 });
        TensorStatistics ws = TensorOps.Statistics(w, NoHistogram), bs = TensorOps.Statistics(b, NoHistogram);
        double expectedStd = 1 / Math.Sqrt(3 * fans.FanIn);   // U(±1/√fan_in) has std 1/√(3·fan_in)
        ctx.Console.Write(new Rule("[bold]1. Conv2d(1, 32, 5) on MNIST[/]").LeftJustified());
        ctx.Console.MarkupLineInterpolated($"weight {"[" + string.Join(", ", w.Shape) + "]"}: receptive field {5 * 5}, fan_in {fans.FanIn}, fan_out {fans.FanOut}");
        ctx.Console.MarkupLineInterpolated($"one default init: weight mean {ws.Mean:F4}, std {ws.Std:F4} (1/√(3·fan_in) = {expectedStd:F4}); bias mean {bs.Mean:F4}, std {bs.Std:F4}");

        // One draw of 32 filters is a noisy estimate (neighbouring pixels are correlated, so each filter's output
        // scale depends on its own weights' sum): every row averages the std over several fresh initializations.
        const int draws = 20;
        // What the variance formula predicts: Var(y) = fan_in·Var(w)·E[x²] + Var(b), with E[x²] over the 5×5 patches the
        // convolution reads. A valid convolution skips the blank border (where x² is smallest), so E[x²] is above 1 here.
        double patchSquare = PatchMeanSquare(x.ToArray(), batch.Count, 28, 5);
        double biasVar = 1 / (3 * fans.FanIn);
        double Predict(double weightVar, bool relu)
        {
            double sigma = Math.Sqrt(fans.FanIn * weightVar * patchSquare + biasVar);
            return relu ? sigma * Math.Sqrt((Math.PI - 1) / (2 * Math.PI)) : sigma;   // std of ReLU(N(0, σ²))
        }
        var g = new Generator(ctx.Seed, stream: 2);
        var rows = new List<ConvRow>();
        ProgressBar? bar = null;
        void Measure(string id, string init, double weightVar, Action<Tensor>? reinit, bool relu)
        {
            double mean = 0, std = 0, weightStd = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (int d = 0; d < draws; d++)
            {
                Init.PyTorchDefault(w, b, g);   // what nn.Conv2d(1, 32, 5) does; the lesson then re-initializes the weight only
                reinit?.Invoke(w);
                using Tensor y = l1.Forward(x);
                if (relu) TensorOps.Relu(y, y);   // the lesson's f1: leaky_relu(l1(x), 0)
                TensorStatistics s = TensorOps.Statistics(y, NoHistogram);
                mean += s.Mean / draws;
                std += s.Std / draws;
                weightStd += TensorOps.Statistics(w, NoHistogram).Std / draws;
                lo = Math.Min(lo, s.Std);
                hi = Math.Max(hi, s.Std);
                bar?.Increment();
            }
            rows.Add(new ConvRow(id, init, relu ? "ReLU" : "none", weightStd, mean, std, lo, hi, Predict(weightVar, relu)));
        }
        void Plot(string name, Action<Tensor>? reinit)
        {
            // The histogram of |output| (ActivationStats' 40 bins over [0, 10]) of one forward pass.
            if (ctx.PlotPath($"conv-output-{name}.png") is not string path) return;
            Init.PyTorchDefault(w, b, g);
            reinit?.Invoke(w);
            var model = new Sequential(engine, l1);
            using var stats = new ActivationStats(model);
            using (model.Forward(x)) StatsPlots.ActivationDistribution(stats, l1, path, batch: 0);
        }

        const string Default = "PyTorch default: kaiming_uniform(a=√5)";
        Action<Tensor> kaimingA1 = t => Init.KaimingNormal(t, a: 1.0, generator: g);   // gain √(2/(1+1)) = 1: no nonlinearity
        Action<Tensor> kaimingA0 = t => Init.KaimingNormal(t, a: 0.0, generator: g);   // gain √2: for a ReLU
        ctx.WithProgress(bars =>
        {
            bar = bars.Add("conv statistics", 6 * draws);
            Measure("default", Default, 1 / (3 * fans.FanIn), null, relu: false);
            Measure("kaiming_normal_a1", "kaiming_normal(a=1)", 1 / fans.FanIn, kaimingA1, relu: false);
            Measure("default_relu", Default, 1 / (3 * fans.FanIn), null, relu: true);
            Measure("kaiming_normal_a0_relu", "kaiming_normal(a=0)", 2 / fans.FanIn, kaimingA0, relu: true);
            // The lesson's own kaiming2(w, a): the uniform version, with a = 0 and with a = √5 (the default again).
            Measure("kaiming_uniform_a0_relu", "kaiming_uniform(a=0)", 2 / fans.FanIn, t => Init.KaimingUniform(t, a: 0.0, generator: g), relu: true);
            Measure("kaiming_uniform_sqrt5_relu", "kaiming_uniform(a=√5)", 1 / (3 * fans.FanIn), t => Init.KaimingUniform(t, a: Math.Sqrt(5), generator: g), relu: true);
            bar.Complete();
        });
        Plot("default", null);
        Plot("kaiming-normal-a1", kaimingA1);

        Table conv = SampleContext.NewTable($"Conv2d(1, 32, 5) output on 100 digits, averaged over {draws} initializations", "weight init", "act.", "weight\nstd", "mean", "std", "std\nmin–max", "formula\nstd");
        foreach (ConvRow r in rows)
            conv.AddRow(SampleContext.Cell(r.Init), SampleContext.Cell(r.Activation), SampleContext.Number(r.WeightStd, "F4"), SampleContext.Number(r.Mean),
                SampleContext.Number(r.Std, good: Math.Abs(r.Std - 1) < 0.2, bad: r.Std < 0.7),
                SampleContext.Cell(string.Format(CultureInfo.InvariantCulture, "{0:F2}–{1:F2}", r.StdMin, r.StdMax)), SampleContext.Number(r.PredictedStd));
        ctx.Console.Write(conv);
        ctx.Console.MarkupLineInterpolated($"[grey]act.: the activation after the conv; formula std: √(fan_in·Var(w)·E[[x²]] + Var(b)) with E[[x²]] = {patchSquare:F3} over the patches (×√((π−1)/2π) after a ReLU). The default's std is 1/√3 = 0.577 of kaiming_normal(a=1)'s.[/]");
        ctx.Console.MarkupLine("[grey]The lesson (PyTorch, one draw each): default 0.58–0.65, kaiming_normal(a=1) 1.06–1.17; after a ReLU: default 0.44, kaiming_normal(a=0) 0.75–1.04.[/]");
        ctx.Console.WriteLine();

        // 2. The leaky-ReLU gain.
        ctx.Console.Write(new Rule("[bold]2. The gain √(2 / (1 + a²))[/]").LeftJustified());
        var gains = new[] { 1.0, 0.0, 0.01, 0.1, Math.Sqrt(5) }.Select(a => (A: a, Gain: Gain.Calculate(Nonlinearity.LeakyRelu, a))).ToList();
        Table gainTable = SampleContext.NewTable("Gain.Calculate(LeakyRelu, a)", "a", "gain", "meaning");
        foreach (var (a, gain) in gains)
            gainTable.AddRow(SampleContext.Cell(a == Math.Sqrt(5) ? "√5" : a.ToString("0.##", CultureInfo.InvariantCulture)), SampleContext.Number(gain, "F10"),
                SampleContext.Cell(a switch { 1.0 => "linear: no rectification", 0.0 => "ReLU: √2", _ when a == Math.Sqrt(5) => "1/√3: PyTorch's default", _ => "leaky ReLU" }));
        ctx.Console.Write(gainTable);
        ctx.Console.WriteLine();

        // 3. The std of U(−1, 1).
        ctx.Console.Write(new Rule("[bold]3. What is 0.577?[/]").LeftJustified());
        using Tensor u = engine.CreateTensor(100_000);
        Init.Uniform(u, -1, 1, new Generator(ctx.Seed, stream: 5));
        double uniformStd = TensorOps.Statistics(u, NoHistogram).Std;
        ctx.Console.MarkupLineInterpolated($"std of 100,000 draws of U(−1, 1) = {uniformStd:F4}; exactly 1/√3 = {1 / Math.Sqrt(3):F4}.");
        ctx.Console.MarkupLine("kaiming_uniform(a=√5) draws U(±√3·gain/√fan_in) = U(±1/√fan_in), i.e. U(−1, 1)/√fan_in: its std is 0.577/√fan_in,");
        ctx.Console.MarkupLine("a third of the variance that keeps a layer's output at std 1 (and a sixth of what a ReLU needs).");
        ctx.Console.WriteLine();

        // 4. A 4-layer CNN, MSE against the labels, backward: the first layer's gradient under both inits.
        ctx.Console.Write(new Rule("[bold]4. A 4-layer CNN → MSE → backward[/]").LeftJustified());
        var labels = engine.CreateTensor(batch.Labels.Select(l => (float)l).ToArray(), batch.Count);
        var cnnRows = new List<CnnRow>();
        foreach (string init in new[] { "default", "kaiming_uniform" })
        {
            Sequential model = SmallCnn(engine, new Generator(ctx.Seed, stream: 3));
            if (init == "kaiming_uniform") ModelInit.Apply(model, InitScheme.KaimingUniform(), InitScheme.Zeros, new Generator(ctx.Seed, stream: 4));
            if (ctx.PlotPath($"cnn-weights-{init.Replace('_', '-')}.png") is string path) StatsPlots.WeightDistributions(model, path, includeBiases: true);
            using Tensor output = model.Forward(x);
            TensorStatistics os = TensorOps.Statistics(output, NoHistogram);
            var mse = new MseLoss();
            double loss = mse.Forward(output, labels);
            model.ZeroGrad();
            model.Backward(mse.Backward(), needInputGradient: false);
            TensorStatistics gs = TensorOps.Statistics(((Conv2d)model[0]).Weight.Grad, NoHistogram);
            cnnRows.Add(new CnnRow(init, os.Mean, os.Std, loss, gs.Mean, gs.Std));
        }
        labels.Dispose();
        Table cnn = SampleContext.NewTable("output and first-layer weight gradient (100 digits)", "init", "output mean", "output std", "MSE", "grad mean", "grad std");
        foreach (CnnRow r in cnnRows)
            cnn.AddRow(SampleContext.Cell(r.Init), SampleContext.Number(r.OutputMean, "F4"), SampleContext.Number(r.OutputStd, "F4"), SampleContext.Number(r.Loss),
                SampleContext.Number(r.GradMean, "F4"), SampleContext.Number(r.GradStd, "F4"));
        ctx.Console.Write(cnn);
        ctx.Console.MarkupLine("[grey]The lesson: default output std 0.0115, gradient std 0.026; kaiming_uniform 0.226 and 0.307.[/]");
        ctx.Console.WriteLine();

        ctx.ReportPlots();
        ctx.Console.MarkupLineInterpolated($"[grey]done in {ctx.ElapsedSeconds:F1} s[/]");

        if (ctx.Json)
        {
            ctx.WriteJson(new
            {
                backend = SampleContext.BackendJson(engine),
                input = new { count = batch.Count, mean = xs.Mean, std = xs.Std },
                weight = new
                {
                    shape = new[] { 32, 1, 5, 5 }, receptive_field = 25, fan_in = fans.FanIn, fan_out = fans.FanOut,
                    mean = ws.Mean, std = ws.Std, expected_std = expectedStd, bias_mean = bs.Mean, bias_std = bs.Std,
                },
                conv = new
                {
                    draws,
                    patch_mean_square = patchSquare,
                    rows = rows.Select(r => new
                    {
                        id = r.Id, init = r.Init, activation = r.Activation, weight_std = r.WeightStd, mean = r.Mean, std = r.Std,
                        std_min = r.StdMin, std_max = r.StdMax, predicted_std = r.PredictedStd,
                    }),
                },
                gains = gains.Select(g => new { a = g.A, gain = g.Gain }),
                uniform_std = new { draws = 100_000, std = uniformStd, expected = 1 / Math.Sqrt(3) },
                cnn = cnnRows.Select(r => new
                {
                    init = r.Init, output_mean = r.OutputMean, output_std = r.OutputStd, loss = r.Loss,
                    first_layer_grad_mean = r.GradMean, first_layer_grad_std = r.GradStd,
                }),
                seconds = ctx.ElapsedSeconds,
            });
        }
        return SampleCli.Success;
    }

    /// <summary>E[x²] over every k×k patch a valid convolution reads ([n, 1, size, size] images): each pixel counts as often as patches cover it.</summary>
    private static double PatchMeanSquare(float[] images, int n, int size, int k)
    {
        int o = size - k + 1;
        double sum = 0;
        for (int img = 0; img < n; img++)
            for (int r = 0; r < size; r++)
                for (int c = 0; c < size; c++)
                {
                    // Patches covering row r: top rows max(0, r−k+1)..min(r, o−1); the same for columns.
                    int rows = Math.Min(r, o - 1) - Math.Max(0, r - k + 1) + 1, cols = Math.Min(c, o - 1) - Math.Max(0, c - k + 1) + 1;
                    double v = images[(img * size + r) * size + c];
                    sum += v * v * rows * cols;
                }
        return sum / ((double)n * o * o * k * k);
    }

    /// <summary>The lesson's model: three stride-2 convolutions with ReLU, a fourth down to one channel, average pooling, flatten.</summary>
    private static Sequential SmallCnn(Engine e, RandomSource generator) => new Sequential(e,
        new Conv2d(e, 1, 8, 5, stride: 2, padding: 2, generator: generator), new ReLU(e),
        new Conv2d(e, 8, 16, 3, stride: 2, padding: 1, generator: generator), new ReLU(e),
        new Conv2d(e, 16, 32, 3, stride: 2, padding: 1, generator: generator), new ReLU(e),
        new Conv2d(e, 32, 1, 3, stride: 2, padding: 1, generator: generator),
        new AdaptiveAvgPool2d(e), new Flatten(e));
}

internal static class Program
{
    private static int Main(string[] args) => WhySqrt5Program.Run(args, Console.Out, Console.Error);
}
