namespace MsrGen.Runtime.HostPerf;

/// <summary>
/// What perf does with an exclude_guest event that must be scheduled in while a guest's PMU
/// context is loaded on its CPU (Dapeng Mi, "Re: [RFC PATCH 23/41] KVM: x86/pmu: Implement the save/restore of PMU state for Intel CPU", LKML, 2024-04-25), chosen per VM with <c>vm ... host-callback=</c>.
/// </summary>
public enum GuestPmuHandoff
{
    /// <summary>Linux 7.0 as merged (<c>host-callback=defer</c>, the default): the event waits until KVM puts the guest context.</summary>
    Defer,

    /// <summary>The answer proposed in that thread (<c>host-callback=on</c>): perf calls KVM, which puts the guest state before perf programs anything.</summary>
    Callback,

    /// <summary>No guard (<c>host-callback=off</c>): perf programs its counters over the loaded guest state and never calls KVM.</summary>
    None,
}

/// <summary>
/// KVM's side of the perf→KVM hook, registered on a CPU's <see cref="HostPerfContext"/> by a
/// mediated vPMU while guest PMU state is loaded or still resident in that CPU's PMU.
/// </summary>
public interface IGuestPmuOwner
{
    /// <summary>How perf treats exclude_guest events enabled while the guest context is loaded.</summary>
    GuestPmuHandoff Handoff { get; }

    /// <summary>Guest PMU state is loaded, or some guest register is still resident in hardware.</summary>
    bool HoldsGuestState { get; }

    /// <summary>
    /// Called by perf before it writes PMU MSRs. <paramref name="counterMask"/> names the counters it
    /// is about to program, in perf's numbering (GP counter i is bit i, fixed counter i is bit 32 + i).
    /// With the guest context loaded the owner puts the whole guest state (and loads it again before
    /// the next VM-entry); with only resident registers it hands back exactly those counters.
    /// </summary>
    void ReleaseCounters(ulong counterMask);
}
