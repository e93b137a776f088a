using System;
using System.Runtime.CompilerServices;

namespace MsrGen.Registers;

/// <summary>
/// The VMX MSR bitmap (Intel SDM Vol. 3, "VM-Execution Controls", MSR-bitmap address): one 4 KiB page
/// of four 1 KiB bitmaps: read-low (0x0000_0000-0x0000_1FFF), read-high (0xC000_0000-0xC000_1FFF),
/// write-low, write-high. A set bit makes the access exit; MSRs outside both ranges always exit.
/// </summary>
public sealed class VmxMsrBitmap
{
    public const int Size = 4096;
    private const uint LowBase = 0x0000_0000, HighBase = 0xC000_0000, RangeLength = 0x2000;
    private const int ReadLowOffset = 0, ReadHighOffset = 1024, WriteLowOffset = 2048, WriteHighOffset = 3072;

    private readonly byte[] _bytes = new byte[Size];

    /// <summary>A bitmap that intercepts every access (what a vCPU starts from).</summary>
    public VmxMsrBitmap() => _bytes.AsSpan().Fill(0xFF);

    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Byte offset and bit of <paramref name="address"/> in the read or write bitmap; false when out of range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryLocate(uint address, bool write, out int byteOffset, out int bit)
    {
        int baseOffset;
        uint delta;
        if (address - LowBase < RangeLength)
        {
            baseOffset = write ? WriteLowOffset : ReadLowOffset;
            delta = address - LowBase;
        }
        else if (address - HighBase < RangeLength)
        {
            baseOffset = write ? WriteHighOffset : ReadHighOffset;
            delta = address - HighBase;
        }
        else
        {
            byteOffset = -1;
            bit = -1;
            return false;
        }

        byteOffset = baseOffset + (int)(delta >> 3);
        bit = (int)(delta & 7);
        return true;
    }

    /// <summary>Whether the guest's access exits (always for an MSR outside both ranges).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Intercepts(uint address, bool write)
    {
        // Same layout as TryLocate, written so that it inlines into a caller's loop: the high bitmaps
        // sit 1 KiB after their low ones, and the bit is read with a shift rather than through a
        // second bool conversion.
        uint delta = address - LowBase;
        int offset = write ? WriteLowOffset : ReadLowOffset;
        if (delta >= RangeLength)
        {
            delta = address - HighBase;
            if (delta >= RangeLength)
            {
                return true;
            }

            offset += ReadHighOffset - ReadLowOffset;
        }

        return ((_bytes[offset + (int)(delta >> 3)] >> (int)(delta & 7)) & 1) != 0;
    }

    /// <summary>Sets the exit policy of one MSR; false (and no change) when it lies outside the bitmap.</summary>
    public bool Set(uint address, MsrIntercept intercept)
    {
        if (!TryLocate(address, write: false, out int readOffset, out int bit) ||
            !TryLocate(address, write: true, out int writeOffset, out _))
        {
            return false;
        }

        Apply(readOffset, bit, (intercept & MsrIntercept.Read) != 0);
        Apply(writeOffset, bit, (intercept & MsrIntercept.Write) != 0);
        return true;
    }

    private void Apply(int offset, int bit, bool intercept)
    {
        if (intercept)
        {
            _bytes[offset] |= (byte)(1 << bit);
        }
        else
        {
            _bytes[offset] &= (byte)~(1 << bit);
        }
    }
}

/// <summary>
/// The SVM MSR permission map (AMD APM Vol. 2, "MSR Intercepts"): 8 KiB, two bits per MSR
/// (even bit read, odd bit write) in three 2 KiB vectors for 0x0000_0000-0x0000_1FFF,
/// 0xC000_0000-0xC000_1FFF and 0xC001_0000-0xC001_1FFF; the last 2 KiB are reserved.
/// MSRs outside the three ranges always exit.
/// </summary>
public sealed class SvmMsrPermissionMap
{
    public const int Size = 8192;
    private static readonly uint[] RangeBases = { 0x0000_0000, 0xC000_0000, 0xC001_0000 };
    private const uint RangeLength = 0x2000;
    private const int VectorBytes = 2048;

    private readonly byte[] _bytes = new byte[Size];

    public SvmMsrPermissionMap() => _bytes.AsSpan(0, 3 * VectorBytes).Fill(0xFF);

    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Byte offset and the read bit (the write bit is the next one); false when out of range.</summary>
    public static bool TryLocate(uint address, out int byteOffset, out int readBit)
    {
        for (int i = 0; i < RangeBases.Length; i++)
        {
            uint delta = address - RangeBases[i];
            if (delta < RangeLength)
            {
                uint bitIndex = delta * 2;
                byteOffset = i * VectorBytes + (int)(bitIndex >> 3);
                readBit = (int)(bitIndex & 7);
                return true;
            }
        }

        byteOffset = -1;
        readBit = -1;
        return false;
    }

    public bool Intercepts(uint address, bool write)
    {
        if (!TryLocate(address, out int offset, out int bit))
        {
            return true;
        }

        return (_bytes[offset] & (1 << (bit + (write ? 1 : 0)))) != 0;
    }

    public bool Set(uint address, MsrIntercept intercept)
    {
        if (!TryLocate(address, out int offset, out int bit))
        {
            return false;
        }

        int cleared = _bytes[offset] & ~(3 << bit);
        int bits = ((intercept & MsrIntercept.Read) != 0 ? 1 : 0) | ((intercept & MsrIntercept.Write) != 0 ? 2 : 0);
        _bytes[offset] = (byte)(cleared | (bits << bit));
        return true;
    }
}
