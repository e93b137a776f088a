using System;
using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.HostPerf;

/// <summary>Counter assignment, programming and the PMI handler.</summary>
public sealed partial class HostPerfContext
{
    private const int FixedBase = 32;
    private const ulong InTxcp = 1UL << 33;
    private ulong _fixedCtrlShadow;

    /// <summary>Largest period: half the counter (x86_pmu.max_period); 2^31-1 through the 32-bit alias.</summary>
    public ulong MaxPeriod => Pmu.Caps.IsIntel && !Pmu.Caps.FullWidthWrites ? (1UL << 31) - 1 : Pmu.Caps.GpCounterMask >> 1;

    /// <summary>Recomputes which events own which counters and reprograms only what changed.</summary>
    private void Reschedule()
    {
        UpdateTimes();
        var gpUsed = new PerfEvent?[Pmu.GpCount];
        var fixedUsed = new PerfEvent?[Pmu.FixedCount];
        var placed = new Dictionary<PerfEvent, int>();
        bool flexibleBlocked = false;
        RotationPending = false;

        foreach (var leader in Leaders())
        {
            var members = Members(leader);
            if (members.Count == 0)
            {
                continue;
            }

            bool eligible = !(GuestContextLoaded && leader.Attr.ExcludeGuest);
            bool pinned = leader.Attr.Pinned;
            if (!eligible || (!pinned && flexibleBlocked))
            {
                RotationPending |= eligible;
                continue;
            }

            var tentative = new List<(PerfEvent Event, int Counter)>();
            bool fits = true;
            foreach (var member in members)
            {
                int counter = Pick(member, gpUsed, fixedUsed);
                if (counter < 0)
                {
                    fits = false;
                    break;
                }

                Occupy(counter, member, gpUsed, fixedUsed);
                tentative.Add((member, counter));
            }

            if (fits)
            {
                foreach (var (e, c) in tentative)
                {
                    placed[e] = c;
                }

                continue;
            }

            foreach (var (_, c) in tentative)
            {
                Occupy(c, null, gpUsed, fixedUsed);
            }

            if (pinned)
            {
                // A pinned group that cannot be placed goes to error state and stops counting.
                foreach (var member in members)
                {
                    if (member.State == PerfEventState.Active)
                    {
                        Unprogram(member);
                    }

                    member.State = PerfEventState.Error;
                }
            }
            else
            {
                flexibleBlocked = true;
                RotationPending = true;
            }
        }

        bool changed = false;
        foreach (var e in _events)
        {
            if (e.State == PerfEventState.Active && (!placed.TryGetValue(e, out int c) || c != e.Counter))
            {
                if (!changed)
                {
                    DisableAll();
                    changed = true;
                }

                Unprogram(e);
                e.State = PerfEventState.Inactive;
            }
        }

        foreach (var (e, c) in placed)
        {
            if (e.State == PerfEventState.Active)
            {
                continue;
            }

            if (!changed)
            {
                DisableAll();
                changed = true;
            }

            e.State = PerfEventState.Active;
            e.Counter = c;
            e.Stopped = false;
            Program(e);
        }

        if (changed)
        {
            EnableAll();
        }

        NextRotationCycle = RotationPending ? Pmu.Clock.Cycles + MuxIntervalCycles : ulong.MaxValue;
    }

    private IEnumerable<PerfEvent> Leaders()
    {
        foreach (var e in _events)
        {
            if (e.IsLeader && e.Attr.Pinned && e.State >= PerfEventState.Inactive)
            {
                yield return e;
            }
        }

        foreach (var e in _flexibleOrder)
        {
            if (e.IsLeader && e.State >= PerfEventState.Inactive)
            {
                yield return e;
            }
        }
    }

    private static List<PerfEvent> Members(PerfEvent leader)
    {
        var members = new List<PerfEvent> { leader };
        foreach (var sibling in leader.Siblings)
        {
            if (sibling.State >= PerfEventState.Inactive)
            {
                members.Add(sibling);
            }
        }

        return members;
    }

    /// <summary>
    /// Counter constraints: ref-cycles and TOPDOWN.SLOTS only on their fixed counters, instructions
    /// and cycles preferably on theirs, IN_TXCP only on GP counter 2 (HSW+ constraint tables).
    /// </summary>
    private int Pick(PerfEvent e, PerfEvent?[] gpUsed, PerfEvent?[] fixedUsed)
    {
        ulong identity = e.Attr.Config & HardwareEvent.IdentityMask;
        bool intel = Pmu.Caps.IsIntel;
        int fixedIndex = intel ? HardwareEvent.FixedCounterFor(identity) : -1;
        bool plain = (e.Attr.Config & ~HardwareEvent.IdentityMask) == 0;
        if (fixedIndex >= 0 && fixedIndex < fixedUsed.Length && fixedUsed[fixedIndex] is null && plain)
        {
            return FixedBase + fixedIndex;
        }

        if (intel && (identity == HardwareEvent.FixedCounterEvent(2) || identity == HardwareEvent.TopdownSlots))
        {
            return -1;
        }

        if (intel && (e.Attr.Config & InTxcp) != 0)
        {
            return gpUsed.Length > 2 && gpUsed[2] is null ? 2 : -1;
        }

        if (e.Counter >= 0 && e.Counter < gpUsed.Length && gpUsed[e.Counter] is null)
        {
            return e.Counter;
        }

        for (int i = 0; i < gpUsed.Length; i++)
        {
            if (gpUsed[i] is null)
            {
                return i;
            }
        }

        return -1;
    }

