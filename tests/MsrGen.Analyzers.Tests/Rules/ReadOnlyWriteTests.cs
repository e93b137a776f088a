using System.Threading.Tasks;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.Rules;

[TestClass]
public sealed class ReadOnlyWriteTests
{
    [TestMethod]
    public Task HostWriteOfReadOnlyRegister_InGuestContext_Triggers() => AnalyzerAsync(Usings + @"
[AssumePmuCaps(Features = PmuFeatures.Pdcm)]
class Vcpu
{
    [GuestPmuContext]
    void Run(IMsrBus bus)
    {
        {|#0:bus.HostWrite(Ia32PerfCapabilities.Zero.WithFwWrites(true))|};
    }
}",
        Diagnostic("MSR1001").WithLocation(0).WithArguments("IA32_PERF_CAPABILITIES", "for the guest, and this host write runs in Run, which is marked [GuestPmuContext]"));

    [TestMethod]
    public Task HostWriteOfReadOnlyRegister_FromHostUserspace_DoesNotTrigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps(Features = PmuFeatures.Pdcm)]
class Vmm
{
    void SetCpuid(IMsrBus bus)
    {
        bus.HostWrite(Ia32PerfCapabilities.Zero.WithFwWrites(true));
    }
}");

    [TestMethod]
    public Task RawWriteOfReadOnlyRegister_Triggers() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Clear(IMsrBus bus)
    {
        {|#0:bus.WriteMsr(Ia32PerfGlobalStatus.Address, 0)|};
    }
}",
        Diagnostic("MSR1001").WithLocation(0).WithArguments("IA32_PERF_GLOBAL_STATUS", "for the guest"));

    [TestMethod]
    public Task RawWriteOfWritableRegister_DoesNotTrigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Clear(IMsrBus bus)
    {
        bus.WriteMsr(Ia32PerfGlobalOvfCtrl.Address, 0);
    }
}");

    [TestMethod]
    public Task ReadOnlyFieldSetter_InGuestWrite_Triggers() => AnalyzerAsync(Usings + @"
class Driver
{
    void Set(IMsrBus bus)
    {
        bus.Write(Ia32MiscEnable.Zero.WithEist(true).{|#0:WithPebsUnavail(true)|});
    }
}",
        Diagnostic("MSR1001").WithLocation(0).WithArguments("IA32_MISC_ENABLE.PEBS_UNAVAIL", "in a value written to the register"));

    [TestMethod]
    public Task ReadOnlyFieldSetter_NotWritten_DoesNotTrigger() => AnalyzerAsync(Usings + @"
class Model
{
    Ia32MiscEnable Reset() => Ia32MiscEnable.Zero.WithPebsUnavail(true);
}");
}
