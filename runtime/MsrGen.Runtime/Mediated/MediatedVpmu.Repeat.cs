using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated;

/// <summary>The closed form of many identical exits: KVM adds to the guest counter wherever it lives.</summary>
public sealed partial class MediatedVpmu
{
    /// <summary>GP plus fixed counters of the guest.</summary>
    public int RepeatableCounterCount => _counter.Length + _fixedCounter.Length;

    /// <summary>The guest value of every counter (GP first, then fixed), read where it lives.</summary>
    public void ReadRepeatableCounters(Span<ulong> values)
    {
        // Straight from the register file or the hardware, past PmuAccess: a look, not an operation of the switch.
        for (int i = 0; i < _counter.Length; i++)
        {
            values[i] = (GpResident(i) && _hw.Hardware.TryRdpmc((uint)i, out ulong v) ? v : _counter[i]) & Guest.GpCounterMask;
        }

        for (int i = 0; i < _fixedCounter.Length; i++)
        {
            values[_counter.Length + i] = (FixedResident(i) && _hw.Hardware.TryRdpmc(FixedRdpmc(i), out ulong v) ? v : _fixedCounter[i]) & Guest.FixedCounterMask;
        }
    }

    public ulong RepeatableCounterMask(int index) => index < _counter.Length ? Guest.GpCounterMask : Guest.FixedCounterMask;

    /// <summary>No closed form while the world switch's accesses are being traced in order.</summary>
    public bool CanRepeat => _hw.Trace is null;

    /// <summary>Loads, puts, PMIs and the physical operations the switch counts itself.</summary>
    public int RepeatableStatisticCount => 9;

    public void ReadRepeatableStatistics(Span<long> values)
    {
        var ops = _hw.Counts;
        values[0] = Loads;
        values[1] = Puts;
        values[2] = MediatedPmisReceived;
        values[3] = PmisInjected;
        values[4] = ops.Rdmsr;
        values[5] = ops.Wrmsr;
        values[6] = ops.Rdpmc;
        values[7] = ops.LvtpcWrites;
        values[8] = ops.VmcsGlobalCtrl;
    }

    public void AddRepeatableStatistics(ReadOnlySpan<long> perStep, ulong times)
    {
        Loads = Repeated(Loads, perStep[0], times);
        Puts = Repeated(Puts, perStep[1], times);
        MediatedPmisReceived = Repeated(MediatedPmisReceived, perStep[2], times);
        PmisInjected = Repeated(PmisInjected, perStep[3], times);
        _hw.AddRepeated(new PmuOpCounts(perStep[4], perStep[5], perStep[6], perStep[7], perStep[8]), times);
    }

    /// <summary>value + step × times, saturating at long.MaxValue.</summary>
    internal static long Repeated(long value, long step, ulong times)
    {
        if (step <= 0 || times == 0)
        {
            return value;
        }

        UInt128 sum = (UInt128)(ulong)value + (UInt128)(ulong)step * times;
        return sum > long.MaxValue ? long.MaxValue : (long)sum;
    }

    /// <summary>A wrap would set a status bit that is already set and ask for no PMI.</summary>
    public bool RepeatableCounterWrapIsSilent(int index)
    {
        bool gp = index < _counter.Length;
        int bit = gp ? index : 32 + index - _counter.Length;
        bool wantsPmi = gp ? PmuEventSelect.WantsInterrupt(_eventselHw[index]) : PmuEventSelect.FixedWantsInterrupt(_fixedCtrlHw, index - _counter.Length);
        ulong status = _statusResident ? _hw.Hardware.ReadMsr(GlobalStatusAddress) : _globalStatus;
        return (status & (1UL << bit)) != 0 && !wantsPmi;
    }

    /// <summary>kvm_pmu_incr_counter() many times over, modulo each counter's width.</summary>
    public void AddToRepeatableCounters(ReadOnlySpan<ulong> deltas)
    {
        Span<ulong> now = stackalloc ulong[RepeatableCounterCount];
        ReadRepeatableCounters(now);
        for (int i = 0; i < _counter.Length; i++)
        {
            if (deltas[i] != 0)
            {
                _counter[i] = (now[i] + deltas[i]) & Guest.GpCounterMask;
                if (GpResident(i))
                {
                    _hw.Hardware.WriteMsr(CounterAddress(i), _counter[i]);
                }
            }
        }

        for (int i = 0; i < _fixedCounter.Length; i++)
        {
            int k = _counter.Length + i;
            if (deltas[k] != 0)
            {
                _fixedCounter[i] = (now[k] + deltas[k]) & Guest.FixedCounterMask;
                if (FixedResident(i))
                {
                    _hw.Hardware.WriteMsr(Ia32FixedCtr.AddressOf(i), _fixedCounter[i]);
                }
            }
        }
    }
}
