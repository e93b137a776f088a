using System;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.HostPerf;

/// <summary>Reading, pausing and re-periodising events, and loading and putting the guest context.</summary>
public sealed partial class HostPerfContext
{
    /// <summary>The event's count (perf_event_read_value): a live event is brought up to date with RDPMC.</summary>
    public ulong Read(PerfEvent perfEvent) => ReadValue(perfEvent, out _, out _);

    public ulong ReadValue(PerfEvent perfEvent, out ulong timeEnabled, out ulong timeRunning)
    {
        UpdateTimes();
        if (perfEvent.State == PerfEventState.Active && !perfEvent.Stopped)
        {
            Update(perfEvent);
        }

        timeEnabled = perfEvent.TimeEnabled;
        timeRunning = perfEvent.TimeRunning;
        return perfEvent.Count;
    }

    /// <summary>The count including the live hardware delta, without an RDPMC (for ground-truth accounting, not a perf call).</summary>
    internal ulong Peek(PerfEvent perfEvent)
    {
        if (perfEvent.State != PerfEventState.Active || perfEvent.Stopped || perfEvent.Counter < 0)
        {
            return perfEvent.Count;
        }

        bool isFixed = perfEvent.Counter >= FixedBase;
        ulong mask = isFixed ? Pmu.FixedMask : Pmu.GpMask;
        return perfEvent.Count + ((Pmu.PeekCounter(perfEvent.Counter) - perfEvent.HardwareStart) & mask);
    }

    /// <summary>The count scaled by time_enabled / time_running, as `perf stat` shows multiplexed events.</summary>
    public ulong ReadScaled(PerfEvent perfEvent)
    {
        ulong count = ReadValue(perfEvent, out ulong enabled, out ulong running);
        if (running == 0)
        {
            return 0;
        }

        return enabled == running ? count : (ulong)((UInt128)count * enabled / running);
    }

    /// <summary>
    /// perf_event_pause: returns the count and, with <paramref name="reset"/>, zeroes it; the event
    /// keeps its counter but stops until <see cref="Enable"/> or <see cref="SetPeriod"/> restarts it.
    /// </summary>
    public ulong Pause(PerfEvent perfEvent, bool reset)
    {
        if (perfEvent.State == PerfEventState.Active && !perfEvent.Stopped)
        {
            Stop(perfEvent);
        }

        ulong count = perfEvent.Count;
        if (reset)
        {
            perfEvent.Count = 0;
        }

        return count;
    }

    /// <summary>perf_event_period: a new period, applied at once (the counter is reloaded) if the event runs; periods longer than the counter are reloaded in chunks.</summary>
    public PerfError SetPeriod(PerfEvent perfEvent, ulong period)
    {
        if (period == 0 || (period & (1UL << 63)) != 0)
        {
            return PerfError.Einval;
        }

        perfEvent.SamplePeriod = period;
        perfEvent.PeriodLeft = period;
        if (perfEvent.State == PerfEventState.Active)
        {
            if (!perfEvent.Stopped)
            {
                Stop(perfEvent);
            }

            Start(perfEvent);
        }

        return PerfError.None;
    }

    /// <summary>
    /// The task's events leave the PMU when the task is switched out (perf_event_task_sched_out) and
    /// return when it runs again; their clocks stop meanwhile.
    /// </summary>
    public void ScheduleOutTask(object task)
    {
        UpdateTimes();
        _tasksOut.Add(task);
        Reschedule();
    }

    public void ScheduleInTask(object task)
    {
        UpdateTimes();
        if (_tasksOut.Remove(task))
        {
            Reschedule();
        }
    }

    private bool IsTaskOut(PerfEvent e) => e.Attr.Task is { } task && _tasksOut.Contains(task);

    /// <summary>perf_load_guest_context: exclude_guest events leave the PMU until <see cref="PutGuestContext"/>.</summary>
    public void LoadGuestContext()
    {
        GuestContextLoaded = true;
        _schedulingOutForGuest = true;
        try
        {
            Reschedule();
        }
        finally
        {
            _schedulingOutForGuest = false;
        }
    }

    /// <summary>
    /// __perf_event_enable with the perf→KVM callback proposed in the 2024 mediated-PMU review: an exclude_guest event enabled while a guest
    /// context is loaded makes perf call KVM, which puts the guest state before any PMU MSR is written.
    /// </summary>
    private void CallGuestOwnerBeforeEnable(PerfEvent perfEvent)
    {
        if (GuestContextLoaded && perfEvent.Attr.ExcludeGuest && GuestPmuOwner is { Handoff: GuestPmuHandoff.Callback, HoldsGuestState: true } owner)
        {
            GuestPutCallbacks++;
            owner.ReleaseCounters(ulong.MaxValue);
        }
    }

