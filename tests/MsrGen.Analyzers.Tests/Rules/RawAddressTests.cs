using System.Threading.Tasks;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.Rules;

[TestClass]
public sealed class RawAddressTests
{
    [TestMethod]
    public Task RawScalarAndArrayAddresses_Trigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Dump(IMsrBus bus)
    {
        bus.ReadMsr({|#0:0x38F|}, out ulong ctrl);
        bus.ReadMsr({|#1:0xC3|}, out ulong pmc2);
        const uint evtsel1 = 0x187;
        {|#3:bus.WriteRawUnchecked({|#2:evtsel1|}, 0)|};
    }
}",
        Diagnostic("MSR1004").WithLocation(0).WithArguments("38F", "IA32_PERF_GLOBAL_CTRL (MSR_CORE_PERF_GLOBAL_CTRL)", "Ia32PerfGlobalCtrl.Address"),
        Diagnostic("MSR1004").WithLocation(1).WithArguments("C3", "IA32_PMC2", "Ia32Pmc.AddressOf(2)"),
        Diagnostic("MSR1004").WithLocation(2).WithArguments("187", "IA32_PERFEVTSEL1 (MSR_P6_EVNTSEL1, MSR_ARCH_PERFMON_EVENTSEL1)", "Ia32Perfevtsel.AddressOf(1)"),
        Diagnostic("MSR2001").WithLocation(3).WithArguments("WriteRawUnchecked"));

    [TestMethod]
    public Task NamedAddressesAndComputedAddresses_DoNotTrigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Dump(IMsrBus bus, uint address)
    {
        bus.ReadMsr(Ia32PerfGlobalCtrl.Address, out ulong ctrl);
        bus.ReadMsr(Ia32Pmc.AddressOf(2), out ulong pmc2);
        bus.ReadMsr(address, out ulong any);
    }
}");

    [TestMethod]
    public Task RawAddressThroughABusImplementation_Triggers() => AnalyzerAsync(Usings + @"
sealed class Cpu : IMsrBus
{
    public MsrAccessResult ReadMsr(uint address, out ulong value) { value = 0; return MsrAccessResult.Ok; }
    public MsrAccessResult WriteMsr(uint address, ulong value) => MsrAccessResult.Ok;
    public MsrAccessResult WriteMsr(int address, ulong value) => MsrAccessResult.Ok;
}

[AssumePmuCaps]
class Driver
{
    void Stop(Cpu cpu)
    {
        cpu.WriteMsr({|#0:0x38Fu|}, 0);
        cpu.WriteMsr(0x38F, 0);
    }
}",
        Diagnostic("MSR1004").WithLocation(0).WithArguments("38F", "IA32_PERF_GLOBAL_CTRL (MSR_CORE_PERF_GLOBAL_CTRL)", "Ia32PerfGlobalCtrl.Address"));

    [TestMethod]
    public Task UnknownConstantAddress_Triggers() => AnalyzerAsync(Usings + @"
class Driver
{
    void Probe(IMsrBus bus) => bus.WriteMsr({|#0:0x12345|}, 1);
}",
        Diagnostic("MSR1005").WithLocation(0).WithArguments("12345"));

    [TestMethod]
    public Task BeyondTheLastInstanceOfAnArray_IsUnknown() => AnalyzerAsync(Usings + @"
class Driver
{
    void Probe(IMsrBus bus) => bus.ReadMsr({|#0:0xC9|}, out ulong value);
}",
        Diagnostic("MSR1005").WithLocation(0).WithArguments("C9"));

    [TestMethod]
    public Task UnknownButNotConstantAddress_DoesNotTrigger() => AnalyzerAsync(Usings + @"
class Driver
{
    void Probe(IMsrBus bus, uint base_, uint i) => bus.WriteMsr(base_ + i, 1);
}");

    [TestMethod]
    public Task ConstAliasOfANamedAddress_DoesNotTrigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    const uint Ctrl = Ia32PerfGlobalCtrl.Address;
    const uint SameCtrl = Ctrl;

    void Dump(IMsrBus bus)
    {
        const uint LocalCtrl = Ia32PerfGlobalCtrl.Address;
        const uint Chained = LocalCtrl;
        bus.ReadMsr(Ctrl, out _);
        bus.ReadMsr(SameCtrl, out _);
        bus.ReadMsr(LocalCtrl, out _);
        bus.ReadMsr(Chained, out _);
    }
}");

    [TestMethod]
    public Task ConstFieldHoldingARawNumber_Triggers() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    const uint Ctrl = 0x38F;
    const uint SameCtrl = Ctrl;

    void Dump(IMsrBus bus)
    {
        bus.ReadMsr({|#0:Ctrl|}, out _);
        bus.ReadMsr({|#1:SameCtrl|}, out _);
    }
}",
        Diagnostic("MSR1004").WithLocation(0).WithArguments("38F", "IA32_PERF_GLOBAL_CTRL (MSR_CORE_PERF_GLOBAL_CTRL)", "Ia32PerfGlobalCtrl.Address"),
        Diagnostic("MSR1004").WithLocation(1).WithArguments("38F", "IA32_PERF_GLOBAL_CTRL (MSR_CORE_PERF_GLOBAL_CTRL)", "Ia32PerfGlobalCtrl.Address"));

    [TestMethod]
    public Task RawAddressMessage_NamesTheKernelsNamesOfTheInstance() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Dump(IMsrBus bus)
    {
        bus.ReadMsr({|#0:0xC1|}, out _);
        bus.ReadMsr({|#1:0x30A|}, out _);
    }
}",
        Diagnostic("MSR1004").WithLocation(0).WithArguments(
            "C1", "IA32_PMC0 (MSR_IA32_PERFCTR0, MSR_P6_PERFCTR0, MSR_ARCH_PERFMON_PERFCTR0)", "Ia32Pmc.AddressOf(0)"),
        Diagnostic("MSR1004").WithLocation(1).WithArguments("30A", "IA32_FIXED_CTR1 (MSR_CORE_PERF_FIXED_CTR1)", "Ia32FixedCtr.AddressOf(1)"));

    [TestMethod]
    public Task ConstAliasDeclaredInAnotherFile_DoesNotTrigger()
    {
        return AnalyzerAsync(new[]
        {
            Usings + @"
static class Msrs
{
    public const uint Ctrl = Ia32PerfGlobalCtrl.Address;
    public const uint Raw = 0x38F;
}",
            Usings + @"
[AssumePmuCaps]
class Driver
{
    void Dump(IMsrBus bus)
    {
        bus.ReadMsr(Msrs.Ctrl, out _);
        bus.ReadMsr({|#0:Msrs.Raw|}, out _);
    }
}",
        },
        Diagnostic("MSR1004").WithLocation(0).WithArguments("38F", "IA32_PERF_GLOBAL_CTRL (MSR_CORE_PERF_GLOBAL_CTRL)", "Ia32PerfGlobalCtrl.Address"));
    }
}