    private static void Occupy(int counter, PerfEvent? e, PerfEvent?[] gpUsed, PerfEvent?[] fixedUsed)
    {
        if (counter >= FixedBase)
        {
            fixedUsed[counter - FixedBase] = e;
        }
        else
        {
            gpUsed[counter] = e;
        }
    }

    /// <summary>validate_group: could the group fit an otherwise empty PMU with this new member?</summary>
    private bool GroupCanEverFit(PerfEvent leader, PerfEventAttr extra)
    {
        var gpUsed = new PerfEvent?[Pmu.GpCount];
        var fixedUsed = new PerfEvent?[Pmu.FixedCount];
        var probe = new PerfEvent(0, "probe", extra, null, null, null);
        foreach (var member in new List<PerfEvent>(Members(leader)) { probe })
        {
            int saved = member.Counter;
            member.Counter = -1;
            int counter = Pick(member, gpUsed, fixedUsed);
            member.Counter = saved;
            if (counter < 0)
            {
                return false;
            }

            Occupy(counter, member, gpUsed, fixedUsed);
        }

        return true;
    }

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
        ulong mask = isFixed ? Pmu.Caps.FixedCounterMask : Pmu.Caps.GpCounterMask;
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
        ulong mask = isFixed ? Pmu.Caps.FixedCounterMask : Pmu.Caps.GpCounterMask;
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
            int i = e.Counter - FixedBase;
            var ctrl = Ia32FixedCtrCtrl.FromRawUnchecked(_fixedCtrlShadow)
                .WithFixedOs(i, enable && !attr.ExcludeKernel)
                .WithFixedUsr(i, enable && !attr.ExcludeUser)
                .WithFixedPmi(i, enable);
            _fixedCtrlShadow = ctrl.Value;
            Pmu.Write(ctrl);
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
        foreach (var e in _events)
        {
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

    /// <summary>The PMI: host perf's NMI handler, or the mediated vector forwarded to KVM.</summary>
    public void OnPmi(PhysicalPmu pmu, bool nmi, byte vector)
    {
        if (!nmi)
        {
            if (vector == MediatedPmiVector && GuestLvtpcLoaded)
            {
                MediatedPmiHandler?.Invoke();
            }

            return;
        }

        if (GuestLvtpcLoaded)
        {
            // perf's NMI handler ignores NMIs while a guest LVTPC is loaded.
            return;
        }

        DisableAll();
        ulong status;
        if (Pmu.Caps.Version >= 2)
        {
            if (Pmu.Caps.IsIntel)
            {
                Pmu.Read(out Ia32PerfGlobalStatus s);
                status = s.Value;
            }
            else
            {
                Pmu.Read(out MsrAmd64PerfCntrGlobalStatus s);
                status = s.Value;
            }
        }
        else
        {
            status = Pmu.PendingStatusForV1();
        }

        foreach (var e in _events.ToArray())
        {
            if (e.State != PerfEventState.Active || e.Counter < 0 || (status & (1UL << e.Counter)) == 0 || e.Stopped)
            {
                continue;
            }

            ulong leftBefore = e.PeriodLeft;
            bool periodElapsed = Update(e) >= leftBefore;
            ulong period = e.IsSampling ? e.SamplePeriod : MaxPeriod;
            if (periodElapsed)
            {
                e.PeriodLeft = period;
            }

            e.HardwareStart = (0 - Math.Min(e.PeriodLeft, MaxPeriod)) & (e.Counter >= FixedBase ? Pmu.Caps.FixedCounterMask : Pmu.Caps.GpCounterMask);
            WriteCounter(e.Counter, e.HardwareStart);
            if (periodElapsed && e.IsSampling)
            {
                e.Overflows++;
                e.OverflowHandler?.Invoke(e, period);
            }
        }

        if (Pmu.Caps.Version >= 2)
        {
            if (Pmu.Caps.IsIntel)
            {
                Pmu.Write(Ia32PerfGlobalOvfCtrl.FromRawUnchecked(status & ~MsrCatalog.ReservedMask(new MsrRef(MsrId.Ia32PerfGlobalOvfCtrl, 0), Pmu.Caps)));
            }
            else
            {
                Pmu.Write(MsrAmd64PerfCntrGlobalStatusClr.FromRawUnchecked(status & ~MsrCatalog.ReservedMask(new MsrRef(MsrId.MsrAmd64PerfCntrGlobalStatusClr, 0), Pmu.Caps)));
            }
        }

        EnableAll();
        Pmu.Lvtpc = PhysicalPmu.LvtpcNmi;
        AfterNmi?.Invoke();
    }
}
