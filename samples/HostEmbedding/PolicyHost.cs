using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace InitCore.Samples.HostEmbedding
{
    /// <summary>How the host runs.</summary>
    internal sealed class HostSettings
    {
        /// <summary>The engine: backend, seed, threads. Created once, by the host.</summary>
        public EngineOptions Engine { get; init; } = new EngineOptions();

        /// <summary>Frames to run.</summary>
        public int Frames { get; init; } = 600;

        /// <summary>Simulation steps per simulated second: the fixed timestep is 1/Hz.</summary>
        public int Hz { get; init; } = 60;

        /// <summary>Re-initialize the policy every this many frames.</summary>
        public int ReinitEveryFrames { get; init; } = 120;

        /// <summary>Hidden units of the policy's two hidden layers.</summary>
        public int Hidden { get; init; } = 64;

        /// <summary>Observations LSUV measures, in batches of 64.</summary>
        public int LsuvSamples { get; init; } = 256;

        /// <summary>Pace the loop to wall-clock time (sleep until each frame's deadline) instead of running flat out.</summary>
        public bool Realtime { get; init; }
    }

    /// <summary>What a run measured.</summary>
    internal sealed record HostReport(int Frames, double SimulatedSeconds, double WallSeconds, double[] FrameMs, double[] InferenceMs,
        double[] ReinitMs, int[] ReinitFrames, LsuvReport LastLsuv, double MeanAbsAction, double FinalDistance);

    /// <summary>
    /// How a host application embeds InitCore: it creates the engine once, owns a small policy network, initializes it
    /// (Kaiming, then LSUV on observations it sampled), runs inference every frame of a fixed-timestep loop, re-initializes
    /// on a timer, reports through the logging callback the host supplies, and releases everything in <see cref="Dispose"/>.
    /// Without a GPU the automatic backend carries on with the CPU.
    /// </summary>
    internal sealed class PolicyHost : IDisposable
    {
        private const int LsuvBatch = 64;

        private readonly HostSettings _settings;
        private readonly Action<string> _log;
        private readonly Engine _engine;
        private readonly Sequential _policy;
        private readonly Generator _initGenerator;
        private readonly Tensor _observation;              // [1, obs], reused every frame: no per-frame upload buffer
        private readonly float[][] _recent;                // the last observations, for LSUV at re-initialization
        private int _recentNext, _recentCount;
        private int _disposed;

        public PolicyHost(HostSettings settings, Action<string> log)
        {
            _settings = settings ?? throw new ArgumentNullException(nameof(settings));
            _log = log ?? throw new ArgumentNullException(nameof(log));
            _engine = InitCore.Engine.Create(settings.Engine);   // once, for the host's lifetime
            try
            {
                if (_engine.Backend == BackendKind.Cpu && settings.Engine.Backend == BackendKind.Auto)
                    _log($"no GPU, carrying on with the CPU: {_engine.BackendReason}");
                else
                    _log($"engine: {_engine.BackendReason}");
                _initGenerator = new Generator(settings.Engine.Seed, stream: 7);
                int h = settings.Hidden;
                _policy = new Sequential(_engine,
                    new Linear(_engine, World.ObservationSize, h), new ReLU(_engine),
                    new Linear(_engine, h, h), new ReLU(_engine),
                    new Linear(_engine, h, World.ActionSize));
                _log($"policy: {string.Join(" → ", _policy.Children.Select(m => m.Describe()))}");
                _observation = _engine.CreateTensor(1, World.ObservationSize);
                _recent = new float[settings.LsuvSamples][];
            }
            catch
            {
                _engine.Dispose();
                throw;
            }
        }

        /// <summary>The engine (for its backend line).</summary>
        public Engine Engine => _engine;

        /// <summary>
        /// Runs the fixed-timestep loop for <see cref="HostSettings.Frames"/> frames. Each frame: observe, run the policy
        /// on the engine, read the action back, step the world by 1/Hz. Every <see cref="HostSettings.ReinitEveryFrames"/>
        /// frames the policy is re-initialized before that frame's inference.
        /// </summary>
        public HostReport Run(int seed, Action<int>? onFrame = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var world = new World(seed);
            double dt = 1.0 / _settings.Hz;
            SampleObservations(seed);
            LsuvReport lsuv = Initialize("initialized");

            int frames = _settings.Frames;
            var frameMs = new double[frames];
            var inferenceMs = new double[frames];
            var reinitMs = new List<double>();
            var reinitFrames = new List<int>();
            Span<float> observation = stackalloc float[World.ObservationSize];
            Span<float> action = stackalloc float[World.ActionSize];
            double absAction = 0;
            var wall = Stopwatch.StartNew();
            for (int frame = 0; frame < frames; frame++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long start = Stopwatch.GetTimestamp();
                if (frame > 0 && frame % _settings.ReinitEveryFrames == 0)
                {
                    long r = Stopwatch.GetTimestamp();
                    lsuv = Initialize($"re-initialized at frame {frame} (t = {world.Time:F2} s)");
                    reinitMs.Add(Stopwatch.GetElapsedTime(r).TotalMilliseconds);
                    reinitFrames.Add(frame);
                }

                world.Observe(observation);
                Remember(observation);
                long i = Stopwatch.GetTimestamp();
                Act(observation, action);
                inferenceMs[frame] = Stopwatch.GetElapsedTime(i).TotalMilliseconds;
                world.Step(action, dt);
                absAction += (Math.Abs(action[0]) + Math.Abs(action[1])) / 2;
                frameMs[frame] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                onFrame?.Invoke(frame);

                if (_settings.Realtime)
                {
                    // A real host sleeps until the next tick; the simulation still advances by exactly dt per frame.
                    TimeSpan wait = TimeSpan.FromSeconds((frame + 1) * dt) - wall.Elapsed;
                    if (wait > TimeSpan.Zero) Thread.Sleep(wait);
                }
            }
            _log($"ran {frames} frames ({world.Time:F2} simulated s) in {wall.Elapsed.TotalSeconds:F2} wall s, {reinitFrames.Count} re-initializations");
            return new HostReport(frames, world.Time, wall.Elapsed.TotalSeconds, frameMs, inferenceMs, reinitMs.ToArray(), reinitFrames.ToArray(),
                lsuv, absAction / Math.Max(1, frames), world.DistanceToTarget);
        }

        /// <summary>
        /// One inference: upload the observation into the reused [1, obs] tensor, run the policy with <see cref="Module.Infer"/>
        /// (no backward caches; each layer writes into its own buffer, reused every frame), read the action back (on CUDA,
        /// that read waits for the stream). In the steady state a frame allocates no managed memory and no device memory.
        /// The returned tensor belongs to the policy and is only read before the next frame's call.
        /// </summary>
        private void Act(ReadOnlySpan<float> observation, Span<float> action)
        {
            _observation.CopyFrom(observation);
            _policy.Infer(_observation).CopyTo(action);
        }

        /// <summary>Kaiming for the ReLU layers, then LSUV on the remembered observations.</summary>
        private LsuvReport Initialize(string what)
        {
            var clock = Stopwatch.StartNew();
            ModelInit.Apply(_policy, InitScheme.KaimingNormal(nonlinearity: Nonlinearity.Relu), InitScheme.Zeros, _initGenerator);
            int batches = Math.Max(1, _recentCount / LsuvBatch);
            var inputs = new List<Tensor>();
            try
            {
                for (int b = 0; b < batches; b++)
                {
                    var data = new float[LsuvBatch * World.ObservationSize];
                    for (int k = 0; k < LsuvBatch; k++)
                        _recent[(b * LsuvBatch + k) % _recentCount].CopyTo(data, k * World.ObservationSize);
                    inputs.Add(_engine.CreateTensor(data, LsuvBatch, World.ObservationSize));
                }
                // Plain ReLU cannot output mean 0, so LSUV calibrates each layer's output before its activation.
                LsuvReport report = Lsuv.Run(_policy, inputs, new LsuvOptions { MeasureAfterActivation = false });
                _log($"{what}: Kaiming + LSUV on {batches * LsuvBatch} observations, " +
                     $"{(report.AllConverged ? "converged" : "NOT converged")}, {report.LayerForwardCalls} layer calls, {clock.Elapsed.TotalMilliseconds:F1} ms");
                return report;
            }
            finally
            {
                foreach (Tensor t in inputs) t.Dispose();
            }
        }

        /// <summary>Before there is a policy: a warm-up run of the world with random actions fills the observation memory.</summary>
        private void SampleObservations(int seed)
        {
            var world = new World(seed + 1);
            Span<float> observation = stackalloc float[World.ObservationSize];
            Span<float> action = stackalloc float[World.ActionSize];
            for (int k = 0; k < _recent.Length; k++)
            {
                world.RandomAction(action);
                world.Step(action, 1.0 / _settings.Hz * 6);   // coarser steps: a wider spread of states
                world.Observe(observation);
                Remember(observation);
            }
        }

        /// <summary>Keeps the observation in a ring of the most recent ones.</summary>
        private void Remember(ReadOnlySpan<float> observation)
        {
            observation.CopyTo(_recent[_recentNext] ??= new float[World.ObservationSize]);
            _recentNext = (_recentNext + 1) % _recent.Length;
            _recentCount = Math.Min(_recentCount + 1, _recent.Length);
        }

        private void ThrowIfDisposed()
        {
            if (Volatile.Read(ref _disposed) != 0) throw new ObjectDisposedException(nameof(PolicyHost));
        }

        /// <summary>Releases the tensors and the engine (on CUDA: device memory, handles, the context). Idempotent.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _observation.Dispose();
            _policy.ReleaseInferenceBuffers();
            foreach (Parameter p in _policy.Parameters())
            {
                p.Value.Dispose();
                p.Grad.Dispose();
            }
            _engine.Dispose();
            _log("disposed: tensors and engine released");
        }
    }
}
