using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MsrGen.Analyzers.Model;

/// <summary>The reserved mask of a register instance under stated capabilities, as the generated ReservedMask computes it.</summary>
internal static class ReservedBits
{
    /// <summary>
    /// Bits certainly reserved: a condition, bound or width that the stated capabilities cannot
    /// decide counts as "the bits exist", so an unknown never produces a warning.
    /// </summary>
    public static ulong Mask(RegisterInfo register, StatedCaps caps, long index)
    {
        ulong reserved = register.StaticReserved;
        foreach (var bits in register.ConditionalBits)
        {
            long? present = bits.Condition?.Evaluate(caps.Lookup, null, index) ?? 1;
            if (bits.ElementStride == 0 || bits.ElementCount == 0)
            {
                if (present == 0)
                {
                    reserved |= bits.Mask;
                }

                continue;
            }

            long? bound = bits.ElementBound is null ? bits.ElementCount : bits.ElementBound.Evaluate(caps.Lookup, null, index);
            for (int k = 0; k < bits.ElementCount; k++)
            {
                int shift = k * bits.ElementStride;
                if (shift >= 64)
                {
                    break;
                }

                if (present == 0 || (bound is not null && k >= bound))
                {
                    reserved |= bits.Mask << shift;
                }
            }
        }

        foreach (var width in register.VariableWidths)
        {
            long? value = width.Width?.Evaluate(caps.Lookup, null, index);
            if (value is null)
            {
                continue;
            }

            long top = width.Lsb + value.Value;
            ulong kept = top >= 64 ? ulong.MaxValue : top <= 0 ? 0 : (1UL << (int)top) - 1;
            reserved |= width.Mask & ~kept;
        }

        return reserved;
    }

    /// <summary>Bit ranges in SDM style, highest first: "bits 63:49, 35 and 33:32" / "bit 5".</summary>
    public static string Describe(ulong bits)
    {
        var ranges = new List<string>();
        int count = 0;
        int bit = 63;
        while (bit >= 0)
        {
            if ((bits & (1UL << bit)) == 0)
            {
                bit--;
                continue;
            }

            int high = bit;
            while (bit >= 0 && (bits & (1UL << bit)) != 0)
            {
                bit--;
            }

            int low = bit + 1;
            count += high - low + 1;
            ranges.Add(high == low
                ? high.ToString(CultureInfo.InvariantCulture)
                : high.ToString(CultureInfo.InvariantCulture) + ":" + low.ToString(CultureInfo.InvariantCulture));
        }

        var sb = new StringBuilder(count == 1 ? "bit " : "bits ");
        for (int i = 0; i < ranges.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(i == ranges.Count - 1 ? " and " : ", ");
            }

            sb.Append(ranges[i]);
        }

        return sb.ToString();
    }
}
