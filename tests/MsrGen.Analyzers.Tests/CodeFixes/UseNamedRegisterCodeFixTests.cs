using System.Threading.Tasks;
using MsrGen.Analyzers.CodeFixes;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.CodeFixes;

[TestClass]
public sealed class UseNamedRegisterCodeFixTests
{
    [TestMethod]
    public Task RawAddresses_BecomeNamedRegisters_FixAll() => CodeFixAsync<UseNamedRegisterCodeFix>(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Dump(IMsrBus bus)
    {
        bus.ReadMsr({|#0:0x38F|}, out ulong ctrl);
        bus.ReadMsr({|#1:0xC3|}, out ulong pmc2);
    }
}",
        new[]
        {
            Diagnostic("MSR1004").WithLocation(0).WithArguments("38F", "IA32_PERF_GLOBAL_CTRL (MSR_CORE_PERF_GLOBAL_CTRL)", "Ia32PerfGlobalCtrl.Address"),
            Diagnostic("MSR1004").WithLocation(1).WithArguments("C3", "IA32_PMC2", "Ia32Pmc.AddressOf(2)"),
        },
        Usings + @"
[AssumePmuCaps]
class Driver
{
    void Dump(IMsrBus bus)
    {
        bus.ReadMsr(Ia32PerfGlobalCtrl.Address, out ulong ctrl);
        bus.ReadMsr(Ia32Pmc.AddressOf(2), out ulong pmc2);
    }
}");

    [TestMethod]
    public Task RawPath_KeepsItsInfoAfterTheFix() => CodeFixAsync<UseNamedRegisterCodeFix>(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Stop(IMsrBus bus) => {|#1:bus.WriteRawUnchecked({|#0:0x38F|}, 0)|};
}",
        new[]
        {
            Diagnostic("MSR1004").WithLocation(0).WithArguments("38F", "IA32_PERF_GLOBAL_CTRL (MSR_CORE_PERF_GLOBAL_CTRL)", "Ia32PerfGlobalCtrl.Address"),
            Diagnostic("MSR2001").WithLocation(1).WithArguments("WriteRawUnchecked"),
        },
        Usings + @"
[AssumePmuCaps]
class Driver
{
    void Stop(IMsrBus bus) => {|#0:bus.WriteRawUnchecked(Ia32PerfGlobalCtrl.Address, 0)|};
}",
        Diagnostic("MSR2001").WithLocation(0).WithArguments("WriteRawUnchecked"));
}
