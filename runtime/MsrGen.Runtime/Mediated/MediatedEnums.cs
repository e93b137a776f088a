namespace MsrGen.Runtime.Mediated;

/// <summary>Where the mediated PMU switches between host perf and the guest (the <c>placement</c> key).</summary>
public enum SwitchPlacement
{
    /// <summary>At every VM-exit and VM-entry, fastpath exits included (Xiong Zhang's RFC v1, 2024-01-26; the "too expensive" of Sean Christopherson, "Re: [Patch v4 07/13] perf/x86: Add constraint for guest perf metrics event", LKML, 2023-10-02).</summary>
    Exit,
    /// <summary>Around KVM's inner run loop: fastpath exits do not switch (Linux 7.0).</summary>
    RunLoop,
    /// <summary>Only when the vCPU task is scheduled out or KVM_RUN returns to userspace (the FPU-like option).</summary>
    VcpuLoad,
    /// <summary>The guest owns the PMU outright; host perf has no PMU on this CPU.</summary>
    Owned,
    /// <summary>At the run-loop boundary, moving only what the guest or the host touched since the last switch.</summary>
    DirtyOnly,
}

/// <summary>Where the vCPU task is.</summary>
public enum VcpuLocation
{
    /// <summary>Not in KVM_RUN (userspace, or another task's time).</summary>
    Outside,
    /// <summary>In KVM_RUN on the host side, between a VM-exit and the next VM-entry.</summary>
    RunLoop,
    GuestMode,
    ScheduledOut,
}

/// <summary>How a VM-exit is handled.</summary>
public enum ExitKind
{
    /// <summary>Handled in KVM's fastpath (TSC-deadline WRMSR, IPI); skips an emulated instruction.</summary>
    Fastpath,
    /// <summary>Leaves the inner loop (CPUID, intercepted MSR, ...); skips an emulated instruction.</summary>
    Slow,
    /// <summary>A host interrupt (an IPI, the mediated PMI on 0xF5); no instruction is skipped.</summary>
    ExternalInterrupt,
}

/// <summary>Where the vCPU task is when host perf enables an event on its CPU (Dapeng Mi, "Re: [RFC PATCH 23/41] KVM: x86/pmu: Implement the save/restore of PMU state for Intel CPU", LKML, 2024-04-25).</summary>
public enum HostEnablePoint
{
    Outside,
    RunLoop,
    GuestMode,
}
