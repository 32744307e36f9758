using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using InitCore.Threading;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Threading
{
    /// <summary>The one CPU partitioner: chunk bounds fixed by count and grain alone, small loops inline, errors unwrapped.</summary>
    [TestClass]
    public sealed class CpuPartitionerTests
    {
        private static (int Start, int End)[] Ranges(CpuWorkers? pool, int threads, int count, int grain, long workPerItem = 1)
        {
            var seen = new ConcurrentBag<(int, int)>();
            CpuPartitioner.For(pool, threads, count, grain, (s, e) => seen.Add((s, e)), workPerItem);
            return seen.OrderBy(r => r.Item1).ToArray();
        }

        [TestMethod]
        [DataRow(1_000_003, 4096)]
        [DataRow(1 << 20, 1 << 16)]
        [DataRow(200_000, 1)]
        public void For_LargeLoop_RunsChunkCOverCTimesGrain_WhateverTheThreadCount(int count, int grain)
        {
            using var pool = new CpuWorkers(4);
            int chunks = (int)(((long)count + grain - 1) / grain);
            var expected = Enumerable.Range(0, chunks).Select(c => (c * grain, (int)Math.Min(count, (c + 1L) * grain))).ToArray();
            foreach (int threads in new[] { 2, 3, 4 })
            {
                CollectionAssert.AreEqual(expected, Ranges(pool, threads, count, grain), $"pool, {threads} threads");
                CollectionAssert.AreEqual(expected, Ranges(null, threads, count, grain), $"thread pool, {threads} threads");
            }
        }

        [TestMethod]
        [DataRow(100, 10, 4, 1L)]           // one chunk
        [DataRow(1 << 16, 4096, 4, 1L)]     // work at the threshold
        [DataRow(1000, 10, 4, 65L)]         // 1000 × 65 = 65,000 elements of work
        [DataRow(1_000_000, 4096, 1, 1L)]   // one thread
        public void For_SmallWorkOrOneThread_RunsOneRangeOnTheCallingThread(int count, int grain, int threads, long workPerItem)
        {
            using var pool = new CpuWorkers(4);
            int caller = Environment.CurrentManagedThreadId, calls = 0, thread = -1;
            CpuPartitioner.For(pool, threads, count, grain, (s, e) =>
            {
                Assert.AreEqual((0, count), (s, e));
                thread = Environment.CurrentManagedThreadId;
                calls++;
            }, workPerItem);
            Assert.AreEqual(1, calls);
            Assert.AreEqual(caller, thread);
        }

        [TestMethod]
        public void For_EmptyLoop_CallsNothing()
        {
            int calls = 0;
            CpuPartitioner.For(null, 4, 0, 16, (s, e) => calls++);
            CpuPartitioner.For(null, 4, -5, 16, (s, e) => calls++);
            Assert.AreEqual(0, calls);
        }

        [TestMethod]
        [DataRow(0)]
        [DataRow(-3)]
        public void For_GrainBelowOne_ThrowsArgumentOutOfRange(int grain)
        {
            var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuPartitioner.For(null, 4, 100, grain, (s, e) => { }));
            Assert.AreEqual("grain", ex.ParamName);
            StringAssert.Contains(ex.Message, "1 or more");
            Assert.AreEqual(grain, ex.ActualValue);
        }

        [TestMethod]
        public void For_BodyThrows_RethrowsTheBodysExceptionUnwrapped_AndThePoolStaysUsable()
        {
            using var pool = new CpuWorkers(4);
            foreach (CpuWorkers? p in new[] { pool, null })
            {
                var ex = Assert.ThrowsExactly<InvalidOperationException>(() => CpuPartitioner.For(p, 4, 1 << 20, 4096, (s, e) =>
                {
                    if (s == 40 * 4096) throw new InvalidOperationException($"chunk at {s} failed");
                }));
                Assert.AreEqual("chunk at 163840 failed", ex.Message);
            }
            Assert.AreEqual(256, Ranges(pool, 4, 1 << 20, 4096).Length, "the pool runs every chunk after an error");
        }

        [TestMethod]
        [DataRow(10, 3, 4)]
        [DataRow(10, 1, 10)]
        [DataRow(10, 0, 10)]
        [DataRow(0, 4, 1)]
        [DataRow(3, 8, 1)]
        [DataRow(int.MaxValue, 2, 1 << 30)]
        public void EvenGrain_CutsIntoAtMostPartsChunks(int count, int parts, int expected)
        {
            int grain = CpuPartitioner.EvenGrain(count, parts);
            Assert.AreEqual(expected, grain);
            if (parts > 0) Assert.IsTrue(CpuPartitioner.ChunkCount(count, grain) <= parts, $"{count} items in {parts} parts");
        }

        private struct Sum : IRangeBody
        {
            internal long[] Total;

            public void Run(int start, int end) => Interlocked.Add(ref Total[0], (long)(end - start));
        }

        [TestMethod]
        public void For_StructBodyOnAPool_AllocatesNothingPerCall()
        {
            using var pool = new CpuWorkers(4);
            var body = new Sum { Total = new long[1] };
            for (int i = 0; i < 20; i++) CpuPartitioner.For(pool, 4, 1 << 20, 1 << 16, ref body); // warm: helpers started, jobs cached
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) CpuPartitioner.For(pool, 4, 1 << 20, 1 << 16, ref body);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.AreEqual(0L, allocated, "a struct body on a pool allocates nothing on the calling thread");
            Assert.AreEqual(120L << 20, Interlocked.Read(ref body.Total[0]));
        }
    }
}
