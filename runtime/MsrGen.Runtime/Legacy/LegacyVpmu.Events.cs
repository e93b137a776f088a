using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Legacy;

/// <summary>Overflows, emulated events, cleanup and the vCPU hooks of the legacy vPMU.</summary>
public sealed partial class LegacyVpmu
{
    /// <summary>kvm_perf_overflow, perf's callback (NMI context).</summary>
    private void OnPerfOverflow(PerfEvent perfEvent, ulong period)
    {
        if (perfEvent.Owner is not LegacyPmc pmc)
        {
            return;
        }

        pmc.Wraps++;
        ulong bit = 1UL << pmc.Idx;
        if ((_reprogramPmi & bit) != 0)
        {
            // A WRMSR raced with the overflow; the pending reprogram will handle it.
            return;
        }

        _reprogramPmi |= bit;
        Overflow(pmc, inPmi: true);
        _vcpu.RequestPmuEvent();
    }

    /// <summary>__kvm_perf_overflow: set the status bit (PEBS: buffer overflow once) and request a PMI if INT.</summary>
    private void Overflow(LegacyPmc pmc, bool inPmi)
    {
        bool skipPmi = false;
        if ((PebsEnable & (1UL << pmc.Idx)) != 0)
        {
            if (!inPmi)
            {
                skipPmi = true;
            }
            else
            {
                ulong bufferOverflow = Ia32PerfGlobalStatus.Zero.WithOvfBuf(true).Value;
                skipPmi = (GlobalStatus & bufferOverflow) != 0;
                GlobalStatus |= bufferOverflow;
            }
        }
        else
        {
            GlobalStatus |= 1UL << pmc.Idx;
        }

        if (pmc.Intr && !skipPmi)
        {
            _vcpu.RequestPmi();
        }
    }

    /// <summary>kvm_pmu_trigger_event: instructions/branches KVM retired; true when it had a counter to walk.</summary>
    public bool OnEmulatedEvent(EmulatedEvent kind)
    {
        ulong wanted = HardwareEvent.Encode(kind == EmulatedEvent.Branch ? EventKind.Branches : EventKind.Instructions, GuestCaps.Vendor);
        bool walked = false;
        if (!HasGlobalCtrl)
        {
            for (int k = 0; k < PmcTotal; k++)
            {
                walked |= CountEmulated(PmcAt(k), wanted);
            }

            return walked;
        }

        // Only the counters GLOBAL_CTRL enables can count: visit its set bits, in ascending index
        // order, which is the scan's order (GP counters, then fixed ones from index 32).
        for (ulong rest = GlobalCtrl; rest != 0; rest &= rest - 1)
        {
            if (PmcByIdx(System.Numerics.BitOperations.TrailingZeroCount(rest)) is { } pmc)
            {
                walked |= CountEmulated(pmc, wanted);
            }
        }

        return walked;
    }

    /// <summary>
    /// One counter's share of kvm_pmu_trigger_event. True when the counter is in the walk: enabled
    /// globally and locally and selecting the event (the filter is not part of KVM's emulation
    /// bitmap). It counts the event only if the filter also allows it and the CPL matches.
    /// </summary>
    private bool CountEmulated(LegacyPmc pmc, ulong wanted)
    {
        // The enable bits first: they are single bit tests and rule most counters out (all the checks are pure).
        if (!IsGloballyEnabled(pmc) || !IsLocallyEnabled(pmc))
        {
            return false;
        }

        bool selects = pmc.IsFixed
            ? HardwareEvent.FixedCounterEvent(pmc.Index) == wanted
            : HardwareEvent.FromEventSelect(pmc.Eventsel, GuestCaps.Vendor) == wanted;
        if (!selects)
        {
            return false;
        }

        if (IsAllowedByFilter(pmc) && CplMatches(pmc))
        {
            pmc.EmulatedCounter++;
            RequestReprogram(pmc);
        }

        return true;
    }

    /// <summary>cpl_is_matched.</summary>
    private bool CplMatches(LegacyPmc pmc)
    {
        bool os, user;
        if (pmc.IsFixed)
        {
            ulong nibble = FixedNibble(pmc.Index);
            os = (nibble & 1) != 0;
            user = (nibble & 2) != 0;
        }
        else
        {
            os = GuestCaps.IsIntel ? Ia32Perfevtsel.FromRawUnchecked(pmc.Eventsel).Os : MsrF15hPerfCtl.FromRawUnchecked(pmc.Eventsel).Os;
            user = GuestCaps.IsIntel ? Ia32Perfevtsel.FromRawUnchecked(pmc.Eventsel).Usr : MsrF15hPerfCtl.FromRawUnchecked(pmc.Eventsel).Usr;
        }

        return (os && user) || (_vcpu.Cpl == 0 ? os : user);
    }

    private int PmcTotal => _gp.Length + _fixed.Length;

    /// <summary>GP counters first, then fixed ones (indexing instead of an iterator keeps the exit path allocation-free).</summary>
    private LegacyPmc PmcAt(int k) => k < _gp.Length ? _gp[k] : _fixed[k - _gp.Length];

    /// <summary>kvm_pmu_cleanup: release events of PMCs untouched since the last sched-in and not enabled.</summary>
    private void Cleanup()
    {
        _needCleanup = false;
        for (int k = 0; k < PmcTotal; k++)
        {
            var pmc = PmcAt(k);
            if ((_pmu.PmcInUse & (1UL << pmc.Idx)) == 0 && pmc.PerfEvent is not null && !IsLocallyEnabled(pmc))
            {
                StopCounter(pmc);
            }
        }

        _pmu.ClearPmcInUse();
    }

    public void SchedIn()
    {
        // The vCPU thread's perf events come back with it (perf_event_task_sched_in).
        Perf.ScheduleInTask(_vcpu);

        // kvm_arch_sched_in: cleanup is armed only when the vCPU holds perf events.
        if (GuestCaps.Version != 0 && _eventCount != 0)
        {
            _needCleanup = true;
            _vcpu.RequestPmuEvent();
        }
    }

    public void SchedOut()
    {
        // KVM's guest events are per-task: they leave the PMU with the vCPU thread.
        Perf.ScheduleOutTask(_vcpu);
    }

    public void ReturnToUserspace()
    {
    }

    public void OnFirstRun()
    {
    }

    public void OnEventFilterChanged()
    {
        for (int k = 0; k < PmcTotal; k++)
        {
            var pmc = PmcAt(k);
            _reprogramPmi |= 1UL << pmc.Idx;
        }

        _vcpu.RequestPmuEvent();
    }

    public void OnPmiDelivered()
    {
    }

    public void BeforeRunLoop()
    {
    }

    public void BeforeVmEntry()
    {
    }

    public ulong? EntryGlobalCtrl() => null;

    public void AfterVmExit(VmExitKind kind)
    {
    }

    public void AfterRunLoop()
    {
    }

    public void Destroy()
    {
        for (int k = 0; k < PmcTotal; k++)
        {
            var pmc = PmcAt(k);
            StopCounter(pmc);
        }
    }
}
