using System;
using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.HostPerf;

/// <summary>
/// Host perf on one physical CPU: events with KVM's and users' attributes, scheduled onto the
/// physical counters with their constraints, multiplexed when flexible events outnumber the
/// counters, pinned events that cannot be placed put in error state, and overflow callbacks.
/// Every counter programming goes through the physical PMU's MSR interface and is counted there.
/// </summary>
public sealed partial class HostPerfContext : IPmiSink
{
    /// <summary>perf_event_mux_interval_ms default (4 ms) at the simulated clock's nominal rate.</summary>
    public const ulong DefaultMuxIntervalCycles = 4_000 * SimClock.CyclesPerMicrosecond;

    private readonly List<PerfEvent> _events = new();
    private readonly List<PerfEvent> _flexibleOrder = new();
    private readonly HashSet<object> _tasksOut = new(ReferenceEqualityComparer.Instance);
    private int _nextId = 1;
    private bool _schedulingOutForGuest;

    public HostPerfContext(int cpu, PhysicalPmu pmu, IMediatedPmuAccounting? accounting = null)
    {
        Cpu = cpu;
        Pmu = pmu;
        Accounting = accounting ?? AlwaysAllowMediatedPmuAccounting.Instance;
        pmu.PmiSink = this;
        pmu.Lvtpc = LvtpcValues.DeliveryNmi;
    }

    public int Cpu { get; }
    public PhysicalPmu Pmu { get; }
    public IMediatedPmuAccounting Accounting { get; set; }
    public ulong MuxIntervalCycles { get; set; } = DefaultMuxIntervalCycles;

    /// <summary>Set by perf_load_guest_context: exclude_guest events are out and stay out until the put.</summary>
    public bool GuestContextLoaded { get; private set; }

    /// <summary>Set by perf_load_guest_lvtpc: PMIs arrive on <see cref="LvtpcValues.MediatedPmiVector"/>.</summary>
    public bool GuestLvtpcLoaded { get; private set; }

    /// <summary>
    /// The mediated vPMU whose guest state is loaded or resident on this CPU (the perf→KVM hook discussed in Dapeng Mi, "Re: [RFC PATCH 23/41] KVM: x86/pmu: Implement the save/restore of PMU state for Intel CPU", LKML, 2024-04-25):
    /// perf asks it how to treat exclude_guest events enabled meanwhile and calls it before it
    /// programs PMU MSRs. Null: 7.0's deferral, no calls.
    /// </summary>
    public IGuestPmuOwner? GuestPmuOwner { get; set; }

    /// <summary>perf called into the guest PMU's owner to put the loaded guest state (<see cref="GuestPmuHandoff.Callback"/>).</summary>
    public long GuestPutCallbacks { get; private set; }

    /// <summary>perf called into the guest PMU's owner to hand back resident guest registers before programming counters.</summary>
    public long GuestReclaimCallbacks { get; private set; }

    /// <summary>KVM's handler for PMIs on the mediated vector (kvm_handle_guest_mediated_pmi).</summary>
    public Action? MediatedPmiHandler { get; set; }

    /// <summary>Called after every host-perf NMI, with whether a KVM guest event overflowed.</summary>
    public Action? AfterNmi { get; set; }

    public IReadOnlyList<PerfEvent> Events => _events;

    /// <summary>Flexible events were left out at the last schedule, so the mux timer rotates them.</summary>
    public bool RotationPending { get; private set; }

    public ulong NextRotationCycle { get; private set; } = ulong.MaxValue;

    /// <summary>Open events that count in guests (no exclude_guest), which a mediated PMU cannot coexist with.</summary>
    public int GuestCountingEvents
    {
        get
        {
            int count = 0;
            foreach (var e in _events)
            {
                count += e.Attr.ExcludeGuest ? 0 : 1;
            }

            return count;
        }
    }

    public long Creates { get; private set; }
    public long Releases { get; private set; }

