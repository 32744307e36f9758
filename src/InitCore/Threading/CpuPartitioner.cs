namespace InitCore.Threading
{
    /// <summary>The work of the items [start, end) of a partitioned loop.</summary>
    internal interface IRangeBody
    {
        void Run(int start, int end);
    }

    /// <summary>
    /// The one partitioner of the CPU kernels: a loop over items 0 … count − 1 is cut into chunks of
    /// <c>grain</c> items, chunk c covering [c·grain, min(count, (c + 1)·grain)), and the chunks run on
    /// <see cref="CpuWorkers"/> (allocation-free with a pool and a struct body). The chunk bounds depend only on count
    /// and grain, never on the thread count or on which thread runs a chunk, so a kernel whose result depends on its
    /// chunks (the statistics' merge order) gives the same bits on any machine.
    /// <para>
    /// A loop runs on the calling thread, as one range [0, count), when it has one chunk, when one thread is asked for,
    /// or when its work (count × workPerItem, in elements touched) is at most <see cref="MinParallelWork"/>.
    /// </para>
    /// </summary>
    internal static class CpuPartitioner
    {
        /// <summary>
        /// The work (elements touched) at or below which a loop runs on the calling thread: a fork–join costs about
        /// 9 µs on a 2-core machine, the time of a simple pass over roughly 64K floats.
        /// </summary>
        internal const long MinParallelWork = 1 << 16;

        /// <summary>
        /// Runs <paramref name="body"/>.Run over the chunks of <paramref name="grain"/> items of [0, <paramref name="count"/>)
        /// on at most <paramref name="threads"/> threads of <paramref name="pool"/> (the shared thread pool when null, which
        /// allocates). An exception from the body is rethrown as is (not wrapped) once every worker has stopped.
        /// </summary>
        internal static void For<T>(CpuWorkers? pool, int threads, int count, int grain, ref T body, long workPerItem = 1) where T : struct, IRangeBody
        {
            if (count <= 0) return;
            if (grain < 1) throw new ArgumentOutOfRangeException(nameof(grain), grain, "The grain is the number of items per chunk: 1 or more.");
            int chunks = ChunkCount(count, grain);
            if (chunks <= 1 || threads <= 1 || (long)count * Math.Max(1, workPerItem) <= MinParallelWork)
            {
                body.Run(0, count);
                return;
            }
            var tasks = new Chunks<T>(body, count, grain);
            CpuWorkers.Run(pool, chunks, threads, ref tasks);
        }

        /// <summary><see cref="For{T}(CpuWorkers, int, int, int, ref T, long)"/> with a delegate body (allocates the delegate; not for inference paths).</summary>
        internal static void For(CpuWorkers? pool, int threads, int count, int grain, Action<int, int> body, long workPerItem = 1)
        {
            var range = new ActionBody(body);
            For(pool, threads, count, grain, ref range, workPerItem);
        }

        /// <summary>
        /// Runs <paramref name="body"/>.Invoke(task, worker) for tasks 0 … <paramref name="count"/> − 1 (grain 1, every
        /// task parallel), each worker claiming the next task when it finishes one: the tiled GEMM and convolution passes,
        /// whose tasks need their worker's index for scratch.
        /// </summary>
        internal static void Tasks<T>(CpuWorkers? pool, int threads, int count, ref T body) where T : struct, IParallelBody
            => CpuWorkers.Run(pool, count, threads, ref body);

        /// <summary>The grain that cuts <paramref name="count"/> items into at most <paramref name="parts"/> chunks of equal size (the last one shorter).</summary>
        internal static int EvenGrain(int count, int parts) => parts <= 1 ? Math.Max(1, count) : Math.Max(1, ChunkCount(count, parts));

        /// <summary>The number of chunks of <paramref name="size"/> covering [0, <paramref name="total"/>): computed in long,
        /// because total + size − 1 overflows int for totals near int.MaxValue.</summary>
        internal static int ChunkCount(int total, int size) => (int)(((long)total + size - 1) / size);

        /// <summary>The end of chunk <paramref name="index"/> of [0, <paramref name="total"/>) (it starts at index·size):
        /// computed in long, because (index + 1)·size overflows int for the last chunk of a total near int.MaxValue.</summary>
        internal static int ChunkEnd(int index, int total, int size) => (int)Math.Min(total, (index + 1L) * size);

        private readonly struct Chunks<T> : IParallelBody where T : struct, IRangeBody
        {
            private readonly T _body;
            private readonly int _count, _grain;

            internal Chunks(T body, int count, int grain)
            {
                _body = body;
                _count = count;
                _grain = grain;
            }

            public void Invoke(int index, int worker)
            {
                T body = _body; // a copy per chunk: a body's Run may not share mutable struct state between chunks
                body.Run(index * _grain, ChunkEnd(index, _count, _grain));
            }
        }

        private readonly struct ActionBody : IRangeBody
        {
            private readonly Action<int, int> _body;

            internal ActionBody(Action<int, int> body) => _body = body;

            public void Run(int start, int end) => _body(start, end);
        }
    }
}
