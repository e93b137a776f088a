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