    /// <summary>perf_event_open / perf_event_create_kernel_counter.</summary>
    public PerfError Open(string name, PerfEventAttr attr, PerfEvent? groupLeader, PerfOverflowHandler? handler, object? owner, out PerfEvent? perfEvent)
    {
        perfEvent = null;
        if (attr.Cpu >= 0 && attr.Cpu != Cpu)
        {
            return PerfError.Einval;
        }

        // perf_event_open (kernel/events/core.c) refuses a sample period with bit 63 set, as
        // PERF_EVENT_IOC_PERIOD does (see SetPeriod).
        if ((attr.SamplePeriod & (1UL << 63)) != 0)
        {
            return PerfError.Einval;
        }

        if (!Supported(attr))
        {
            return PerfError.Eopnotsupp;
        }

        if (groupLeader is not null && (groupLeader.State == PerfEventState.Released || !groupLeader.IsLeader))
        {
            return PerfError.Einval;
        }

        if (groupLeader is not null && !GroupCanEverFit(groupLeader, attr))
        {
            return PerfError.Einval;
        }

        var refused = Accounting.OnEventCreate(attr);
        if (refused != PerfError.None)
        {
            return refused;
        }

        var created = new PerfEvent(_nextId++, name, attr, groupLeader, handler, owner)
        {
            CreationOrder = _events.Count == 0 ? 0 : _events[^1].CreationOrder + 1,
            LastTimeUpdate = Pmu.Clock.Cycles,
        };
        _events.Add(created);
        if (groupLeader is not null)
        {
            groupLeader.Siblings.Add(created);
        }
        else if (!attr.Pinned)
        {
            _flexibleOrder.Add(created);
        }

        Creates++;
        if (!attr.Disabled)
        {
            created.State = PerfEventState.Inactive;
            CallGuestOwnerBeforeEnable(created);
            Reschedule();
        }

        perfEvent = created;
        return PerfError.None;
    }

    /// <summary>perf_event_release_kernel / close(): the event stops and its siblings become singletons.</summary>
    public void Release(PerfEvent perfEvent)
    {
        if (perfEvent.State == PerfEventState.Released)
        {
            return;
        }

        UpdateTimes();
        if (perfEvent.State == PerfEventState.Active)
        {
            Unprogram(perfEvent);
            EnableAll();
        }

        perfEvent.State = PerfEventState.Released;
        _events.Remove(perfEvent);
        _flexibleOrder.Remove(perfEvent);
        if (!perfEvent.IsLeader)
        {
            perfEvent.Leader.Siblings.Remove(perfEvent);
        }

        foreach (var sibling in perfEvent.Siblings)
        {
            sibling.Leader = sibling;
            if (!sibling.Attr.Pinned)
            {
                _flexibleOrder.Add(sibling);
            }
        }

        perfEvent.Siblings.Clear();
        Accounting.OnEventRelease(perfEvent.Attr);
        Releases++;
        Reschedule();
    }

    /// <summary>perf_event_enable: an off (or error) event is scheduled again.</summary>
    public void Enable(PerfEvent perfEvent)
    {
        if (perfEvent.State is PerfEventState.Off or PerfEventState.Error)
        {
            UpdateTimes();
            perfEvent.State = PerfEventState.Inactive;
            foreach (var sibling in perfEvent.Siblings)
            {
                if (sibling.State == PerfEventState.Error)
                {
                    sibling.State = PerfEventState.Inactive;
                }
            }

            CallGuestOwnerBeforeEnable(perfEvent);
            Reschedule();
        }
        else if (perfEvent.Stopped && perfEvent.State == PerfEventState.Active)
        {
            Start(perfEvent);
        }
    }

    /// <summary>perf_event_disable.</summary>
    public void Disable(PerfEvent perfEvent)
    {
        if (perfEvent.State < PerfEventState.Inactive)
        {
            return;
        }

        UpdateTimes();
        if (perfEvent.State == PerfEventState.Active)
        {
            Unprogram(perfEvent);
            EnableAll();
        }

        perfEvent.State = PerfEventState.Off;
        Reschedule();
    }

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
        ulong mask = isFixed ? Pmu.Caps.FixedCounterMask : Pmu.Caps.GpCounterMask;
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
    public ulong? GuestGlobalCtrl() => Pmu.Caps.IsIntel && Pmu.Caps.Version >= 2 ? EnabledMask(forGuest: true) : null;

    /// <summary>The host value the CPU restores at VM-exit.</summary>
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
