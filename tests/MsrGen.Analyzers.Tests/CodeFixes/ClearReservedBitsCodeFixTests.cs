using System.Threading.Tasks;
using MsrGen.Analyzers.CodeFixes;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.CodeFixes;

[TestClass]
public sealed class ClearReservedBitsCodeFixTests
{
    private const string Caps =
        "[AssumePmuCaps] (Intel, version 2, 4 GP x 48 bits, 3 fixed x 48 bits, PERF_CAPABILITIES 0x0, LBR depth 0, features 0x0)";

    [TestMethod]
    public Task RawConstant_LosesItsReservedBits() => CodeFixAsync<ClearReservedBitsCodeFix>(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus) => bus.Write(Ia32PerfGlobalCtrl.FromRawUnchecked({|#0:0xFFFF_0007_0000_000FUL|}));
}",
        new[] { Diagnostic("MSR1002").WithLocation(0).WithArguments("bits 63:48", "IA32_PERF_GLOBAL_CTRL", "FFFF000000000000", Caps) },
        Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus) => bus.Write(Ia32PerfGlobalCtrl.FromRawUnchecked(0x70000000FUL));
}");

    [TestMethod]
    public Task SetterOfAReservedElement_LeavesTheChain() => CodeFixAsync<ClearReservedBitsCodeFix>(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus) => bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(0, true).{|#0:WithEnPmc(6, true)|}.WithEnFixed(1, true));
}",
        new[] { Diagnostic("MSR1002").WithLocation(0).WithArguments("bit 6", "IA32_PERF_GLOBAL_CTRL", "40", Caps) },
        Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus) => bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(0, true).WithEnFixed(1, true));
}");

    [TestMethod]
    public Task WideFieldAboveTheCounterWidth_KeepsItsLowBits() => CodeFixAsync<ClearReservedBitsCodeFix>(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Preload(IMsrBus bus) => bus.Write(Ia32Pmc.Zero.{|#0:WithCount(0x1_0000_0000_0001UL)|}, 0);
}",
        new[] { Diagnostic("MSR1002").WithLocation(0).WithArguments("bit 48", "IA32_PMC0", "1000000000000", Caps) },
        Usings + @"
[AssumePmuCaps]
class Driver
{
    void Preload(IMsrBus bus) => bus.Write(Ia32Pmc.Zero.WithCount(0x1UL), 0);
}");

    [TestMethod]
    public Task FixAll_ClearsEveryWrite() => CodeFixAsync<ClearReservedBitsCodeFix>(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus)
    {
        bus.Write(Ia32PerfGlobalCtrl.Zero.{|#0:WithEnPmc(4, true)|});
        bus.Write(Ia32PerfGlobalCtrl.FromRawUnchecked({|#1:0x1_0000_0000_0000UL|}));
        bus.WriteMsr(Ia32FixedCtrCtrl.Address, {|#2:0x4UL|});
    }
}",
        new[]
        {
            Diagnostic("MSR1002").WithLocation(0).WithArguments("bit 4", "IA32_PERF_GLOBAL_CTRL", "10", Caps),
            Diagnostic("MSR1002").WithLocation(1).WithArguments("bit 48", "IA32_PERF_GLOBAL_CTRL", "1000000000000", Caps),
            Diagnostic("MSR1002").WithLocation(2).WithArguments("bit 2", "IA32_FIXED_CTR_CTRL", "4", Caps),
        },
        Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus)
    {
        bus.Write(Ia32PerfGlobalCtrl.Zero);
        bus.Write(Ia32PerfGlobalCtrl.FromRawUnchecked(0x0UL));
        bus.WriteMsr(Ia32FixedCtrCtrl.Address, 0x0UL);
    }
}");
}
