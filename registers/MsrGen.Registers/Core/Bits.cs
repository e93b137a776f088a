using System.Runtime.CompilerServices;
using System.Text;

namespace MsrGen.Registers;

/// <summary>Bit-field primitives the generated accessors are written in terms of.</summary>
public static class Bits
{
    /// <summary>A mask of <paramref name="width"/> ones starting at bit <paramref name="lsb"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mask(int lsb, int width) =>
        width >= 64 ? ulong.MaxValue << lsb : ((1UL << width) - 1) << lsb;

    /// <summary>GENMASK(high, low) for 0 &lt;= low &lt;= high &lt;= 63; empty when high &lt; low.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Range(int high, int low) =>
        high < low ? 0 : (ulong.MaxValue >> (63 - high)) & (ulong.MaxValue << low);

    /// <summary>The low <paramref name="count"/> bits set (count may be 0 or 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LowOnes(int count) =>
        count <= 0 ? 0 : count >= 64 ? ulong.MaxValue : (1UL << count) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Get(ulong value, int lsb, int width) => (value >> lsb) & LowOnes(width);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Set(ulong value, int lsb, int width, ulong field)
    {
        ulong mask = Mask(lsb, width);
        return (value & ~mask) | ((field << lsb) & mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Test(ulong value, int bit) => ((value >> bit) & 1) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SetBit(ulong value, int bit, bool on) =>
        on ? value | (1UL << bit) : value & ~(1UL << bit);

    /// <summary>
    /// Element <paramref name="index"/> of a field array (element k at bit lsb + k·stride, width bits
    /// each, count elements); zero for an index outside the array. The index check is one compare and
    /// branch that, for in-range indices, always goes the same way; a branch-free mask was measured no
    /// faster (docs/performance.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong GetElement(ulong value, int index, int count, int lsb, int stride, int width) =>
        (uint)index < (uint)count ? (value >> (lsb + index * stride)) & LowOnes(width) : 0;

    /// <summary>Whether 1-bit element <paramref name="index"/> of a field array is set; false outside the array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TestElement(ulong value, int index, int count, int lsb, int stride) =>
        (uint)index < (uint)count && ((value >> (lsb + index * stride)) & 1) != 0;

    /// <summary>
    /// <paramref name="value"/> with element <paramref name="index"/> of a field array replaced by the low
    /// bits of <paramref name="field"/>; unchanged for an index outside the array.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SetElement(ulong value, int index, int count, int lsb, int stride, int width, ulong field) =>
        (uint)index < (uint)count ? Set(value, lsb + index * stride, width, field) : value;

    /// <summary><paramref name="value"/> with 1-bit element <paramref name="index"/> set or cleared; unchanged outside the array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SetElementBit(ulong value, int index, int count, int lsb, int stride, bool on) =>
        (uint)index < (uint)count ? SetBit(value, lsb + index * stride, on) : value;

    /// <summary>
    /// <paramref name="elementMask"/> placed at elements <paramref name="from"/> (inclusive) to
    /// <paramref name="to"/> (exclusive) of a field array whose element k starts at bit lsb + k·stride;
    /// elements starting at bit 64 or above contribute nothing. Generated reserved masks and reset values
    /// use it for the elements a vCPU does not have.
    /// </summary>
    public static ulong Repeat(ulong elementMask, int lsb, int stride, int from, int to)
    {
        ulong result = 0;
        for (int k = from; k < to; k++)
        {
            int shift = lsb + k * stride;
            if (shift >= 64)
            {
                break;
            }

            result |= elementMask << shift;
        }

        return result;
    }

    /// <summary>"bits 63:49, 33" style list of the set bits, high to low, runs collapsed.</summary>
    public static string Describe(ulong bits)
    {
        if (bits == 0)
        {
            return "none";
        }

        var sb = new StringBuilder("bit");
        bool plural = false;
        bool first = true;
        int bit = 63;
        while (bit >= 0)
        {
            if (!Test(bits, bit))
            {
                bit--;
                continue;
            }

            int high = bit;
            while (bit > 0 && Test(bits, bit - 1))
            {
                bit--;
            }

            sb.Append(first ? " " : ", ");
            sb.Append(high == bit ? high.ToString(System.Globalization.CultureInfo.InvariantCulture)
                                  : $"{high}:{bit}");
            plural |= !first || high != bit;
            first = false;
            bit--;
        }

        return plural ? "bits" + sb.ToString(3, sb.Length - 3) : sb.ToString();
    }
}
