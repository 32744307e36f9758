namespace InitCore.Data
{
    /// <summary>The element type codes of the IDX format (the third byte of the magic number).</summary>
    /// <remarks>Multi-byte elements are stored big-endian, as are the header's dimension sizes.</remarks>
    public enum IdxElementType : byte
    {
        /// <summary>0x08: unsigned byte (MNIST images and labels).</summary>
        UnsignedByte = 0x08,
        /// <summary>0x09: signed byte.</summary>
        SignedByte = 0x09,
        /// <summary>0x0B: 16-bit signed integer.</summary>
        Int16 = 0x0B,
        /// <summary>0x0C: 32-bit signed integer.</summary>
        Int32 = 0x0C,
        /// <summary>0x0D: 32-bit IEEE float.</summary>
        Single = 0x0D,
        /// <summary>0x0E: 64-bit IEEE float.</summary>
        Double = 0x0E,
    }

    internal static class IdxElementTypes
    {
        /// <summary>Bytes per element, or 0 for a code IDX does not define.</summary>
        internal static int Size(IdxElementType type) => type switch
        {
            IdxElementType.UnsignedByte or IdxElementType.SignedByte => 1,
            IdxElementType.Int16 => 2,
            IdxElementType.Int32 or IdxElementType.Single => 4,
            IdxElementType.Double => 8,
            _ => 0,
        };

        internal static string Describe(IdxElementType type) => type switch
        {
            IdxElementType.UnsignedByte => "unsigned bytes",
            IdxElementType.SignedByte => "signed bytes",
            IdxElementType.Int16 => "int16 values",
            IdxElementType.Int32 => "int32 values",
            IdxElementType.Single => "float32 values",
            IdxElementType.Double => "float64 values",
            _ => $"elements of unknown type 0x{(byte)type:X2}",
        };

        internal const string Known = "0x08 (unsigned byte), 0x09 (signed byte), 0x0B (int16), 0x0C (int32), 0x0D (float32), 0x0E (float64)";
    }
}
