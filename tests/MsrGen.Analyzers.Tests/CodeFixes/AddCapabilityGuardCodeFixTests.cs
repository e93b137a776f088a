using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
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

    private static DiagnosticResult GlobalCtrl(int location) =>
        Diagnostic("MSR1006").WithLocation(location).WithArguments(
            "IA32_PERF_GLOBAL_CTRL", "intel && (version >= 2)", "'version'", "if (caps.IsIntel && caps.Version >= 2) { … }");

    [TestMethod]
    public Task OutVariableUsedAfterTheAccess_IsHoisted() => CodeFixAsync<AddCapabilityGuardCodeFix>(Usings + @"
class Driver
{
    ulong Get(IMsrBus bus, PmuCaps caps)
    {
        {|#0:bus.Read(out Ia32PerfGlobalCtrl c)|};
        return c.Value;
    }
}",
        new[] { GlobalCtrl(0) },
        Usings + @"
class Driver
{
    ulong Get(IMsrBus bus, PmuCaps caps)
    {
        Ia32PerfGlobalCtrl c = default;
        if (caps.IsIntel && caps.Version >= 2)
        {
            bus.Read(out c);
        }
        return c.Value;
    }
}");

    [TestMethod]
    public Task OutVariableNotUsedAfter_IsWrappedAsItIs() => CodeFixAsync<AddCapabilityGuardCodeFix>(Usings + @"
class Driver
{
    void Log(IMsrBus bus, PmuCaps caps)
    {
        {|#0:bus.Read(out Ia32PerfGlobalCtrl c)|};
    }
}",
        new[] { GlobalCtrl(0) },
        Usings + @"
class Driver
{
    void Log(IMsrBus bus, PmuCaps caps)
    {
        if (caps.IsIntel && caps.Version >= 2)
        {
            bus.Read(out Ia32PerfGlobalCtrl c);
        }
    }
}");

    [TestMethod]
    public Task VarDeclarationUsedAfter_IsHoistedWithTheFaultResult() => CodeFixAsync<AddCapabilityGuardCodeFix>(Usings + @"
class Driver
{
    bool Stop(IMsrBus bus, PmuCaps caps)
    {
        var r = {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};
        return r == MsrAccessResult.Ok;
    }
}",
        new[] { GlobalCtrl(0) },
        Usings + @"
class Driver
{
    bool Stop(IMsrBus bus, PmuCaps caps)
    {
        MsrAccessResult r = MsrAccessResult.GeneralProtection;
        if (caps.IsIntel && caps.Version >= 2)
        {
            r = bus.Write(Ia32PerfGlobalCtrl.Zero);
        }
        return r == MsrAccessResult.Ok;
    }
}");

    [TestMethod]
    public Task VarDeclarationWithAnOutVariable_HoistsBoth() => CodeFixAsync<AddCapabilityGuardCodeFix>(Usings + @"
class Driver
{
    ulong Get(IMsrBus bus, PmuCaps caps)
    {
        var r = {|#0:bus.Read(out Ia32PerfGlobalCtrl c)|};
        return r == MsrAccessResult.Ok ? c.Value : 0;
    }
}",
        new[] { GlobalCtrl(0) },
        Usings + @"
class Driver
{
    ulong Get(IMsrBus bus, PmuCaps caps)
    {
        MsrAccessResult r = MsrAccessResult.GeneralProtection;
        Ia32PerfGlobalCtrl c = default;
        if (caps.IsIntel && caps.Version >= 2)
        {
            r = bus.Read(out c);
        }
        return r == MsrAccessResult.Ok ? c.Value : 0;
    }
}");

    [TestMethod]
    public Task VoidExpressionBody_BecomesABlock() => CodeFixAsync<AddCapabilityGuardCodeFix>(Usings + @"
class Driver
{
    void Stop(IMsrBus bus, PmuCaps caps) => {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};
}",
        new[] { GlobalCtrl(0) },
        Usings + @"
class Driver
{
    void Stop(IMsrBus bus, PmuCaps caps)
    {
        if (caps.IsIntel && caps.Version >= 2)
        {
            bus.Write(Ia32PerfGlobalCtrl.Zero);
        }
    }
}");

    [TestMethod]
    public Task ResultReturningExpressionBody_ReturnsTheFaultWhenTheGuardFails() => CodeFixAsync<AddCapabilityGuardCodeFix>(Usings + @"
class Driver
{
    MsrAccessResult Stop(IMsrBus bus, PmuCaps caps) => {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};
}",
        new[] { GlobalCtrl(0) },
        Usings + @"
class Driver
{
    MsrAccessResult Stop(IMsrBus bus, PmuCaps caps)
    {
        if (caps.IsIntel && caps.Version >= 2)
        {
            return bus.Write(Ia32PerfGlobalCtrl.Zero);
        }

        return MsrAccessResult.GeneralProtection;
    }
}");

    [TestMethod]
    public Task EmbeddedStatement_GetsABlockSoTheElseStaysWhereItWas() => CodeFixAsync<AddCapabilityGuardCodeFix>(Usings + @"
class Driver
{
    void Stop(IMsrBus bus, PmuCaps caps, bool quiet)
    {
        if (quiet) {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};
        else System.Console.WriteLine();
    }
}",
        new[] { GlobalCtrl(0) },
        Usings + @"
class Driver
{
    void Stop(IMsrBus bus, PmuCaps caps, bool quiet)
    {
        if (quiet)
        {
            if (caps.IsIntel && caps.Version >= 2)
            {
                bus.Write(Ia32PerfGlobalCtrl.Zero);
            }
        }
        else System.Console.WriteLine();
    }
}");

    [TestMethod]
    public Task PatternVariableUsedAfter_OffersNoFix()
    {
        string source = Usings + @"
class Driver
{
    bool Stop(IMsrBus bus, PmuCaps caps)
    {
        var ok = {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|} is var r && r == MsrAccessResult.Ok;
        return ok && r == MsrAccessResult.Ok;
    }
}";
        return CodeFixAsync<AddCapabilityGuardCodeFix>(source, new[] { GlobalCtrl(0) }, source, GlobalCtrl(0));
    }

    [TestMethod]
    public Task ReturnStatementAndExpressionLambda_OfferNoFix()
    {
        string source = Usings + @"
class Driver
{
    MsrAccessResult Stop(IMsrBus bus, PmuCaps caps)
    {
        System.Func<MsrAccessResult> later = () => {|#1:bus.Write(Ia32PerfGlobalCtrl.Zero)|};
        return {|#0:bus.Write(Ia32PerfGlobalCtrl.Zero)|};
    }
}";
        return CodeFixAsync<AddCapabilityGuardCodeFix>(source, new[] { GlobalCtrl(0), GlobalCtrl(1) }, source, GlobalCtrl(0), GlobalCtrl(1));
    }
}
