using System.Collections.Generic;
using System.Linq;
using MsrGen.Registers;
using MsrGen.Runtime.HostPerf;

namespace MsrGen.Runtime.Kvm;

public enum PmuFilterAction : byte
{
    Allow = 0,
    Deny = 1,
}

/// <summary>
/// KVM_SET_PMU_EVENT_FILTER (arch/x86/include/uapi/asm/kvm.h; arch/x86/kvm/pmu.c, check_pmu_event_filter()): include/exclude entries keyed
/// on the event select with a umask mask/match (plain entries become exact-umask entries), and a
/// fixed-counter bitmap. GP events are allowed when (an include matches and no exclude matches)
/// for ALLOW, or when that is false for DENY.
/// </summary>
public sealed class PmuEventFilter
{
    /// <summary>KVM_PMU_EVENT_FILTER_MAX_EVENTS.</summary>
    public const int MaxEvents = 300;

    private const ulong MaskedEventLow = 0xFF, MaskedMatch = 0xFF00, MaskedEventHigh = 0xF_0000_0000, MaskedExclude = 1UL << 55, MaskedMask = 0xFFUL << 56;
    private const ulong MaskedValid = MaskedEventLow | MaskedMatch | MaskedEventHigh | MaskedExclude | MaskedMask;

    private readonly (ulong Event, byte Mask, byte Match, bool Exclude)[] _entries;

    private PmuEventFilter(PmuFilterAction action, (ulong, byte, byte, bool)[] entries, ulong fixedBitmap, bool masked)
    {
        Action = action;
        _entries = entries;
        FixedCounterBitmap = fixedBitmap;
        Masked = masked;
    }

    public PmuFilterAction Action { get; }
    public ulong FixedCounterBitmap { get; }
    public bool Masked { get; }
    public int Count => _entries.Length;

    /// <summary>Validates and builds a filter as the ioctl would (E2BIG over 300 entries, EINVAL on bad masked entries).</summary>
    public static PerfError TryCreate(PmuFilterAction action, IReadOnlyList<ulong> events, ulong fixedBitmap, bool masked, CpuVendor vendor, out PmuEventFilter? filter)
    {
        filter = null;
        if (events.Count > MaxEvents)
        {
            return PerfError.E2big;
        }

        var entries = new List<(ulong, byte, byte, bool)>();
        foreach (ulong raw in events)
        {
            if (masked)
            {
                if ((raw & ~MaskedValid) != 0)
                {
                    return PerfError.Einval;
                }

                ulong select = (raw & MaskedEventLow) | ((raw & MaskedEventHigh) >> 24);
                entries.Add((select, (byte)(raw >> 56), (byte)(raw >> 8), (raw & MaskedExclude) != 0));
                continue;
            }

            // Plain entries with bits outside event select and umask can never match: KVM drops them.
            ulong allowed = 0xFFFF | (vendor == CpuVendor.Amd ? MaskedEventHigh : 0);
            if ((raw & ~allowed) != 0)
            {
                continue;
            }

            ulong plainSelect = (raw & 0xFF) | ((raw & MaskedEventHigh) >> 24);
            entries.Add((plainSelect, 0xFF, (byte)(raw >> 8), false));
        }

        filter = new PmuEventFilter(action, entries.ToArray(), fixedBitmap, masked);
        return PerfError.None;
    }

    /// <summary>Whether a GP counter programmed with <paramref name="eventSelect"/> may count.</summary>
    public bool AllowsGp(ulong eventSelect, CpuVendor vendor)
    {
        ulong select = (eventSelect & 0xFF) | (vendor == CpuVendor.Amd ? ((eventSelect >> 32) & 0xF) << 8 : 0);
        byte umask = (byte)(eventSelect >> 8);
        bool included = _entries.Any(e => !e.Exclude && e.Event == select && (umask & e.Mask) == e.Match);
        bool excluded = _entries.Any(e => e.Exclude && e.Event == select && (umask & e.Mask) == e.Match);
        bool hit = included && !excluded;
        return Action == PmuFilterAction.Allow ? hit : !hit;
    }

    /// <summary>Fixed counters follow the bitmap only.</summary>
    public bool AllowsFixed(int index)
    {
        bool inBitmap = index < 64 && (FixedCounterBitmap & (1UL << index)) != 0;
        return Action == PmuFilterAction.Allow ? inBitmap : !inBitmap;
    }
}
