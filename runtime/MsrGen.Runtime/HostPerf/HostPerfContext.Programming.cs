using System;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.HostPerf;

/// <summary>Programming the physical counters (x86_pmu_start/stop, enable/disable all) through typed registers.</summary>
public sealed partial class HostPerfContext
{
    private void Program(PerfEvent e)
    {
        if (e.PeriodLeft == 0)
        {
            e.PeriodLeft = e.IsSampling ? e.SamplePeriod : MaxPeriod;
        }

        Start(e);
    }

    /// <summary>x86_pmu_start: reload the counter with -period_left, then enable the event.</summary>
    private void Start(PerfEvent e)
    {
        if (e.PeriodLeft == 0)
        {
            e.PeriodLeft = e.IsSampling ? e.SamplePeriod : MaxPeriod;
        }

        bool isFixed = e.Counter >= FixedBase;
        ulong mask = isFixed ? Pmu.FixedMask : Pmu.GpMask;
        // x86_perf_event_set_period: a period longer than max_period is reloaded in max_period chunks.
        ulong start = (0 - Math.Min(e.PeriodLeft, MaxPeriod)) & mask;
        e.HardwareStart = start;
        e.Stopped = false;
        WriteCounter(e.Counter, start);
        WriteControl(e, enable: true);
    }

    /// <summary>x86_pmu_stop: disable the event and fold the hardware count into the event.</summary>
    private void Stop(PerfEvent e)
    {
        WriteControl(e, enable: false);
        Update(e);
        e.Stopped = true;
    }

    private void Unprogram(PerfEvent e)
    {
        if (!e.Stopped)
        {
            Stop(e);
        }

        e.Counter = -1;
        e.Stopped = false;
    }

    /// <summary>x86_perf_event_update: RDPMC, add the delta since the last read, track the period left.</summary>
    private ulong Update(PerfEvent e)
    {
        bool isFixed = e.Counter >= FixedBase;
        ulong mask = isFixed ? Pmu.FixedMask : Pmu.GpMask;
        uint ecx = isFixed ? PhysicalPmu.RdpmcFixed | (uint)(e.Counter - FixedBase) : (uint)e.Counter;
        Pmu.Rdpmc(ecx, out ulong now);
        ulong delta = (now - e.HardwareStart) & mask;
        e.Count += delta;
        e.HardwareStart = now;
        e.PeriodLeft = e.PeriodLeft > delta ? e.PeriodLeft - delta : (e.IsSampling ? e.SamplePeriod : MaxPeriod);
        return delta;
    }

    private void WriteCounter(int counter, ulong value)
    {
        if (counter >= FixedBase)
        {
            Pmu.Write(Ia32FixedCtr.FromRawUnchecked(value), counter - FixedBase);
        }
        else if (Pmu.Caps.IsAmd)
        {
            if (Pmu.Caps.Has(PmuFeatures.PerfctrCore))
            {
                Pmu.Write(MsrF15hPerfCtr.FromRawUnchecked(value), counter);
            }
            else
            {
                Pmu.Write(MsrK7Perfctr.FromRawUnchecked(value), counter);
            }
        }
        else if (Pmu.Caps.FullWidthWrites)
        {
            Pmu.Write(Ia32APmc.FromRawUnchecked(value), counter);
        }
        else
        {
            Pmu.Write(Ia32Pmc.FromRawUnchecked(value), counter);
        }
    }

    private void WriteControl(PerfEvent e, bool enable)
    {
        var attr = e.Attr;
        if (e.Counter >= FixedBase)
        {
            // Fixed counters, and so their control register, exist only from PMU version 2 on.
            if (Pmu.Caps.Version >= 2)
            {
                int i = e.Counter - FixedBase;
                var ctrl = Ia32FixedCtrCtrl.FromRawUnchecked(_fixedCtrlShadow)
                    .WithFixedOs(i, enable && !attr.ExcludeKernel)
                    .WithFixedUsr(i, enable && !attr.ExcludeUser)
                    .WithFixedPmi(i, enable);
                _fixedCtrlShadow = ctrl.Value;
                Pmu.Write(ctrl);
            }

            return;
        }

        if (Pmu.Caps.IsAmd)
        {
            var sel = MsrF15hPerfCtl.FromRawUnchecked(enable ? attr.Config & HardwareEvent.IdentityMask : 0);
            if (enable)
            {
                // amd_core_hw_config: exclude_guest → HostOnly, exclude_host → GuestOnly.
                sel = sel.WithEn(true).WithInt(true).WithUsr(!attr.ExcludeUser).WithOs(!attr.ExcludeKernel)
                    .WithHostOnly(attr.ExcludeGuest && !attr.ExcludeHost).WithGuestOnly(attr.ExcludeHost && !attr.ExcludeGuest);
            }

            if (Pmu.Caps.Has(PmuFeatures.PerfctrCore))
            {
                Pmu.Write(sel, e.Counter);
            }
            else
            {
                Pmu.Write(MsrK7Evntsel.FromRawUnchecked(sel.Value), e.Counter);
            }

            return;
        }

        var evt = Ia32Perfevtsel.FromRawUnchecked(enable ? attr.Config & ~Ia32Perfevtsel.Zero.WithAny(true).Value : 0);
        if (enable)
        {
            evt = evt.WithEn(true).WithInt(true).WithUsr(!attr.ExcludeUser).WithOs(!attr.ExcludeKernel);
        }

        Pmu.Write(evt, e.Counter);
    }

    /// <summary>Counters of active events; for the guest without exclude_guest ones, for the host without exclude_host ones.</summary>
    private ulong EnabledMask(bool forGuest)
    {
        ulong mask = 0;
        // Indexed (the same order as foreach, without the enumerator's version checks): two calls per VM-exit.
        for (int i = 0; i < _events.Count; i++)
        {
            var e = _events[i];
            if (e.State != PerfEventState.Active || e.Counter < 0 || (forGuest ? e.Attr.ExcludeGuest : e.Attr.ExcludeHost))
            {
                continue;
            }

            mask |= 1UL << e.Counter;
        }

        return mask;
    }

    private void DisableAll()
    {
        if (Pmu.Caps.Version < 2)
        {
            return;
        }

        if (Pmu.Caps.IsIntel)
        {
            Pmu.Write(Ia32PerfGlobalCtrl.Zero);
        }
        else
        {
            Pmu.Write(MsrAmd64PerfCntrGlobalCtl.Zero);
        }
    }

    private void EnableAll()
    {
        if (Pmu.Caps.Version < 2)
        {
            return;
        }

        if (Pmu.Caps.IsIntel)
        {
            Pmu.Write(Ia32PerfGlobalCtrl.FromRawUnchecked(EnabledMask(forGuest: false)));
        }
        else
        {
            // AMD separates host and guest with the event selects' Host/GuestOnly bits instead.
            ulong mask = 0;
            foreach (var e in _events)
            {
                if (e.State == PerfEventState.Active && e.Counter >= 0)
                {
                    mask |= 1UL << e.Counter;
                }
            }

            Pmu.Write(MsrAmd64PerfCntrGlobalCtl.FromRawUnchecked(mask));
        }
    }
}
