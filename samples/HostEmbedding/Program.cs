// Embedding InitCore in a host: a simulation with a fixed-timestep loop (60 Hz) that owns a small policy network.
//
//   dotnet run --project samples/HostEmbedding -- [--device cpu|cuda|auto] [--out FOLDER] [--json] [--small]
//                                                 [--frames N] [--hz N] [--reinit-every SECONDS] [--hidden N] [--realtime] [--seed N]
//
// The host (PolicyHost.cs) creates the engine once; builds the policy, Linear(8→64) → ReLU → Linear(64→64) → ReLU →
// Linear(64→2); initializes it with Kaiming and LSUV on observations it sampled from the world; runs inference every
// frame on the engine's stream (upload the observation, forward, read the action back); re-initializes the policy on
// a timer (Kaiming + LSUV on the most recent observations); reports through a logging callback this program supplies;
// carries on with the CPU when there is no GPU (--device auto); and releases the tensors and the engine in Dispose.
// The policy is never trained: the point is the plumbing and what each frame costs (p50, p99).
// By default the loop runs flat out (the simulation still advances exactly 1/60 s per frame); --realtime sleeps
// until each frame's deadline, as a game loop would.
using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using InitCore.Samples;
using InitCore.Samples.HostEmbedding;
using Spectre.Console;

/// <summary>The host-embedding sample, callable in-process (the smoke tests do).</summary>
public static class HostEmbeddingProgram
{
    /// <summary>Runs the sample with <paramref name="args"/>; returns the exit code (0, 1 runtime failure, 2 bad arguments).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Cli().Run(args, stdout, stderr);

    /// <summary>The sample's command line: the common options and its own (the tests enumerate them).</summary>
    public static System.CommandLine.RootCommand Command => Cli().Command;

    private static SampleCli Cli()
    {
        var cli = new SampleCli("HostEmbedding", "A simulation host that embeds InitCore: one engine, a policy network, LSUV, per-frame inference, re-initialization on a timer.");
        var frames = cli.AddInt("--frames", "Frames to run (default 600; 120 with --small).", 600);
        var hz = cli.AddInt("--hz", "Fixed timestep: simulation steps per simulated second.", 60);
        var reinitEvery = cli.AddPositive("--reinit-every", "Re-initialize the policy every this many simulated seconds (default 2; 0.5 with --small).", 2.0);
        var hidden = cli.AddInt("--hidden", "Hidden units of the policy's two hidden layers.", 64);
        var realtime = cli.Add(new Option<bool>("--realtime") { Description = "Pace the loop to wall-clock time instead of running flat out." });
        return cli.Runs(ctx =>
        {
            bool Given<T>(Option<T> o) => ctx.Parse.GetResult(o) is { Implicit: false };
            int frameCount = ctx.Small && !Given(frames) ? 120 : ctx.Get(frames);
            double every = ctx.Small && !Given(reinitEvery) ? 0.5 : ctx.Get(reinitEvery);
            var settings = new HostSettings
            {
                Engine = ctx.EngineOptions(),
                Frames = frameCount,
                Hz = ctx.Get(hz),
                ReinitEveryFrames = Math.Max(1, (int)Math.Round(every * ctx.Get(hz))),
                Hidden = ctx.Get(hidden),
                Realtime = ctx.Get(realtime),
            };
            return Host(ctx, settings);
        });
    }

