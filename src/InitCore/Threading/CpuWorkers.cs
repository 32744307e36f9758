using System.Runtime.ExceptionServices;
using System.Threading.Tasks;

namespace InitCore.Threading
{
    /// <summary>One step of a parallel loop: the work of task <c>index</c>, run by worker <c>worker</c> (0 … workers − 1).</summary>
    internal interface IParallelBody
    {
        void Invoke(int index, int worker);
    }

    /// <summary>
    /// The CPU kernels' fork–join workers: a loop over tasks 0 … count − 1 runs on the calling thread and up to
    /// ThreadCount − 1 helper threads, each claiming the next task when it finishes one. Unlike
    /// <see cref="Parallel.For(int, int, Action{int})"/> it allocates nothing per loop in the steady state (the body
    /// is a struct held in a per-thread, per-type job object), which hosts that run a model every frame need.
    /// <para>
    /// The helpers start on the first parallel loop and end after <see cref="IdleMilliseconds"/> without work or
    /// when the backend is disposed. While the workers run a loop, a loop started from another thread (or from
    /// inside a body) runs on its own thread alone. Which thread runs a task never changes its result: bodies
    /// compute each task's outputs from the task index alone.
    /// </para>
    /// </summary>
    internal sealed class CpuWorkers : IDisposable
    {
        private const int IdleMilliseconds = 10_000;

        private readonly object _gate = new object();
        private readonly SemaphoreSlim _wake = new SemaphoreSlim(0);
        // Released once by the last helper of a loop. A SemaphoreSlim, not a ManualResetEventSlim: the latter creates its
        // lock object on the first wait that blocks, which made a steady-state Infer call allocate 24 bytes now and then.
        private readonly SemaphoreSlim _done = new SemaphoreSlim(0);
        private int _busy, _live, _pending, _next, _count, _workerIds;
        private bool _disposed;
        private IJob? _job;
        private Exception? _error;

        internal CpuWorkers(int threadCount) => ThreadCount = threadCount;

        /// <summary>The most threads a loop uses, the caller's included.</summary>
        internal int ThreadCount { get; }

        private interface IJob
        {
            void Invoke(int index, int worker);
        }

        private sealed class Job<T> : IJob where T : struct, IParallelBody
        {
            [ThreadStatic] private static Job<T>? t_cached;

            internal T Body;

            internal static Job<T> ForThisThread() => t_cached ??= new Job<T>();

            public void Invoke(int index, int worker) => Body.Invoke(index, worker);
        }

        /// <summary>
        /// Runs <paramref name="body"/> for tasks 0 … <paramref name="count"/> − 1 on at most <paramref name="workers"/> threads
        /// (the caller's included) of <paramref name="pool"/>; with no pool, on the shared thread pool through Parallel.For
        /// (which allocates). An exception from a body is rethrown here once every worker has stopped.
        /// </summary>
        internal static void Run<T>(CpuWorkers? pool, int count, int workers, ref T body) where T : struct, IParallelBody
        {
            if (count <= 0) return;
            workers = Math.Min(workers, count);
            if (workers <= 1)
            {
                for (int i = 0; i < count; i++) body.Invoke(i, 0);
                return;
            }
            if (pool is null)
            {
                RunOnThreadPool(count, workers, body);
                return;
            }
            pool.RunShared(count, Math.Min(workers, pool.ThreadCount), ref body);
        }

        private static void RunOnThreadPool<T>(int count, int workers, T body) where T : struct, IParallelBody
        {
            int next = -1, ids = -1;
            try
            {
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
                {
                    int worker = Interlocked.Increment(ref ids), i;
                    while ((i = Interlocked.Increment(ref next)) < count) body.Invoke(i, worker);
                });
            }
            catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
            {
                ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw(); // the body's own exception, as on the workers
            }
        }

        private void RunShared<T>(int count, int workers, ref T body) where T : struct, IParallelBody
        {
            if (workers <= 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            {
                for (int i = 0; i < count; i++) body.Invoke(i, 0);
                return;
            }
            Job<T> job = Job<T>.ForThisThread();
            job.Body = body;
            int helpers = workers - 1;
            try
            {
                _job = job;
                _error = null;
                _count = count;
                _next = -1;
                _workerIds = 0;
                _pending = helpers;
                lock (_gate)
                {
                    if (_disposed) throw new ObjectDisposedException("Engine", "This engine has been disposed; create a new one with Engine.Create().");
                    while (_live < helpers) StartHelper();
                    _wake.Release(helpers);
                }
                Work(job, 0);
                _done.Wait();
                Exception? error = _error;
                if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
            }
            finally
            {
                job.Body = default;
                _job = null;
                Volatile.Write(ref _busy, 0);
            }
        }

        private void Work(IJob job, int worker)
        {
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref _next)) < _count) job.Invoke(i, worker);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _error, ex, null);
                Volatile.Write(ref _count, -1); // the others stop claiming
            }
        }

        private void StartHelper()
        {
            _live++;
            var thread = new Thread(HelperLoop) { IsBackground = true, Name = "InitCore CPU worker" };
            thread.Start();
        }

        private void HelperLoop()
        {
            while (true)
            {
                if (!_wake.Wait(IdleMilliseconds))
                {
                    lock (_gate)
                    {
                        if (_wake.CurrentCount > 0 && !_disposed) continue; // a loop was handed out meanwhile
                        _live--;
                        return;
                    }
                }
                IJob? job = Volatile.Read(ref _job);
                if (job is not null)
                {
                    Work(job, Interlocked.Increment(ref _workerIds));
                    if (Interlocked.Decrement(ref _pending) == 0) _done.Release();
                }
                if (Volatile.Read(ref _disposed)) return;
            }
        }

        /// <summary>Ends the helper threads (a loop in progress finishes first). Idempotent.</summary>
        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed) return;
                _disposed = true;
                if (_live > 0) _wake.Release(_live);
            }
        }
    }
}
