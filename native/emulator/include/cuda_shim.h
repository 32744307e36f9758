// cuda_shim.h: the small CUDA-C++ subset native/kernels/*.cu use, for compiling the kernels as host
// C++17 (g++, -ffp-contract=off) inside the InitCore emulated device. Included before each kernel
// source by the generated translation unit (cmake/kernel_to_cpp.cmake).
//
// One launch runs at a time in the process (launches from several host threads take turns), block
// after block, so threadIdx/blockIdx/blockDim/gridDim are plain variables the block scheduler sets
// before it resumes a CUDA thread (each CUDA thread of a block is a fiber), and __shared__ variables
// are function statics, which is per block because blocks run one after another;
// __syncthreads() is a real barrier: the calling fiber yields to the scheduler, which resumes it
// only after every other live thread of the block has reached the barrier too (or exited).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstddef>

namespace initcore_emu {

struct dim3 {
    unsigned int x, y, z;
};

// Set by the block scheduler (src/runtime.cpp) under the launch lock.
extern dim3 t_threadIdx, t_blockIdx, t_blockDim, t_gridDim;

// The block's dynamic shared memory (cuLaunchKernel's sharedMemBytes).
void* dynamic_shared();

// Yield to the block scheduler until every live thread of the block has arrived.
void syncthreads();

} // namespace initcore_emu

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

#define threadIdx (initcore_emu::t_threadIdx)
#define blockIdx (initcore_emu::t_blockIdx)
#define blockDim (initcore_emu::t_blockDim)
#define gridDim (initcore_emu::t_gridDim)

inline void __syncthreads() { initcore_emu::syncthreads(); }

struct uint4 { uint32_t x, y, z, w; };
struct alignas(16) float4 { float x, y, z, w; };
inline uint4 make_uint4(uint32_t x, uint32_t y, uint32_t z, uint32_t w) { return uint4{x, y, z, w}; }
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

// Conversions and bit casts: the host's default rounding mode is round-to-nearest-even (PTX .rn).
inline float __uint2float_rn(uint32_t x) { return (float)x; }
inline float __int2float_rn(int x) { return (float)x; }
inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline uint32_t __umulhi(uint32_t a, uint32_t b) { return (uint32_t)(((uint64_t)a * b) >> 32); }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }

// sqrtf, fabsf, fmaxf, sqrt, exp, log: the C library's (sqrtf is IEEE-rounded, like PTX sqrt.rn).

// Atomics: one launch runs at a time, block after block, and fibers switch only at __syncthreads, so
// plain read-modify-writes would do; these are real atomics anyway (cheap, and safe if that changes).
template <typename T>
inline T atomicAdd(T* address, T value)
{
    return __atomic_fetch_add(address, value, __ATOMIC_RELAXED);
}
inline float atomicAdd(float* address, float value)
{
    uint32_t* p = reinterpret_cast<uint32_t*>(address);
    uint32_t old = __atomic_load_n(p, __ATOMIC_RELAXED), desired;
    do {
        float f; std::memcpy(&f, &old, 4);
        f = f + value;
        std::memcpy(&desired, &f, 4);
    } while (!__atomic_compare_exchange_n(p, &old, desired, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return __int_as_float((int)old);
}
inline double atomicAdd(double* address, double value)
{
    uint64_t* p = reinterpret_cast<uint64_t*>(address);
    uint64_t old = __atomic_load_n(p, __ATOMIC_RELAXED), desired;
    do {
        double d; std::memcpy(&d, &old, 8);
        d = d + value;
        std::memcpy(&desired, &d, 8);
    } while (!__atomic_compare_exchange_n(p, &old, desired, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    double r; std::memcpy(&r, &old, 8);
    return r;
}
template <typename T>
inline T atomicMax(T* address, T value)
{
    T old = __atomic_load_n(address, __ATOMIC_RELAXED);
    while (old < value && !__atomic_compare_exchange_n(address, &old, value, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    return old;
}
template <typename T>
inline T atomicMin(T* address, T value)
{
    T old = __atomic_load_n(address, __ATOMIC_RELAXED);
    while (old > value && !__atomic_compare_exchange_n(address, &old, value, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    return old;
}
template <typename T>
inline T atomicExch(T* address, T value) { return __atomic_exchange_n(address, value, __ATOMIC_RELAXED); }
template <typename T>
inline T atomicCAS(T* address, T compare, T value)
{
    __atomic_compare_exchange_n(address, &compare, value, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return compare;
}
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

#include "kernel_registry.h"
