using InitCore.Backends.Cpu;

namespace InitCore.Tests.Support
{
    /// <summary>The documented element mapping, one element at a time: Philox block, lane, then the scalar formula.</summary>
    internal static class ScalarSpec
    {
        internal static float Element(FillSpec spec, ulong seed, ulong stream, ulong start, long i)
        {
            ulong block = start + (ulong)(i / 4);
            Philox4x32.Block((uint)block, (uint)(block >> 32), (uint)stream, (uint)(stream >> 32), (uint)seed, (uint)(seed >> 32),
                out uint w0, out uint w1, out uint w2, out uint w3);
            uint[] w = { w0, w1, w2, w3 };
            int lane = (int)(i % 4);
            switch (spec.Kind)
            {
                case FillKind.Uniform: return PhiloxFill.UniformValue(spec, w[lane]);
                case FillKind.Normal:
                    int pair = lane / 2 * 2;
                    PhiloxFill.NormalPair(spec, w[pair], w[pair + 1], out float first, out float second);
                    return lane % 2 == 0 ? first : second;
                default: return PhiloxFill.TruncatedValue(spec, w[lane]);
            }
        }

        internal static int UlpDistance(float a, float b)
        {
            int ia = System.BitConverter.SingleToInt32Bits(a), ib = System.BitConverter.SingleToInt32Bits(b);
            if (ia < 0) ia = int.MinValue - ia;
            if (ib < 0) ib = int.MinValue - ib;
            return System.Math.Abs(ia - ib);
        }
    }
}
