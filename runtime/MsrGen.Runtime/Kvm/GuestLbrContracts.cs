using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm;

/// <summary>What a guest LBR read finds.</summary>
public enum LbrReadResult : byte
{
    /// <summary>Only the guest's own branches.</summary>
    Clean = 0,
    /// <summary>Branches the guest did not take are visible.</summary>
    Polluted = 1,
    /// <summary>No LBR records at all (LBR not offered, or reclaimed by the host).</summary>
    Empty = 2,
}

/// <summary>
/// A guest LBR virtualisation strategy for one vCPU. The vCPU asks it first for every MSR it
/// claims (DEBUGCTL, LBR stack, MSR_KVM_PV_LBR_CTRL, ...), calls its hooks around entries, exits
/// and scheduling, and hands it the LBR scenario statements.
/// </summary>
public interface IGuestLbrModel
{
    /// <summary>Whether this model handles accesses to <paramref name="register"/>.</summary>
    bool Claims(MsrRef register);

    MsrAccessResult GetMsr(MsrRef register, bool hostInitiated, out ulong value);

    MsrAccessResult SetMsr(MsrRef register, ulong value, bool hostInitiated);

    /// <summary>guest lbr callstack on|off</summary>
    void SetCallstackMode(bool enabled);

    /// <summary>guest context-switch</summary>
    void GuestContextSwitch();

    /// <summary>guest branches N, and the branches of guest run</summary>
    void GuestBranches(ulong count);

    /// <summary>host thread branches=N on the vCPU's CPU</summary>
    void HostThreadBranches(ulong count);

    /// <summary>guest lbr read</summary>
    LbrReadResult ReadStack();

    /// <summary>guest pmi: the guest PMI handler runs (it reads the LBRs in call-stack mode).</summary>
    void GuestPmi();

    void BeforeVmEntry();

    void AfterVmExit(VmExitKind kind);

    void SchedIn();

    void SchedOut();

    /// <summary>idle CYCLES: time passes with the vCPU halted.</summary>
    void Idle(ulong cycles);

    /// <summary>A PMI was injected (Intel's FREEZE_LBRS_ON_PMI emulation clears DEBUGCTL.LBR).</summary>
    void OnPmiDelivered();

    void Destroy();
}

/// <summary>Creates a guest LBR model for a strategy name (<c>vm lbr=NAME</c>); found by reflection.</summary>
public interface IGuestLbrModelFactory
{
    /// <summary>The <c>lbr=</c> names this factory serves (pv, lazy, timer, kvm, always, none).</summary>
    System.Collections.Generic.IReadOnlyList<string> Strategies { get; }

    /// <summary>The strategy used when the <c>vm</c> line names none, or null when this factory has no opinion.</summary>
    string? DefaultStrategy(VmConfig config);

    /// <summary>Refuses a strategy for this VM (a message), or null.</summary>
    string? Validate(HostMachine host, VmConfig config, string strategy);

    IGuestLbrModel Create(Vcpu vcpu, string strategy);
}
