"""Timing shared by the PyTorch sides of the benchmarks (imported from the script's own folder)."""
import time


def best_seconds(fn, reps, warmups=1):
    """Best and median seconds of `reps` runs of fn after `warmups` warm-up runs (page faults, kernel loading, threads)."""
    for _ in range(warmups):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[0], times[len(times) // 2]
