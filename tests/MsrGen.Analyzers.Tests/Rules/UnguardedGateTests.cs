using System.Threading.Tasks;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.Rules;

[TestClass]
public sealed class UnguardedGateTests
{
    [TestMethod]
    public Task FullWidthCounterWithoutFwWrites_Triggers() => AnalyzerAsync(Usings + @"
class Driver
{
    void Preset(IMsrBus bus, PmuCaps caps) => {|#0:bus.Write(Ia32APmc.Zero, 1)|};
}",
        Diagnostic("MSR1006").WithLocation(0).WithArguments(
            "IA32_A_PMC1", "intel && (fw-writes)", "'fw-writes'", "if (caps.IsIntel && caps.FullWidthWrites) { … }"));

    [TestMethod]
    public Task PvLbrCtrlAndGlobalCtrlWithoutGuards_Trigger() => AnalyzerAsync(Usings + @"
class Driver
{
    void Setup(IMsrBus bus, PmuCaps caps)
    {
        {|#0:bus.Write(MsrKvmPvLbrCtrl.Zero)|};
        if (caps.GpCounters > 0)
        {
            {|#1:bus.Read(out Ia32PerfGlobalCtrl ctrl)|};
        }
    }
}",
        Diagnostic("MSR1006").WithLocation(0).WithArguments(
            "MSR_KVM_PV_LBR_CTRL", "pv-lbr-ctrl", "'pv-lbr-ctrl'", "if (caps.Has(PmuFeatures.PvLbrCtrl)) { … }"),
        Diagnostic("MSR1006").WithLocation(1).WithArguments(
            "IA32_PERF_GLOBAL_CTRL", "intel && (version >= 2)", "'version'", "if (caps.IsIntel && caps.Version >= 2) { … }"));

    [TestMethod]
    public Task GuardsOfEveryShape_DoNotTrigger() => AnalyzerAsync(Usings + @"
class Driver
{
    PmuCaps _caps;

    void Setup(IMsrBus bus, PmuCaps caps)
    {
        if (caps.FullWidthWrites)
        {
            bus.Write(Ia32APmc.Zero, 1);
        }

        if (caps.Version >= 2) bus.Write(Ia32PerfGlobalCtrl.Zero);
        _ = caps.Version >= 2 && bus.Write(MsrAmd64PerfCntrGlobalCtl.Zero) == MsrAccessResult.Ok;
        if (Ia32PebsEnable.Exists(caps)) bus.Write(Ia32PebsEnable.Zero);
        if (!caps.Has(PmuFeatures.PvLbrCtrl))
        {
            return;
        }

        bus.Write(MsrKvmPvLbrCtrl.Zero);
    }

    void Counters(IMsrBus bus)
    {
        if (!_caps.FullWidthWrites) throw new System.InvalidOperationException();
        bus.Write(Ia32APmc.Zero, 0);
    }

    [AssumePmuCaps(Version = 2)]
    void Stated(IMsrBus bus) => bus.Write(Ia32PerfGlobalCtrl.Zero);

    void Ungated(IMsrBus bus) => bus.Write(Ia32Pmc.Zero, 3);
}");

    [TestMethod]
    public Task AmdGlobalControl_IsGuardedByPerfmonV2OrVersion_ButNotByAnotherFeature() => AnalyzerAsync(Usings + @"
class Driver
{
    void Setup(IMsrBus bus, PmuCaps caps)
    {
        if (caps.Has(PmuFeatures.PerfmonV2))
        {
            bus.Write(MsrAmd64PerfCntrGlobalCtl.Zero);
        }

        if (caps.Version >= 2)
        {
            bus.Read(out MsrAmd64PerfCntrGlobalStatus status);
        }

        if (caps.Has(PmuFeatures.PerfctrCore))
        {
            {|#0:bus.Write(MsrAmd64PerfCntrGlobalCtl.Zero)|};
        }
    }
}",
        Diagnostic("MSR1006").WithLocation(0).WithArguments(
            "MSR_AMD64_PERF_CNTR_GLOBAL_CTL", "amd && (version >= 2)", "'version'", "if (caps.IsAmd && caps.Version >= 2) { … }"));

    [TestMethod]
    public Task StatedCapsWithoutTheFeature_StillTrigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps(Version = 1)]
class Driver
{
    void Setup(IMsrBus bus) => {|#0:bus.Write(Ia32FixedCtrCtrl.Zero)|};
}",
        Diagnostic("MSR1006").WithLocation(0).WithArguments(
            "IA32_FIXED_CTR_CTRL", "intel && (version >= 2)", "'version'", "if (caps.IsIntel && caps.Version >= 2) { … }"));
}
