using System;
using System.Collections.Generic;
using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated;

/// <summary>
/// A KVM PMU event filter as the mediated vPMU sees it: which GP event selects and which fixed
/// counters may count. The mediated vPMU enforces it through the enable bits of what it
/// programs into hardware. Built from a plain allow/deny list (KVM_SET_PMU_EVENT_FILTER,
/// non-masked form) or from predicates (the runtime's full filter, masked entries included).
/// </summary>
public sealed class MediatedEventFilter
{
    private readonly Func<ulong, bool> _gp;
    private readonly Func<int, bool> _fixed;

    public MediatedEventFilter(bool allow, IEnumerable<ulong> events, uint fixedCounterBitmap)
    {
        var list = new List<ulong>(events);
        _gp = sel =>
        {
            bool listed = false;
            foreach (ulong e in list)
            {
                if ((e & PmuEventSelect.AmdIdentityMask) == (sel & PmuEventSelect.AmdIdentityMask))
                {
                    listed = true;
                    break;
                }
            }

            return listed == allow;
        };

        // KVM's is_fixed_event_allowed(): the bitmap alone decides for fixed counters.
        _fixed = i => ((fixedCounterBitmap & (1u << i)) != 0) == allow;
    }

    private MediatedEventFilter(Func<ulong, bool> gp, Func<int, bool> fixedCounter)
    {
        _gp = gp;
        _fixed = fixedCounter;
    }

    public static MediatedEventFilter FromPredicates(Func<ulong, bool> gpAllowed, Func<int, bool> fixedAllowed) => new(gpAllowed, fixedAllowed);

    /// <summary>Whether a GP counter programmed with <paramref name="eventSelect"/> may count.</summary>
    public bool AllowsGp(ulong eventSelect, CpuVendor vendor) =>
        _gp(eventSelect & (vendor == CpuVendor.Amd ? PmuEventSelect.AmdIdentityMask : PmuEventSelect.IntelIdentityMask));

    public bool AllowsFixed(int index) => _fixed(index);
}