    private static int Host(SampleContext ctx, HostSettings settings)
    {
        // The host's logging callback: this program prints each message (queued until the backend line is out, and
        // while a live progress bar is shown) and keeps them all for the JSON.
        var messages = new List<string>();
        var queued = new List<string>();
        bool hold = true;
        void Log(string message)
        {
            messages.Add(message);
            if (hold) queued.Add(message);
            else ctx.Console.MarkupLineInterpolated($"[grey]host:[/] {message}");
        }
        void Release()
        {
            hold = false;
            foreach (string m in queued) ctx.Console.MarkupLineInterpolated($"[grey]host:[/] {m}");
            queued.Clear();
        }

        HostReport report;
        string backendReason, backendKind, backendDescription;
        using (var host = new PolicyHost(settings, Log))
        {
            ctx.ReportBackend(host.Engine);   // the backend line first, then what the host said while starting
            Release();
            backendReason = host.Engine.BackendReason;
            backendKind = host.Engine.Backend == BackendKind.Cuda ? "cuda" : "cpu";
            backendDescription = host.Engine.BackendDescription;
            ctx.Console.MarkupLineInterpolated($"fixed timestep 1/{settings.Hz} s, {settings.Frames} frames, re-initialization every {settings.ReinitEveryFrames} frames{(settings.Realtime ? ", paced in real time" : "")}");
            report = ctx.WithProgress(bars =>
            {
                hold = bars.IsLive;
                ProgressBar bar = bars.Add("frames", settings.Frames);
                HostReport r = host.Run((int)ctx.Seed, onFrame: _ => bar.Increment());
                bar.Complete();
                return r;
            });
            Release();
        }   // Dispose: the host logs its release through the same callback

        var frame = Percentiles(report.FrameMs);
        var inference = Percentiles(report.InferenceMs);
        var reinit = Percentiles(report.ReinitMs);
        Table table = SampleContext.NewTable($"Per-frame cost over {report.Frames} frames (ms)", "what", "count", "p50", "p99", "max", "mean");
        void Row(string name, int count, (double P50, double P99, double Max, double Mean) p) =>
            table.AddRow(SampleContext.Cell(name), SampleContext.Cell(count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                SampleContext.Number(p.P50, "F4"), SampleContext.Number(p.P99, "F4"), SampleContext.Number(p.Max, "F4"), SampleContext.Number(p.Mean, "F4"));
        Row("whole frame (observe, infer, step; re-init when due)", report.Frames, frame);
        Row("inference (upload, forward, read back)", report.Frames, inference);
        if (report.ReinitMs.Length > 0) Row("re-initialization (Kaiming + LSUV)", report.ReinitMs.Length, reinit);
        ctx.Console.Write(table);
        ctx.Console.MarkupLineInterpolated($"budget at {settings.Hz} Hz: {1000.0 / settings.Hz:F1} ms per frame; simulated {report.SimulatedSeconds:F2} s in {report.WallSeconds:F2} s of wall time; mean |action| {report.MeanAbsAction:F3}");

        if (ctx.PlotPath("frame-cost.png") is string path)
            Charts.Lines(path, "Cost of each frame (ms); grey lines: re-initializations", "frame", "ms",
                new[] { new Charts.Series("whole frame", report.FrameMs), new Charts.Series("inference", report.InferenceMs) },
                report.ReinitFrames.Select(f => (double)(f + 1)));
        ctx.ReportPlots();
        ctx.Console.MarkupLineInterpolated($"[grey]done in {ctx.ElapsedSeconds:F1} s[/]");

        if (ctx.Json)
        {
            static object P((double P50, double P99, double Max, double Mean) p) => new { p50 = p.P50, p99 = p.P99, max = p.Max, mean = p.Mean };
            ctx.WriteJson(new
            {
                backend = new { kind = backendKind, reason = backendReason, description = backendDescription },
                frames = report.Frames,
                hz = settings.Hz,
                simulated_seconds = report.SimulatedSeconds,
                wall_seconds = report.WallSeconds,
                realtime = settings.Realtime,
                reinit_every_frames = settings.ReinitEveryFrames,
                reinitializations = report.ReinitFrames.Length,
                reinit_frames = report.ReinitFrames,
                frame_ms = P(frame),
                inference_ms = P(inference),
                reinit_ms = report.ReinitMs.Length > 0 ? P(reinit) : null,
                last_lsuv = LsuvView.Json(report.LastLsuv),
                mean_abs_action = report.MeanAbsAction,
                final_distance = report.FinalDistance,
                log = messages,
                seconds = ctx.ElapsedSeconds,
            });
        }
        return SampleCli.Success;
    }

    /// <summary>Nearest-rank percentiles (p50, p99), the maximum and the mean.</summary>
    private static (double P50, double P99, double Max, double Mean) Percentiles(double[] values)
    {
        if (values.Length == 0) return (double.NaN, double.NaN, double.NaN, double.NaN);
        double[] sorted = values.OrderBy(v => v).ToArray();
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return (Rank(0.50), Rank(0.99), sorted[^1], values.Average());
    }
}

internal static class Program
{
    private static int Main(string[] args) => HostEmbeddingProgram.Run(args, Console.Out, Console.Error);
}
