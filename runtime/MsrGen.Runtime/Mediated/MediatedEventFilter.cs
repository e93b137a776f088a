using System.Collections.Generic;
using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated;

/// <summary>
/// A KVM PMU event filter (KVM_SET_PMU_EVENT_FILTER, non-masked form): an allow or deny list of
/// event selects (event and umask, plus event[11:8] on AMD) and a bitmap for the fixed counters.
/// The mediated vPMU enforces it through the enable bits of what it programs into hardware.
/// </summary>
public sealed class MediatedEventFilter
{
    private readonly HashSet<ulong> _events;

    public MediatedEventFilter(bool allow, IEnumerable<ulong> events, uint fixedCounterBitmap)
    {
        Allow = allow;
        _events = new HashSet<ulong>(events);
        FixedCounterBitmap = fixedCounterBitmap;
    }

    public bool Allow { get; }
    public uint FixedCounterBitmap { get; }

    /// <summary>Whether a GP counter programmed with <paramref name="eventSelect"/> may count.</summary>
    public bool AllowsGp(ulong eventSelect, CpuVendor vendor)
    {
        ulong identity = eventSelect & (vendor == CpuVendor.Amd ? PmuEventSelect.AmdIdentityMask : PmuEventSelect.IntelIdentityMask);
        bool listed = false;
        foreach (ulong e in _events)
        {
            if ((e & (vendor == CpuVendor.Amd ? PmuEventSelect.AmdIdentityMask : PmuEventSelect.IntelIdentityMask)) == identity)
            {
                listed = true;
                break;
            }
        }

        return listed == Allow;
    }

    /// <summary>KVM's is_fixed_event_allowed(): the bitmap alone decides for fixed counters.</summary>
    public bool AllowsFixed(int index)
    {
        bool set = (FixedCounterBitmap & (1u << index)) != 0;
        return Allow ? set : !set;
    }
}
