using System.Threading.Tasks;
using MsrGen.Analyzers.CodeFixes;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.CodeFixes;

[TestClass]
public sealed class AddCapabilityGuardCodeFixTests
{
    [TestMethod]
    public Task UnguardedAccesses_AreWrapped_FixAll() => CodeFixAsync<AddCapabilityGuardCodeFix>(Usings + @"
class Driver
{
    void Setup(IMsrBus bus, PmuCaps caps)
    {
        {|#0:bus.Write(Ia32APmc.Zero, 1)|};
        {|#1:bus.Write(MsrKvmPvLbrCtrl.Zero)|};
    }
}",
        new[]
        {
            Diagnostic("MSR1006").WithLocation(0).WithArguments(
                "IA32_A_PMC1", "intel && (fw-writes)", "'fw-writes'", "if (caps.IsIntel && caps.FullWidthWrites) { … }"),
            Diagnostic("MSR1006").WithLocation(1).WithArguments(
                "MSR_KVM_PV_LBR_CTRL", "pv-lbr-ctrl", "'pv-lbr-ctrl'", "if (caps.Has(PmuFeatures.PvLbrCtrl)) { … }"),
        },
        Usings + @"
class Driver
{
    void Setup(IMsrBus bus, PmuCaps caps)
    {
        if (caps.IsIntel && caps.FullWidthWrites)
        {
            bus.Write(Ia32APmc.Zero, 1);
        }
        if (caps.Has(PmuFeatures.PvLbrCtrl))
        {
            bus.Write(MsrKvmPvLbrCtrl.Zero);
        }
    }
}");

    [TestMethod]
    public Task CapsFromAFieldOfTheType_IsUsed() => CodeFixAsync<AddCapabilityGuardCodeFix>(Usings + @"
class Driver
{
    private readonly PmuCaps _caps;

    void Setup(IMsrBus bus)
    {
        {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};
    }
}",
        new[]
        {
            Diagnostic("MSR1006").WithLocation(0).WithArguments(
                "IA32_PERF_GLOBAL_CTRL", "intel && (version >= 2)", "'version'", "if (_caps.IsIntel && _caps.Version >= 2) { … }"),
        },
        Usings + @"
class Driver
{
    private readonly PmuCaps _caps;

    void Setup(IMsrBus bus)
    {
        if (_caps.IsIntel && _caps.Version >= 2)
        {
            bus.Write(Ia32PerfGlobalCtrl.Zero);
        }
    }
}");

    [TestMethod]
    public Task NoCapsInScope_OffersNoFix()
    {
        string source = Usings + @"
class Driver
{
    static void Setup(IMsrBus bus)
    {
        {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};
    }
}";
        return CodeFixAsync<AddCapabilityGuardCodeFix>(
            source,
            new[]
            {
                Diagnostic("MSR1006").WithLocation(0).WithArguments(
                    "IA32_PERF_GLOBAL_CTRL", "intel && (version >= 2)", "'version'", "if (caps.IsIntel && caps.Version >= 2) { … }"),
            },
            source,
            Diagnostic("MSR1006").WithLocation(0).WithArguments(
                "IA32_PERF_GLOBAL_CTRL", "intel && (version >= 2)", "'version'", "if (caps.IsIntel && caps.Version >= 2) { … }"));
    }
}
