using System;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Legacy;

/// <summary>The closed form of many identical exits: counters advance through emulated_counter.</summary>
public sealed partial class LegacyVpmu : IRepeatableCounters
{
    public int RepeatableCounterCount => PmcTotal;

    public void ReadRepeatableCounters(Span<ulong> values)
    {
        for (int k = 0; k < PmcTotal; k++)
        {
            values[k] = CounterValue(PmcAt(k), priced: false);
        }
    }

    public ulong RepeatableCounterMask(int index) => MaskOf(PmcAt(index));

    /// <summary>__kvm_perf_overflow() would only set a status bit that is already set: no PMI, no PEBS.</summary>
    public bool RepeatableCounterWrapIsSilent(int index)
    {
        var pmc = PmcAt(index);
        ulong bit = 1UL << pmc.Idx;
        return (GlobalStatus & bit) != 0 && !pmc.Intr && (PebsEnable & bit) == 0;
    }

    /// <summary>
    /// kvm_pmu_incr_counter() adds to pmc->emulated_counter and requests a reprogram; the next
    /// reprogram_counter() folds it into pmc->counter. Adding the whole run's count here and letting
    /// the next real exit's reprogram fold it gives the value and overflow check one-by-one would.
    /// </summary>
    public void AddToRepeatableCounters(ReadOnlySpan<ulong> deltas)
    {
        for (int k = 0; k < PmcTotal; k++)
        {
            if (deltas[k] != 0)
            {
                var pmc = PmcAt(k);
                pmc.EmulatedCounter = (pmc.EmulatedCounter + deltas[k]) & MaskOf(pmc);
            }
        }
    }
}
