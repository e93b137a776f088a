using MsrGen.Registers;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Hardware;

/// <summary>
/// Hardware event encodings in event-select layout (event select 7:0, umask 15:8, AMD high event
/// nibble 35:32). The workload, the physical counters and perf all speak this one encoding.
/// </summary>
public static class HardwareEvent
{
    /// <summary>Bits of an event select that name the event (event, umask, AMD event[11:8]).</summary>
    public const ulong IdentityMask = 0xF_0000_FFFFUL;

    /// <summary>TOPDOWN.SLOTS (0xA4/0x01), counted by IA32_FIXED_CTR3.</summary>
    public const ulong TopdownSlots = 0x01A4;
    public const ulong TopdownRetiring = 0x02C2;
    public const ulong TopdownBadSpeculation = 0x0073;
    public const ulong TopdownFrontendBound = 0x019C;
    public const ulong TopdownBackendBound = 0x02A4;

    /// <summary>Marks a named event that the vendor does not define: it matches no counter.</summary>
    public const ulong Undefined = ulong.MaxValue;

    public static ulong Encode(EventSpec spec, CpuVendor vendor)
    {
        if (spec.IsRaw)
        {
            return spec.EventSelectBits;
        }

        if (vendor == CpuVendor.Amd)
        {
            return EventSpec.TryGetAmdEncoding(spec.Kind, out byte amd) ? amd : Undefined;
        }

        return EventSpec.TryGetIntelEncoding(spec.Kind, out byte select, out byte umask) ? ((ulong)umask << 8) | select : Undefined;
    }

    public static ulong Encode(EventKind kind, CpuVendor vendor) => Encode(EventSpec.Named(kind), vendor);

    /// <summary>The event an Intel fixed counter counts (SDM Vol. 3B 20.2.2; fixed 3 is TOPDOWN.SLOTS).</summary>
    public static ulong FixedCounterEvent(int index) => index switch
    {
        0 => 0x00C0,
        1 => 0x003C,
        2 => 0x013C,
        3 => TopdownSlots,
        _ => Undefined,
    };

    /// <summary>The fixed counter that counts <paramref name="encoding"/>, or -1.</summary>
    public static int FixedCounterFor(ulong encoding)
    {
        for (int i = 0; i < 4; i++)
        {
            if (FixedCounterEvent(i) == (encoding & IdentityMask))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The event an event-select value asks for.</summary>
    public static ulong FromEventSelect(ulong eventSelect, CpuVendor vendor) =>
        vendor == CpuVendor.Amd ? eventSelect & IdentityMask : eventSelect & 0xFFFFUL;
}