    /// <summary>
    /// Whether exclude_guest events stay off the PMU: while a guest context is loaded, except that
    /// without any guard (<see cref="GuestPmuHandoff.None"/>) only perf_load_guest_context itself
    /// takes them off and any later scheduling puts them back over the guest's state.
    /// </summary>
    private bool HoldsOutExcludeGuest =>
        GuestContextLoaded && (_schedulingOutForGuest || (GuestPmuOwner?.Handoff ?? GuestPmuHandoff.Defer) != GuestPmuHandoff.None);

    /// <summary>perf_put_guest_context: exclude_guest events come back (pinned first), guest time excluded.</summary>
    public void PutGuestContext()
    {
        GuestContextLoaded = false;
        Reschedule();
    }

    /// <summary>perf_load_guest_lvtpc: host LVTPC = fixed delivery on 0xF5, masked if the guest's is.</summary>
    public void LoadGuestLvtpc(uint guestLvtpc)
    {
        GuestLvtpcLoaded = true;
        Pmu.Lvtpc = LvtpcValues.MediatedPmiVector | (guestLvtpc & LvtpcValues.Masked);
    }

    /// <summary>perf_put_guest_lvtpc: back to NMI delivery.</summary>
    public void PutGuestLvtpc()
    {
        GuestLvtpcLoaded = false;
        Pmu.Lvtpc = LvtpcValues.DeliveryNmi;
    }

    /// <summary>
    /// What the CPU loads into GLOBAL_CTRL at VM-entry (perf_guest_get_msrs): the enabled counters
    /// without the exclude_guest ones. Null on CPUs where the Guest/HostOnly bits do this (AMD).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public ulong? GuestGlobalCtrl() => Pmu.Caps.IsIntel && Pmu.Caps.Version >= 2 ? EnabledMask(forGuest: true) : null;

    /// <summary>The host value the CPU restores at VM-exit.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public ulong? HostGlobalCtrl() => Pmu.Caps.IsIntel && Pmu.Caps.Version >= 2 ? EnabledMask(forGuest: false) : null;

    /// <summary>The mux timer fired: rotate flexible groups if some were left out.</summary>
    public void OnMuxTimer()
    {
        NextRotationCycle = ulong.MaxValue;
        if (!RotationPending || _flexibleOrder.Count < 2)
        {
            return;
        }

        var first = _flexibleOrder[0];
        _flexibleOrder.RemoveAt(0);
        _flexibleOrder.Add(first);
        Reschedule();
    }

    /// <summary>Host runs this stretch (not guest): counters count in host mode, the mux timer fires on the way.</summary>
    public void RunHost(EventBatch batch, int cpl)
    {
        ulong step = 0;
        while (step < batch.Steps)
        {
            ulong limit = StepLimit(batch, step);
            Pmu.Run(batch, ref step, limit, cpl);
            if (Pmu.Clock.Cycles >= NextRotationCycle)
            {
                OnMuxTimer();
            }
        }
    }

    /// <summary>The step of <paramref name="batch"/> at which the mux timer fires next (or the batch's end).</summary>
    public ulong StepLimit(EventBatch batch, ulong step)
    {
        if (NextRotationCycle == ulong.MaxValue || batch.Cycles == 0)
        {
            return batch.Steps;
        }

        ulong now = Pmu.Clock.Cycles;
        ulong startCycles = batch.CyclesAt(step);
        ulong wantCycles = NextRotationCycle <= now ? startCycles : startCycles + (NextRotationCycle - now);
        if (wantCycles >= batch.Cycles)
        {
            return batch.Steps;
        }

        // Smallest step whose cycles reach the deadline.
        ulong target = (ulong)(((UInt128)wantCycles * batch.Steps + batch.Cycles - 1) / batch.Cycles);
        return Math.Clamp(target, step + 1, batch.Steps);
    }

    private bool Supported(PerfEventAttr attr)
    {
        ulong identity = attr.Config & HardwareEvent.IdentityMask;
        if (attr.Config == HardwareEvent.Undefined)
        {
            return false;
        }

        int fixedIndex = HardwareEvent.FixedCounterFor(identity);
        bool fixedOnly = Pmu.Caps.IsIntel && HardwareEvent.IsFixedOnly(identity);
        return !fixedOnly || fixedIndex < Pmu.FixedCount;
    }

    private void UpdateTimes()
    {
        ulong now = Pmu.Clock.Cycles;
        foreach (var e in _events)
        {
            ulong delta = now - e.LastTimeUpdate;
            e.LastTimeUpdate = now;
            if ((GuestContextLoaded && e.Attr.ExcludeGuest && e.State != PerfEventState.Active) || IsTaskOut(e))
            {
                // perf stops exclude_guest events' clocks while a guest PMU context is loaded.
                continue;
            }

            if (e.State >= PerfEventState.Inactive)
            {
                e.TimeEnabled += delta;
            }

            if (e.State == PerfEventState.Active)
            {
                e.TimeRunning += delta;
            }
        }
    }
}
