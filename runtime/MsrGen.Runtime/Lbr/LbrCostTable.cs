namespace MsrGen.Runtime.Lbr;

/// <summary>
/// Cycle costs the LBR model charges, each default taken from a published figure (docs/sources.md;
/// the source is in the property's comment and in <see cref="Citation"/>). Overridable with
/// <c>with { ... }</c>.
/// </summary>
public sealed record LbrCostTable
{
    public static LbrCostTable Default { get; } = new();

    /// <summary>One RDMSR in a save loop: Luwei Kang, "KVM: VMX: Intel PT configuration switch using XSAVES/XRSTORS", 2019-05-16: 334 cycles for 8 RDMSRs ≈ 42 each (derived).</summary>
    public long RdmsrCycles { get; init; } = 42;

    /// <summary>One WRMSR in a restore loop: same posting: 1668 cycles for 8 WRMSRs ≈ 208 each (derived).</summary>
    public long WrmsrCycles { get; init; } = 208;

    /// <summary>Trap-and-emulate of one intercepted MSR access: ~1500 cycles on Skylake (Sean Christopherson in the KVM SGX series, "[RFC PATCH v3 25/27] KVM: VMX: Add ENCLS[EINIT] handler to support SGX Launch Control (LC)", 2021-01-26).</summary>
    public long InterceptedAccessCycles { get; init; } = 1500;

    /// <summary>A host timer interrupt that forces the running guest out and back: the same ~1500-cycle round trip.</summary>
    public long TimerExitCycles { get; init; } = 1500;

    /// <summary>Simulated time one taken branch represents (a model assumption, not a published figure).</summary>
    public long CyclesPerBranch { get; init; } = 5;

    /// <summary>The published sources behind the defaults, for reports (short names from docs/sources.md).</summary>
    public static string Citation =>
        "RDMSR 42 / WRMSR 208 cycles (derived per MSR from Kang 2019); intercepted access and timer exit 1,500 cycles (Christopherson 2021); "
        + "full 96-MSR LBR switch ≈ 24,000 cycles (96 × 42 + 96 × 208; see docs/sources.md).";

    /// <summary>Cycles of a save (RDMSRs) plus a restore (WRMSRs) of <paramref name="msrs"/> registers each.</summary>
    public long SaveRestoreCycles(int msrs) => msrs * (RdmsrCycles + WrmsrCycles);
}
