using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InitCore.Threading;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Threading
{
    /// <summary>The CPU backend's allocation-free fork–join workers: every task once, errors rethrown, concurrent and nested callers served.</summary>
    [TestClass]
    public sealed class CpuWorkersTests
    {
        private readonly struct Count : IParallelBody
        {
            private readonly int[] _hits, _workers;
            private readonly int _throwAt;

            internal Count(int[] hits, int[] workers, int throwAt = -1)
            {
                _hits = hits;
                _workers = workers;
                _throwAt = throwAt;
            }

            public void Invoke(int index, int worker)
            {
                if (index == _throwAt) throw new InvalidOperationException($"task {index} failed");
                Interlocked.Increment(ref _hits[index]);
                Interlocked.Increment(ref _workers[worker]);
            }
        }

        [TestMethod]
        [DataRow(1)]
        [DataRow(2)]
        [DataRow(4)]
        public void Run_RunsEveryTaskOnce_OnWorkerIdsBelowTheWorkerCount(int workers)
        {
            using var pool = new CpuWorkers(4);
            for (int round = 0; round < 20; round++)
            {
                var hits = new int[1000];
                var perWorker = new int[workers];
                var body = new Count(hits, perWorker);
                CpuWorkers.Run(pool, hits.Length, workers, ref body);
                Assert.IsTrue(hits.All(h => h == 1), $"round {round}: every task exactly once");
                Assert.AreEqual(1000, perWorker.Sum(), "worker ids are in 0..workers-1 (an id past the end would throw)");
            }
        }

        [TestMethod]
        public void Run_BodyThrows_RethrowsTheErrorAndStaysUsable()
        {
            using var pool = new CpuWorkers(4);
            var body = new Count(new int[100], new int[4], throwAt: 37);
            var ex = Assert.ThrowsExactly<InvalidOperationException>(() => CpuWorkers.Run(pool, 100, 4, ref body));
            Assert.AreEqual("task 37 failed", ex.Message);
            var hits = new int[100];
            var ok = new Count(hits, new int[4]);
            CpuWorkers.Run(pool, 100, 4, ref ok);
            Assert.IsTrue(hits.All(h => h == 1), "the pool works after an error");
            var fallback = new Count(new int[100], new int[4], throwAt: 5);
            Assert.AreEqual("task 5 failed", Assert.ThrowsExactly<InvalidOperationException>(() => CpuWorkers.Run(null, 100, 4, ref fallback)).Message);
        }

        [TestMethod]
        public void Run_FromSeveralThreadsAtOnce_CompletesEveryLoop()
        {
            using var pool = new CpuWorkers(4);
            var results = new bool[8];
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
            {
                bool all = true;
                for (int round = 0; round < 50; round++)
                {
                    var hits = new int[257];
                    var body = new Count(hits, new int[4]);
                    CpuWorkers.Run(pool, hits.Length, 4, ref body);
                    all &= hits.All(h => h == 1);
                }
                results[t] = all;
            });
            CollectionAssert.AreEqual(Enumerable.Repeat(true, 8).ToArray(), results);
        }

        [TestMethod]
        public void Dispose_IsIdempotent_AndLaterParallelLoopsThrowObjectDisposed()
        {
            var pool = new CpuWorkers(4);
            var body = new Count(new int[10], new int[4]);
            CpuWorkers.Run(pool, 10, 4, ref body);
            pool.Dispose();
            pool.Dispose();
            var ex = Assert.ThrowsExactly<ObjectDisposedException>(() => CpuWorkers.Run(pool, 10, 4, ref body));
            StringAssert.Contains(ex.Message, "Engine.Create()");
        }
    }
}
