using System;

namespace MsrGen.Runtime.Mediated;

/// <summary>The closed form of many identical exits: KVM adds to the guest counter wherever it lives.</summary>
public sealed partial class MediatedVpmu
{
    /// <summary>GP plus fixed counters of the guest.</summary>
    public int RepeatableCounterCount => _counter.Length + _fixedCounter.Length;

    /// <summary>The guest value of every counter (GP first, then fixed), read where it lives.</summary>
    public void ReadRepeatableCounters(Span<ulong> values)
    {
        for (int i = 0; i < _counter.Length; i++)
        {
            values[i] = ReadGuestCounterForKvm(i) & Guest.GpCounterMask;
        }

        for (int i = 0; i < _fixedCounter.Length; i++)
        {
            values[_counter.Length + i] = ReadFixedForKvm(i) & Guest.FixedCounterMask;
        }
    }

    public ulong RepeatableCounterMask(int index) => index < _counter.Length ? Guest.GpCounterMask : Guest.FixedCounterMask;

    /// <summary>A wrap would set a status bit that is already set and ask for no PMI.</summary>
    public bool RepeatableCounterWrapIsSilent(int index)
    {
        bool gp = index < _counter.Length;
        int bit = gp ? index : 32 + index - _counter.Length;
        bool wantsPmi = gp ? PmuEventSelect.WantsInterrupt(_eventselHw[index]) : PmuEventSelect.FixedWantsInterrupt(_fixedCtrlHw, index - _counter.Length);
        return (ReadGuestStatusForKvm() & (1UL << bit)) != 0 && !wantsPmi;
    }

    /// <summary>kvm_pmu_incr_counter() many times over, modulo each counter's width.</summary>
    public void AddToRepeatableCounters(ReadOnlySpan<ulong> deltas)
    {
        for (int i = 0; i < _counter.Length; i++)
        {
            if (deltas[i] != 0)
            {
                WriteGuestCounterForKvm(i, (ReadGuestCounterForKvm(i) + deltas[i]) & Guest.GpCounterMask);
            }
        }

        for (int i = 0; i < _fixedCounter.Length; i++)
        {
            if (deltas[_counter.Length + i] != 0)
            {
                WriteFixedForKvm(i, (ReadFixedForKvm(i) + deltas[_counter.Length + i]) & Guest.FixedCounterMask);
            }
        }
    }
}
