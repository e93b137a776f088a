namespace MsrGen.Runtime.Lbr;

/// <summary>
/// Cycle costs the LBR model charges, each default taken from a row of
/// <c>shared/reference/cost-anchors.md</c> (the row id is in the property's comment and in
/// <see cref="Citation"/>). Overridable with <c>with { ... }</c>.
/// </summary>
public sealed record LbrCostTable
{
    public static LbrCostTable Default { get; } = new();

    /// <summary>One RDMSR in a save loop: C6, 334 cycles for 8 RDMSRs ≈ 42 each (derived).</summary>
    public long RdmsrCycles { get; init; } = 42;

    /// <summary>One WRMSR in a restore loop: C6, 1668 cycles for 8 WRMSRs ≈ 208 each (derived).</summary>
    public long WrmsrCycles { get; init; } = 208;

    /// <summary>Trap-and-emulate of one intercepted MSR access: C5, ~1500 cycles on Skylake.</summary>
    public long InterceptedAccessCycles { get; init; } = 1500;

    /// <summary>A host timer interrupt that forces the running guest out and back: C5 (same round trip).</summary>
    public long TimerExitCycles { get; init; } = 1500;

    /// <summary>Simulated time one taken branch represents (a model assumption, not an anchor).</summary>
    public long CyclesPerBranch { get; init; } = 5;

    /// <summary>The cost anchors behind the defaults, for reports.</summary>
    public static string Citation =>
        "RDMSR 42 / WRMSR 208 cycles (cost-anchors C6, derived per MSR); intercepted access and timer exit 1500 cycles (C5); "
        + "full 96-MSR LBR switch ≈ 24k cycles (L2 = 96×42 + 96×208).";

    /// <summary>Cycles of a save (RDMSRs) plus a restore (WRMSRs) of <paramref name="msrs"/> registers each.</summary>
    public long SaveRestoreCycles(int msrs) => msrs * (RdmsrCycles + WrmsrCycles);
}
