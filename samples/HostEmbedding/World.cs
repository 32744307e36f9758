using System;

namespace InitCore.Samples.HostEmbedding
{
    /// <summary>
    /// The host's own simulation, which knows nothing about InitCore: a point mass in a 10×10 arena chasing a target
    /// that jumps somewhere else every 3 simulated seconds. The policy pushes it with a 2-D acceleration.
    /// </summary>
    internal sealed class World
    {
        public const int ObservationSize = 8;
        public const int ActionSize = 2;
        private const double Arena = 5, MaxAcceleration = 4, Damping = 0.98, JumpEvery = 3;

        private readonly Random _random;
        private double _px, _py, _vx, _vy, _tx, _ty, _time, _nextJump;

        public World(int seed)
        {
            _random = new Random(seed);
            _px = Uniform(Arena);
            _py = Uniform(Arena);
            NewTarget();
        }

        /// <summary>Simulated seconds so far.</summary>
        public double Time => _time;

        /// <summary>How far the agent is from the target.</summary>
        public double DistanceToTarget => Math.Sqrt((_tx - _px) * (_tx - _px) + (_ty - _py) * (_ty - _py));

        /// <summary>What the policy sees: position, velocity, the offset to the target, and a clock phase.</summary>
        public void Observe(Span<float> observation)
        {
            observation[0] = (float)_px;
            observation[1] = (float)_py;
            observation[2] = (float)_vx;
            observation[3] = (float)_vy;
            observation[4] = (float)(_tx - _px);
            observation[5] = (float)(_ty - _py);
            observation[6] = (float)Math.Sin(_time);
            observation[7] = (float)Math.Cos(_time);
        }

        /// <summary>Advances the world by one fixed step <paramref name="dt"/> with the policy's action (squashed into ±1 by tanh).</summary>
        public void Step(ReadOnlySpan<float> action, double dt)
        {
            _vx = (_vx + Math.Tanh(action[0]) * MaxAcceleration * dt) * Damping;
            _vy = (_vy + Math.Tanh(action[1]) * MaxAcceleration * dt) * Damping;
            _px = Bounce(_px + _vx * dt, ref _vx);
            _py = Bounce(_py + _vy * dt, ref _vy);
            _time += dt;
            if (_time >= _nextJump) NewTarget();
        }

        /// <summary>A random action, for sampling observations before there is a policy.</summary>
        public void RandomAction(Span<float> action)
        {
            for (int i = 0; i < action.Length; i++) action[i] = (float)Uniform(2);
        }

        private void NewTarget()
        {
            _tx = Uniform(Arena);
            _ty = Uniform(Arena);
            _nextJump = _time + JumpEvery;
        }

        private double Uniform(double half) => (_random.NextDouble() * 2 - 1) * half;

        private static double Bounce(double x, ref double v)
        {
            if (x > Arena) { v = -v; return 2 * Arena - x; }
            if (x < -Arena) { v = -v; return -2 * Arena - x; }
            return x;
        }
    }
}
