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

    /// <summary>
    /// A guest RDMSR of a claimed register that the vCPU's MSR bitmap passes through (no VM-exit):
    /// the model keeps the bitmap entries of its MSRs in step with its intercept state through
    /// <see cref="Vcpu.SetIntercept"/>, so only the registers it passes through arrive here.
    /// </summary>
    MsrAccessResult PassthroughRead(MsrRef register, out ulong value);

    /// <summary>A guest WRMSR of a claimed register the MSR bitmap passes through (see <see cref="PassthroughRead"/>).</summary>
    MsrAccessResult PassthroughWrite(MsrRef register, ulong value);

    /// <summary>guest lbr callstack on|off</summary>
    void SetCallstackMode(bool enabled);

    /// <summary>guest context-switch</summary>
    void GuestContextSwitch();

    /// <summary>
    /// guest branches N, and the branches of guest run; the stretch took
    /// <paramref name="elapsedCycles"/> of the host clock already.
    /// </summary>
    void GuestBranches(ulong count, ulong elapsedCycles);

    /// <summary>host thread branches=N on the vCPU's CPU</summary>
    void HostThreadBranches(ulong count);

    /// <summary>
    /// A host perf event that uses the LBR (a branch-stack event) and outranks the guest's LBR event
    /// starts (<paramref name="active"/>) or stops running on the vCPU's CPU.
    /// </summary>
    void SetHostLbrUser(bool active);

    /// <summary>guest lbr read</summary>
    LbrReadResult ReadStack();

    /// <summary>guest pmi: the guest PMI handler runs (it reads the LBRs in call-stack mode).</summary>
    void GuestPmi();

    void BeforeVmEntry();

    void AfterVmExit(VmExitKind kind);

    void SchedIn();

    void SchedOut();

    /// <summary>idle CYCLES: time passed with the vCPU halted (the host clock has already advanced).</summary>
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
