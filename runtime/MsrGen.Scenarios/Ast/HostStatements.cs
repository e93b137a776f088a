using System;

namespace MsrGen.Scenarios;

/// <summary><c>host wrmsr MSR VALUE [=&gt; ok|error]</c> (KVM_SET_MSRS)</summary>
public sealed record HostWrmsr(SourceSpan Span, MsrOperand Msr, ulong Value, Expectation? Expect) : Statement(Span);

/// <summary><c>host rdmsr MSR [=&gt; VALUE|error]</c> (KVM_GET_MSRS)</summary>
public sealed record HostRdmsr(SourceSpan Span, MsrOperand Msr, Expectation? Expect) : Statement(Span);

[Flags]
public enum HostPerfFlags
{
    None = 0,
    ExcludeGuest = 1,
    Pinned = 2,
    Disabled = 4,
    ExcludeHost = 8,

    /// <summary>A branch-stack event (<c>perf record -b</c>): it uses the CPU's LBR.</summary>
    Lbr = 16,
}

/// <summary>
/// <c>host perf open NAME EVENT [exclude-guest] [pinned] [disabled] [exclude-host] [lbr] [period=N]
/// [cpu=N] [group=LEADER] [=&gt; ok|EBUSY|EOPNOTSUPP|...]</c>
/// </summary>
public sealed record HostPerfOpen(
    SourceSpan Span,
    string Name,
    EventSpec Event,
    HostPerfFlags Flags,
    ulong? Period,
    ulong? Cpu,
    string? Group,
    Expectation? Expect) : Statement(Span);

/// <summary><c>host perf close NAME</c></summary>
public sealed record HostPerfClose(SourceSpan Span, string Name) : Statement(Span);

/// <summary><c>host perf read NAME [=&gt; VALUE]</c></summary>
public sealed record HostPerfRead(SourceSpan Span, string Name, Expectation? Expect) : Statement(Span);

/// <summary>Where the vCPU task is when a host perf event gets enabled on its CPU.</summary>
public enum PerfEnablePoint
{
    /// <summary>Outside KVM_RUN (the default).</summary>
    Outside,

    /// <summary>In KVM's run loop, between VM-exit and the next VM-entry.</summary>
    RunLoop,

    /// <summary>While the guest runs (the IPI forces a VM-exit first).</summary>
    GuestMode,
}

/// <summary><c>host perf enable NAME [at=guest-mode|run-loop|outside] [=&gt; ok|...]</c></summary>
public sealed record HostPerfEnable(SourceSpan Span, string Name, PerfEnablePoint At, Expectation? Expect) : Statement(Span);

/// <summary><c>host perf disable NAME [=&gt; ok|...]</c></summary>
public sealed record HostPerfDisable(SourceSpan Span, string Name, Expectation? Expect) : Statement(Span);

/// <summary><c>host run EVENT=COUNT ...</c>: the host (not the guest) retires events.</summary>
public sealed record HostRun(SourceSpan Span, EquatableList<EventCount> Events) : Statement(Span);

/// <summary><c>host thread branches=N</c>: a host thread on this CPU takes N branches.</summary>
public sealed record HostThreadBranches(SourceSpan Span, ulong Branches) : Statement(Span);

public enum FilterAction
{
    Allow,
    Deny,
}

/// <summary><c>filter allow|deny [events=V,V,...] [fixed-bitmap=N] [masked] [=&gt; ok|EINVAL|E2BIG]</c></summary>
public sealed record FilterStatement(
    SourceSpan Span,
    FilterAction Action,
    EquatableList<ulong> Events,
    ulong? FixedBitmap,
    bool Masked,
    Expectation? Expect) : Statement(Span);
