using System;
using System.Collections.Generic;
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
        _maxPeriod = MaxPeriodOf(pmu);
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

    /// <summary>No event exists on this CPU: a reschedule writes nothing (a mediated guest's switch with an idle host).</summary>
    internal bool HasNoEvents => _events.Count == 0 && _flexibleOrder.Count == 0;

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
}
