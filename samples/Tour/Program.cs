// The lessons' first experiment: initialize a Conv2d(1, 32, 5) weight with PyTorch's default
// (kaiming_uniform, a = √5) and with Kaiming, push a unit-variance batch through it and look at
// the output statistics: the default shrinks the std to about 0.58, Kaiming keeps it near 1.
//
//   dotnet run --project samples/Tour -- [--seed N] [--threads N]
//
// The input is a synthetic N(0, 1) batch shaped like 100 MNIST digits (the bundled MNIST subset
// arrives with the layers issue); the convolution is a plain direct loop in this file.
using System;
using System.Globalization;
using InitCore;

ulong seed = 0;
int? threads = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seed" when i + 1 < args.Length: seed = ulong.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads" when i + 1 < args.Length: threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: Tour [--seed N] [--threads N]");
            return 2;
    }
}

try
{
    using var engine = Engine.Create(new EngineOptions { Seed = seed, ThreadCount = threads });
    Console.WriteLine($"backend: {engine.BackendDescription} — {engine.BackendReason}");
    Console.WriteLine();

    const int batch = 100, size = 28, outChannels = 32, k = 5;
    using var x = engine.CreateTensor(batch, 1, size, size);
    Init.Normal(x, 0, 1);
    float[] input = x.ToArray();
    Console.WriteLine($"input   {x}: {Stats(input)}");

    using var weight = engine.CreateTensor(outChannels, 1, k, k);
    using var bias = engine.CreateTensor(outChannels);
    Fans fans = Fans.FromShape(new[] { outChannels, 1, k, k });
    Console.WriteLine($"weight  {weight}: receptive field {k * k}, {fans}");
    Console.WriteLine();

    Console.WriteLine($"{"scheme",-42} {"weight std",10} {"out mean",9} {"out std",8}");
    Console.WriteLine(new string('-', 72));

    Init.PyTorchDefault(weight, bias);
    Report("PyTorch default: kaiming_uniform(a=√5)", weight, bias, relu: false);

    Init.KaimingNormal(weight, a: 1.0);
    Init.Zeros(bias);
    Report("kaiming_normal(a=1): gain 1, no ReLU", weight, bias, relu: false);

    Init.KaimingNormal(weight, a: 0.0);
    Report("kaiming_normal(a=0), then ReLU", weight, bias, relu: true);

    Init.KaimingNormal(weight, a: 0.0);
    Report("kaiming_normal(a=0), no ReLU (std √2)", weight, bias, relu: false);

    Console.WriteLine();
    Console.WriteLine("leaky-ReLU gain √(2 / (1 + a²)) for the a values of the lesson:");
    foreach (double a in new[] { 1.0, 0.0, 0.01, 0.1, Math.Sqrt(5) })
        Console.WriteLine($"  a = {a,-6:0.####}  gain = {Gain.Calculate(Nonlinearity.LeakyRelu, a):F4}");
    Console.WriteLine($"std of U(−1, 1) = 1/√3 = {1 / Math.Sqrt(3):F3}: PyTorch's default weight is U(−1, 1)/√fan_in.");
    return 0;

    void Report(string name, Tensor w, Tensor b, bool relu)
    {
        float[] y = Conv2dValid(input, batch, size, w.ToArray(), b.ToArray(), outChannels, k);
        if (relu) for (int i = 0; i < y.Length; i++) y[i] = Math.Max(y[i], 0f);
        var (m, s) = MeanStd(y);
        var (_, ws) = MeanStd(w.ToArray());
        Console.WriteLine($"{name,-42} {ws,10:F4} {m,9:F4} {s,8:F4}");
    }
}
catch (Exception ex)
{
    Console.Error.WriteLine($"Tour failed: {ex.Message}");
    return 1;
}

static string Stats(float[] v)
{
    var (m, s) = MeanStd(v);
    return $"mean {m:F4}, std {s:F4}";
}

static (double Mean, double Std) MeanStd(float[] v)
{
    double sum = 0, sq = 0;
    foreach (float f in v) { sum += f; sq += (double)f * f; }
    double mean = sum / v.Length;
    return (mean, Math.Sqrt(Math.Max(0, sq / v.Length - mean * mean) * v.Length / (v.Length - 1)));
}

// Direct "valid" convolution of single-channel images: [n, 1, s, s] * [c, 1, k, k] → [n, c, s−k+1, s−k+1].
static float[] Conv2dValid(float[] x, int n, int s, float[] w, float[] b, int c, int k)
{
    int o = s - k + 1;
    var y = new float[n * c * o * o];
    System.Threading.Tasks.Parallel.For(0, n, img =>
    {
        for (int ch = 0; ch < c; ch++)
            for (int r = 0; r < o; r++)
                for (int col = 0; col < o; col++)
                {
                    float acc = b[ch];
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++)
                            acc += w[(ch * k + i) * k + j] * x[(img * s + r + i) * s + col + j];
                    y[((img * c + ch) * o + r) * o + col] = acc;
                }
    });
    return y;
}
