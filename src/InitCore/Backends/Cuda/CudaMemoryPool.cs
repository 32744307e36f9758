using System.Collections.Concurrent;

using InitCore.Interop.CudaDriver;

namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// The device-memory pool of one <see cref="CudaBackend"/>: blocks in size classes (<see cref="BlockSize"/>), reused
    /// before cuMemAlloc_v2 is called again. Owns every block it allocated until <see cref="FreeAll"/>. Released blocks
    /// wait in a lock-free queue (<see cref="QueueRelease"/>, safe on any thread, the finalizer included: no CUDA call)
    /// until the owner drains it inside its lock. Every other member runs inside the owner's lock with the context current.
    /// </summary>
    internal sealed class CudaMemoryPool
    {
        private readonly CudaDeviceContext _context;
        private readonly CudaDriverApi _d;
        private readonly ConcurrentQueue<(ulong Pointer, ulong Bytes)> _released = new ConcurrentQueue<(ulong, ulong)>();
        private readonly Dictionary<ulong, Stack<ulong>> _free = new Dictionary<ulong, Stack<ulong>>();
        private readonly Dictionary<ulong, ulong> _owned = new Dictionary<ulong, ulong>();

        /// <param name="context">The context the blocks live in: its driver binding, its device name (for out-of-memory
        /// messages) and its status check (which records sticky errors).</param>
        internal CudaMemoryPool(CudaDeviceContext context)
        {
            _context = context;
            _d = context.Driver;
        }

        /// <summary>Number of cuMemAlloc_v2 calls so far: steady-state work should not raise it.</summary>
        internal long DeviceAllocations { get; private set; }

        /// <summary>Bytes held in the pool, ready for reuse.</summary>
        internal ulong PooledBytes { get; private set; }

        /// <summary>The size class of a request: powers of two from 512 bytes up to 1 MiB, then whole MiB.</summary>
        internal static ulong BlockSize(ulong bytes)
        {
            if (bytes <= 512) return 512;
            if (bytes <= 1UL << 20)
            {
                ulong s = 512;
                while (s < bytes) s <<= 1;
                return s;
            }
            const ulong mib = 1UL << 20;
            return (bytes + mib - 1) / mib * mib;
        }

        /// <summary>Queues a block for reuse; safe on any thread, including the finalizer (no CUDA call).</summary>
        internal void QueueRelease(ulong pointer, ulong bytes) => _released.Enqueue((pointer, bytes));

        /// <summary>Moves the queued blocks into the pool.</summary>
        internal void DrainReleased()
        {
            while (_released.TryDequeue(out var block))
            {
                if (!_free.TryGetValue(block.Bytes, out Stack<ulong>? stack)) _free[block.Bytes] = stack = new Stack<ulong>();
                stack.Push(block.Pointer);
                PooledBytes += block.Bytes;
            }
        }

        /// <summary>
        /// A block of <paramref name="blockBytes"/> (a <see cref="BlockSize"/> class): from the pool, or cuMemAlloc_v2; on
        /// CUDA_ERROR_OUT_OF_MEMORY the pool is trimmed and the allocation retried once, then <see cref="CudaOutOfMemoryException"/>.
        /// </summary>
        internal ulong Allocate(ulong blockBytes)
        {
            if (_free.TryGetValue(blockBytes, out Stack<ulong>? stack) && stack.Count > 0)
            {
                PooledBytes -= blockBytes;
                return stack.Pop();
            }
            CUresult r = _d.MemAlloc(blockBytes, out ulong p);
            if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY)
            {
                ulong released = Trim();
                r = _d.MemAlloc(blockBytes, out p);
                if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY)
                {
                    _d.MemGetInfo(out ulong free, out ulong total);
                    var (name, _) = _d.Describe(r);
                    throw new CudaOutOfMemoryException((int)r, name, $"cuMemAlloc_v2({blockBytes} bytes)",
                        $"cuMemAlloc_v2 could not allocate {Mib(blockBytes)} on {_context.Name}: {Mib(free)} free of {Mib(total)} " +
                        $"after releasing {Mib(released)} of cached blocks. Dispose tensors you no longer need, or use smaller shapes or batches.",
                        blockBytes, free, total);
                }
            }
            _context.Check(r, $"cuMemAlloc_v2({blockBytes} bytes)");
            DeviceAllocations++;
            _owned[p] = blockBytes;
            return p;
        }

        /// <summary>Frees every pooled block; returns the bytes released.</summary>
        private ulong Trim()
        {
            ulong released = 0;
            foreach (var entry in _free)
            {
                while (entry.Value.Count > 0)
                {
                    ulong p = entry.Value.Pop();
                    _d.MemFree(p);
                    _owned.Remove(p);
                    released += entry.Key;
                }
            }
            PooledBytes = 0;
            return released;
        }

        /// <summary>Frees every block the pool allocated, pooled or still held by tensors, and forgets the queued releases.</summary>
        internal void FreeAll()
        {
            while (_released.TryDequeue(out _))
            {
            }
            foreach (ulong p in _owned.Keys) _d.MemFree(p);
            _owned.Clear();
            _free.Clear();
            PooledBytes = 0;
        }

        private static string Mib(ulong bytes) => $"{bytes / (1024.0 * 1024.0):0.#} MiB";
    }
}
