// common.cuh: device twins of the CPU backend's Philox block and float32 math
// (src/InitCore/Random/Philox4x32.cs, src/InitCore/Backends/Cpu/RandomMath.cs, PhiloxFill.cs).
//
// Every function performs the same IEEE float32 operations in the same order as its C# twin. The
// kernels are compiled with -fmad=false (no contraction into FMA) and IEEE-rounded division and
// square root, so a fill produces the same bits as the CPU backend.
#pragma once
#include <stdint.h>

namespace initcore {

// Random123 constants.
#define INITCORE_PHILOX_M0 0xD2511F53u
#define INITCORE_PHILOX_M1 0xCD9E8D57u
#define INITCORE_PHILOX_W0 0x9E3779B9u
#define INITCORE_PHILOX_W1 0xBB67AE85u

__device__ __forceinline__ uint4 philox4x32_10(uint4 c, uint32_t k0, uint32_t k1)
{
#pragma unroll
    for (int round = 0; round < 10; ++round) {
        if (round > 0) { k0 += INITCORE_PHILOX_W0; k1 += INITCORE_PHILOX_W1; }
        const uint32_t hi0 = __umulhi(INITCORE_PHILOX_M0, c.x), lo0 = INITCORE_PHILOX_M0 * c.x;
        const uint32_t hi1 = __umulhi(INITCORE_PHILOX_M1, c.z), lo1 = INITCORE_PHILOX_M1 * c.z;
        c = make_uint4(hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0);
    }
    return c;
}

// u = (x >> 8)·2^-24 in [0, 1 − 2^-24]
__device__ __forceinline__ float uniform24(uint32_t x) { return __uint2float_rn(x >> 8) * (1.0f / 16777216.0f); }

// u = float(x & 0x7FFFFFFF)·2^-31 + 2^-32 in (0, 1]
__device__ __forceinline__ float uniform_open31(uint32_t x)
{
    return __int2float_rn((int)(x & 0x7FFFFFFFu)) * (1.0f / 2147483648.0f) + (1.0f / 4294967296.0f);
}

// Cephes logf on positive normal floats (twin of RandomMath.Log).
__device__ __forceinline__ float log_cephes(float x)
{
    const int bits = __float_as_int(x);
    float e = __int2float_rn(bits & 0x7F800000) * (1.0f / 8388608.0f) - 126.0f;
    float m = __int_as_float((bits & 0x007FFFFF) | 0x3F000000);
    if (m < 0.707106781186547524f) { e = e - 1.0f; m = m + m; }
    m = m - 1.0f;
    const float z = m * m;
    float p = 7.0376836292E-2f;
    p = p * m + -1.1514610310E-1f;
    p = p * m + 1.1676998740E-1f;
    p = p * m + -1.2420140846E-1f;
    p = p * m + 1.4249322787E-1f;
    p = p * m + -1.6668057665E-1f;
    p = p * m + 2.0000714765E-1f;
    p = p * m + -2.4999993993E-1f;
    p = p * m + 3.3333331174E-1f;
    float y = p * m * z;
    y = y + -2.12194440e-4f * e;
    y = y + -0.5f * z;
    const float r = m + y;
    return r + 0.693359375f * e;
}

// cos(2πu), sin(2πu) for u in [0, 1] (twin of RandomMath.SinCos2Pi).
__device__ __forceinline__ void sincos_2pi(float u, float* s_out, float* c_out)
{
    const int q = (int)(u * 4.0f + 0.5f);
    const float r = u - __int2float_rn(q) * 0.25f;
    const float t = r * 6.28318530717958647692f;
    const float z = t * t;
    float s = -1.9515295891E-4f * z + 8.3321608736E-3f;
    s = s * z + -1.6666654611E-1f;
    s = s * z * t + t;
    float c = 2.443315711809948E-5f * z + -1.388731625493765E-3f;
    c = c * z + 4.166664568298827E-2f;
    c = c * z * z + -0.5f * z;
    c = c + 1.0f;
    const bool swap = (q & 1) != 0;
    const float cs = swap ? s : c;
    const float sn = swap ? c : s;
    *c_out = ((q + 1) & 2) != 0 ? -cs : cs;
    *s_out = (q & 2) != 0 ? -sn : sn;
}

// Giles' single-precision erfinv (twin of RandomMath.ErfInv); ±inf at ±1.
__device__ __forceinline__ float erfinv_giles(float t)
{
    if (!(t > -1.0f && t < 1.0f)) return t >= 1.0f ? __int_as_float(0x7F800000) : __int_as_float(0xFF800000);
    const float w = -log_cephes((1.0f - t) * (1.0f + t));
    float p;
    if (w < 5.0f) {
        const float v = w - 2.5f;
        p = 2.81022636e-08f;
        p = 3.43273939e-07f + p * v;
        p = -3.5233877e-06f + p * v;
        p = -4.39150654e-06f + p * v;
        p = 0.00021858087f + p * v;
        p = -0.00125372503f + p * v;
        p = -0.00417768164f + p * v;
        p = 0.246640727f + p * v;
        p = 1.50140941f + p * v;
    } else {
        const float v = sqrtf(w) - 3.0f;
        p = -0.000200214257f;
        p = 0.000100950558f + p * v;
        p = 0.00134934322f + p * v;
        p = -0.00367342844f + p * v;
        p = 0.00573950773f + p * v;
        p = -0.0076224613f + p * v;
        p = 0.00943887047f + p * v;
        p = 1.00167406f + p * v;
        p = 2.83297682f + p * v;
    }
    return p * t;
}

} // namespace initcore
