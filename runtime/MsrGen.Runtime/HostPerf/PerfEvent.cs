using System.Collections.Generic;

namespace MsrGen.Runtime.HostPerf;

/// <summary>The errno a perf (or KVM ioctl) call fails with; <see cref="None"/> is success.</summary>
public enum PerfError : byte
{
    None = 0,
    Ebusy,
    Eopnotsupp,
    Einval,
    E2big,
    Enoent,
}

/// <summary>perf's event states (include/linux/perf_event.h), plus Released for a closed event.</summary>
public enum PerfEventState : sbyte
{
    Released = -3,
    /// <summary>A pinned event that could not get a counter: it no longer counts until re-enabled.</summary>
    Error = -2,
    Off = -1,
    Inactive = 0,
    Active = 1,
}

/// <summary>The perf_event_attr fields that KVM and host users set.</summary>
public sealed record PerfEventAttr
{
    /// <summary>Raw event-select bits (event, umask, flags such as IN_TX / IN_TXCP, AMD event[11:8]).</summary>
    public ulong Config { get; init; }
    public bool ExcludeGuest { get; init; }
    public bool ExcludeHost { get; init; }
    public bool ExcludeUser { get; init; }
    public bool ExcludeKernel { get; init; }
    public bool Pinned { get; init; }
    public bool Disabled { get; init; }
    /// <summary>0: counting event; otherwise overflow after this many events.</summary>
    public ulong SamplePeriod { get; init; }
    /// <summary>-1: any CPU (a per-task event follows its task).</summary>
    public int Cpu { get; init; } = -1;
    public int PreciseIp { get; init; }
    /// <summary>Created by the kernel (KVM) rather than through perf_event_open.</summary>
    public bool KernelCounter { get; init; }

    /// <summary>The task a per-task event follows (KVM's events follow the vCPU thread); null for CPU events.</summary>
    public object? Task { get; init; }
}

/// <summary>The overflow callback of a sampling event, told the period that elapsed.</summary>
public delegate void PerfOverflowHandler(PerfEvent perfEvent, ulong period);

/// <summary>One host perf event. Counts and times are read through <see cref="HostPerfContext"/>.</summary>
public sealed class PerfEvent
{
    internal PerfEvent(int id, string name, PerfEventAttr attr, PerfEvent? leader, PerfOverflowHandler? handler, object? owner)
    {
        Id = id;
        Name = name;
        Attr = attr;
        Leader = leader ?? this;
        OverflowHandler = handler;
        Owner = owner;
        SamplePeriod = attr.SamplePeriod;
    }

    public int Id { get; }
    public string Name { get; }
    public PerfEventAttr Attr { get; }
    public PerfEvent Leader { get; internal set; }
    public bool IsLeader => ReferenceEquals(Leader, this);
    internal List<PerfEvent> Siblings { get; } = new();
    public IReadOnlyList<PerfEvent> GroupSiblings => Siblings;
    public PerfOverflowHandler? OverflowHandler { get; }
    public object? Owner { get; }
    public PerfEventState State { get; internal set; } = PerfEventState.Off;

    /// <summary>Current sample period (perf_event_period changes it).</summary>
    public ulong SamplePeriod { get; internal set; }
    public long Overflows { get; internal set; }
    public ulong TimeEnabled { get; internal set; }
    public ulong TimeRunning { get; internal set; }

    /// <summary>Stopped by perf_event_pause: keeps its counter but does not count.</summary>
    public bool Stopped { get; internal set; }

    /// <summary>The counter it occupies while active: GP index, or 32 + fixed index; -1 when none.</summary>
    public int Counter { get; internal set; } = -1;

    internal ulong Count;
    internal ulong PeriodLeft;
    internal ulong HardwareStart;
    internal ulong LastTimeUpdate;
    internal int CreationOrder;

    public bool IsSampling => SamplePeriod != 0;

    public override string ToString() => $"{Name} ({State})";
}
