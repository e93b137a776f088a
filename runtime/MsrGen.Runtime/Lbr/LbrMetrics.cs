namespace MsrGen.Runtime.Lbr;

/// <summary>What one vCPU's LBR virtualisation did and cost, and what the guest got to see.</summary>
public sealed class LbrMetrics
{
    /// <summary>RDMSRs the host executed on LBR MSRs to save the guest stack.</summary>
    public long HostLbrReads { get; internal set; }

    /// <summary>WRMSRs the host executed on LBR MSRs to restore or wipe the stack.</summary>
    public long HostLbrWrites { get; internal set; }

    /// <summary>Guest RDMSR/WRMSR of LBR stack MSRs (LBR_SELECT, TOS, FROM/TO/INFO), whether or not they exited.</summary>
    public long GuestLbrAccesses { get; internal set; }

    /// <summary>Guest LBR stack accesses that were intercepted (one VM-exit each).</summary>
    public long InterceptedLbrAccesses { get; internal set; }

    /// <summary>Guest DEBUGCTL accesses (always intercepted by KVM).</summary>
    public long DebugctlExits { get; internal set; }

    /// <summary>Guest accesses of MSR_KVM_PV_LBR_CTRL (intercepted).</summary>
    public long PvCtrlExits { get; internal set; }

    /// <summary>#GPs injected into the guest for LBR-related MSR accesses.</summary>
    public long GeneralProtectionFaults { get; internal set; }

    /// <summary>Timer expiries of the <c>timer</c> strategy while the vCPU was loaded (each a VM-exit).</summary>
    public long TimerExits { get; internal set; }

    /// <summary>Timer expiries in total (including those while the vCPU was scheduled out).</summary>
    public long TimerFires { get; internal set; }

    /// <summary>vCPU switches (sched-out followed by sched-in) seen.</summary>
    public long VcpuSwitches { get; internal set; }

    /// <summary>Full stack saves and restores performed by the host.</summary>
    public long Saves { get; internal set; }

    public long Restores { get; internal set; }

    /// <summary>Host perf events created and released for the guest LBR user (<c>kvm</c>).</summary>
    public long PerfEventCreates { get; internal set; }

    public long PerfEventReleases { get; internal set; }

    /// <summary>Guest stack reads (each judged against ground truth).</summary>
    public long GuestReads { get; internal set; }

    /// <summary>Guest reads that saw at least one entry a host thread wrote.</summary>
    public long PollutedReads { get; internal set; }

    /// <summary>Entries the guest read that a host thread wrote.</summary>
    public long PollutedEntries { get; internal set; }

    /// <summary>Entries that should have held the guest's own branch but held something else (not host data).</summary>
    public long LostEntries { get; internal set; }

    public long HostLbrMsrOps => HostLbrReads + HostLbrWrites;

    public long ExitCount => InterceptedLbrAccesses + DebugctlExits + PvCtrlExits + TimerExits;

    /// <summary>Modeled host cycles spent on LBR state (MSR save/restore plus strategy-caused exits).</summary>
    /// <remarks>
    /// Priced from the runtime's one cost table: a save RDMSR at <c>rdmsr</c>, a restore WRMSR at
    /// <c>wrmsr</c>, and an intercepted LBR access or a host timer tick that forces the guest out at
    /// one <c>vmexit</c> round trip each.
    /// </remarks>
    public long ModeledCycles(Cost.CostTable costs) =>
        HostLbrReads * (long)costs[Cost.CostTable.Rdmsr] + HostLbrWrites * (long)costs[Cost.CostTable.Wrmsr]
        + (InterceptedLbrAccesses + TimerExits) * (long)costs[Cost.CostTable.VmExit];

    /// <summary>A metric by its scenario name (<c>lbr.*</c>); null when unknown.</summary>
    public long? Lookup(string name) => name switch
    {
        "lbr.host-reads" => HostLbrReads,
        "lbr.host-writes" => HostLbrWrites,
        "lbr.msr-ops" => HostLbrMsrOps,
        "lbr.guest-accesses" => GuestLbrAccesses,
        "lbr.exits" => InterceptedLbrAccesses,
        "lbr.debugctl-exits" => DebugctlExits,
        "lbr.pv-exits" => PvCtrlExits,
        "lbr.gp" => GeneralProtectionFaults,
        "lbr.timer-exits" => TimerExits,
        "lbr.timer-fires" => TimerFires,
        "lbr.switches" => VcpuSwitches,
        "lbr.saves" => Saves,
        "lbr.restores" => Restores,
        "lbr.perf-creates" => PerfEventCreates,
        "lbr.perf-releases" => PerfEventReleases,
        "lbr.reads" => GuestReads,
        "lbr.polluted-reads" => PollutedReads,
        "lbr.polluted-entries" => PollutedEntries,
        "lbr.entries-lost" => LostEntries,
        _ => null,
    };

    public static readonly string[] Names =
    [
        "lbr.host-reads", "lbr.host-writes", "lbr.msr-ops", "lbr.guest-accesses", "lbr.exits", "lbr.debugctl-exits",
        "lbr.pv-exits", "lbr.gp", "lbr.timer-exits", "lbr.timer-fires", "lbr.switches", "lbr.saves", "lbr.restores",
        "lbr.perf-creates", "lbr.perf-releases", "lbr.reads", "lbr.polluted-reads", "lbr.polluted-entries", "lbr.entries-lost",
    ];

    public void Reset()
    {
        HostLbrReads = HostLbrWrites = GuestLbrAccesses = InterceptedLbrAccesses = DebugctlExits = PvCtrlExits = 0;
        GeneralProtectionFaults = TimerExits = TimerFires = VcpuSwitches = Saves = Restores = 0;
        PerfEventCreates = PerfEventReleases = GuestReads = PollutedReads = PollutedEntries = LostEntries = 0;
    }
}
