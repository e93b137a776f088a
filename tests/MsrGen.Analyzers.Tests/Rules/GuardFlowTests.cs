using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.Rules;

/// <summary>
/// MSR1006 reads a guard's direction: a check counts only where it dominates the access with the value
/// that makes the register exist. IA32_PERF_GLOBAL_CTRL needs 'version &gt;= 2' (SDM Vol. 3B 20.2.2,
/// KVM intel_pmu_refresh()), IA32_A_PMCn needs full-width writes (KVM get_fw_gp_pmc()).
/// </summary>
[TestClass]
public sealed class GuardFlowTests
{
    private static DiagnosticResult GlobalCtrl(int location) =>
        Diagnostic("MSR1006").WithLocation(location).WithArguments(
            "IA32_PERF_GLOBAL_CTRL", "intel && (version >= 2)", "'version'", "if (caps.IsIntel && caps.Version >= 2) { … }");

    private static DiagnosticResult FullWidth(int location) =>
        Diagnostic("MSR1006").WithLocation(location).WithArguments(
            "IA32_A_PMC0", "intel && (fw-writes)", "'fw-writes'", "if (caps.IsIntel && caps.FullWidthWrites) { … }");

    private static Task Body(string body, params DiagnosticResult[] expected) => AnalyzerAsync(Usings + @"
class Driver
{
    void Run(IMsrBus bus, PmuCaps caps)
    {
" + body + @"
    }
}", expected);

    // ---- the else branch -------------------------------------------------------------------

    [TestMethod]
    public Task ElseBranchOfAVersionCheck_Triggers() => Body(@"
        if (caps.Version >= 2) { }
        else { {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|}; }", GlobalCtrl(0));

    [TestMethod]
    public Task ElseBranchOfAFailedVersionCheck_DoesNotTrigger() => Body(@"
        if (caps.Version < 2) { }
        else { bus.Write(Ia32PerfGlobalCtrl.Zero); }");

    // ---- negation --------------------------------------------------------------------------

    [TestMethod]
    public Task NegatedCapabilityCheck_Triggers() => Body(@"
        if (!caps.FullWidthWrites) {|#0:bus.Write(Ia32APmc.Zero)|};", FullWidth(0));

    [TestMethod]
    public Task DoublyNegatedCapabilityCheck_DoesNotTrigger() => Body(@"
        if (!!caps.FullWidthWrites) bus.Write(Ia32APmc.Zero);
        if (!(caps.Version < 2)) bus.Write(Ia32PerfGlobalCtrl.Zero);");

    // ---- early exits -----------------------------------------------------------------------

    [TestMethod]
    public Task EarlyReturnWhenTheCapabilityIsPresent_Triggers() => Body(@"
        if (caps.FullWidthWrites) return;
        {|#0:bus.Write(Ia32APmc.Zero)|};", FullWidth(0));

    [TestMethod]
    public Task EarlyReturnWhenTheCapabilityIsMissing_DoesNotTrigger() => Body(@"
        if (!caps.FullWidthWrites) return;
        bus.Write(Ia32APmc.Zero);");

    [TestMethod]
    public Task EarlyThrowWhenTheVersionIsHigh_Triggers() => Body(@"
        if (caps.Version >= 2) throw new System.InvalidOperationException();
        {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};", GlobalCtrl(0));

    [TestMethod]
    public Task EarlyThrowWhenTheVersionIsLow_DoesNotTrigger() => Body(@"
        if (caps.Version < 2) throw new System.InvalidOperationException();
        bus.Write(Ia32PerfGlobalCtrl.Zero);");

    [TestMethod]
    public Task GuardThatDoesNotDominateTheAccess_Triggers() => Body(@"
        if (caps.FullWidthWrites)
        {
            System.Console.WriteLine();
        }

        {|#0:bus.Write(Ia32APmc.Zero)|};", FullWidth(0));

    // ---- && and || -------------------------------------------------------------------------

    [TestMethod]
    public Task AccessOnTheRightOfOr_Triggers() => Body(@"
        _ = caps.FullWidthWrites || {|#0:bus.Write(Ia32APmc.Zero)|} == MsrAccessResult.Ok;", FullWidth(0));

    [TestMethod]
    public Task AccessOnTheRightOfOrWithANegatedLeft_DoesNotTrigger() => Body(@"
        _ = !caps.FullWidthWrites || bus.Write(Ia32APmc.Zero) == MsrAccessResult.Ok;");

    [TestMethod]
    public Task AccessOnTheRightOfAnd_DoesNotTrigger() => Body(@"
        _ = caps.IsIntel && caps.Version >= 2 && bus.Write(Ia32PerfGlobalCtrl.Zero) == MsrAccessResult.Ok;");

    [TestMethod]
    public Task ElseOfAnAndCondition_Triggers() => Body(@"
        if (caps.IsIntel && caps.Version >= 2) { }
        else { {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|}; }", GlobalCtrl(0));

    [TestMethod]
    public Task ElseOfAnOrOfMissingCapabilities_DoesNotTrigger() => Body(@"
        if (!caps.FullWidthWrites || caps.Version < 2) { }
        else
        {
            bus.Write(Ia32APmc.Zero);
            bus.Write(Ia32PerfGlobalCtrl.Zero);
        }");

    // ---- conditional expressions -----------------------------------------------------------

    [TestMethod]
    public Task ConditionalExpressionFalseArm_Triggers() => Body(@"
        var r = caps.FullWidthWrites ? MsrAccessResult.Ok : {|#0:bus.Write(Ia32APmc.Zero)|};", FullWidth(0));

    [TestMethod]
    public Task ConditionalExpressionTrueArm_DoesNotTrigger() => Body(@"
        var r = caps.FullWidthWrites ? bus.Write(Ia32APmc.Zero) : MsrAccessResult.GeneralProtection;");

    // ---- patterns --------------------------------------------------------------------------

    [TestMethod]
    public Task PropertyAndRelationalPatterns_DoNotTrigger() => Body(@"
        if (caps is { Version: >= 2 }) bus.Write(Ia32PerfGlobalCtrl.Zero);
        if (caps.Version is >= 3 and <= 5) bus.Write(Ia32PerfGlobalCtrl.Zero);
        if (caps.FullWidthWrites is true) bus.Write(Ia32APmc.Zero);
        if (caps is { FullWidthWrites: true, Version: > 1 })
        {
            bus.Write(Ia32APmc.Zero);
            bus.Write(Ia32PerfGlobalCtrl.Zero);
        }");

    [TestMethod]
    public Task NegatedPattern_Triggers() => Body(@"
        if (caps is not { Version: >= 2 }) {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};", GlobalCtrl(0));

    [TestMethod]
    public Task PatternWithATooLowBound_Triggers() => Body(@"
        if (caps.Version is >= 1) {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};", GlobalCtrl(0));

    [TestMethod]
    public Task SwitchOnTheVersion_GuardsOnlyTheMatchingSection() => Body(@"
        switch (caps.Version)
        {
            case >= 2:
                bus.Write(Ia32PerfGlobalCtrl.Zero);
                break;
            default:
                {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};
                break;
        }", GlobalCtrl(0));

    // ---- locals ----------------------------------------------------------------------------

    [TestMethod]
    public Task GuardHeldInALocal_DoesNotTrigger() => Body(@"
        bool ok = caps.FullWidthWrites;
        if (ok) bus.Write(Ia32APmc.Zero);
        bool v2 = caps.IsIntel && caps.Version >= 2;
        if (!v2) return;
        bus.Write(Ia32PerfGlobalCtrl.Zero);");

    [TestMethod]
    public Task LocalAssignedAgain_IsNotAGuard() => Body(@"
        bool ok = caps.FullWidthWrites;
        ok = true;
        if (ok) {|#0:bus.Write(Ia32APmc.Zero)|};", FullWidth(0));

    [TestMethod]
    public Task VersionHeldInALocal_IsComparedAgainstTheGate() => Body(@"
        int version = caps.Version;
        if (version >= 2) bus.Write(Ia32PerfGlobalCtrl.Zero);
        if (version >= 1) {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};", GlobalCtrl(0));

    // ---- thresholds ------------------------------------------------------------------------

    [TestMethod]
    public Task TooLowThreshold_Triggers() => Body(@"
        if (caps.Version >= 1) {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};", GlobalCtrl(0));

    [TestMethod]
    public Task GreaterThanOneGuards_GreaterThanZeroDoesNot() => Body(@"
        if (caps.Version > 1) bus.Write(Ia32PerfGlobalCtrl.Zero);
        if (caps.Version > 0) {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};", GlobalCtrl(0));

    [TestMethod]
    public Task HigherThresholdsAndMirroredComparisons_DoNotTrigger() => Body(@"
        const int Needed = 2;
        if (caps.Version >= 3) bus.Write(Ia32PerfGlobalCtrl.Zero);
        if (2 <= caps.Version) bus.Write(Ia32PerfGlobalCtrl.Zero);
        if (caps.Version >= Needed) bus.Write(Ia32PerfGlobalCtrl.Zero);
        if (caps.Lookup(""version"") >= 2) bus.Write(Ia32PerfGlobalCtrl.Zero);");

    [TestMethod]
    public Task ThresholdOfAVersion4Register_IsNotMetByVersion2() => Body(@"
        if (caps.Version >= 2) {|#0:bus.Write(Ia32PerfGlobalStatusSet.Zero)|};
        if (caps.Version >= 4) bus.Write(Ia32PerfGlobalStatusSet.Zero);",
        Diagnostic("MSR1006").WithLocation(0).WithArguments(
            "IA32_PERF_GLOBAL_STATUS_SET", "intel && (version >= 4)", "'version'", "if (caps.IsIntel && caps.Version >= 4) { … }"));

    // ---- loops and lambdas -----------------------------------------------------------------

    [TestMethod]
    public Task LoopCondition_GuardsItsBodyButNotWhatFollows() => Body(@"
        while (caps.Version >= 2)
        {
            bus.Write(Ia32PerfGlobalCtrl.Zero);
            break;
        }

        {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};", GlobalCtrl(0));

    [TestMethod]
    public Task LambdaCreatedUnderAGuard_DoesNotTrigger() => Body(@"
        if (caps.FullWidthWrites)
        {
            System.Action preset = () => bus.Write(Ia32APmc.Zero);
            preset();
        }");

    [TestMethod]
    public Task LambdaCreatedOutsideTheGuard_Triggers() => Body(@"
        System.Action preset = () => {|#0:bus.Write(Ia32APmc.Zero)|};
        if (caps.FullWidthWrites) preset();", FullWidth(0));

    [TestMethod]
    public Task LocalFunction_IsJudgedByItsOwnBodyNotByItsCallers() => Body(@"
        if (caps.FullWidthWrites) Preset();
        Guarded();

        void Preset() => {|#0:bus.Write(Ia32APmc.Zero)|};

        void Guarded()
        {
            if (!caps.FullWidthWrites) return;
            bus.Write(Ia32APmc.Zero);
        }", FullWidth(0));
}
