using System.Threading.Tasks;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.Rules;

[TestClass]
public sealed class MeaninglessReadTests
{
    [TestMethod]
    public Task ReadOfOverflowControl_Triggers() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Poll(IMsrBus bus) => {|#0:bus.Read(out Ia32PerfGlobalOvfCtrl ovf)|};
}",
        Diagnostic("MSR1003").WithLocation(0).WithArguments(
            "IA32_PERF_GLOBAL_OVF_CTRL", "always reads as 0", " (IA32_PERF_GLOBAL_STATUS or the vendor's global status MSR)"));

    [TestMethod]
    public Task RawReadOfAmdStatusClear_Triggers() => AnalyzerAsync(Usings + @"
[AssumePmuCaps(Vendor = CpuVendor.Amd)]
class Driver
{
    void Poll(IMsrBus bus) => {|#0:bus.ReadMsr(MsrAmd64PerfCntrGlobalStatusClr.Address, out ulong value)|};
}",
        Diagnostic("MSR1003").WithLocation(0).WithArguments(
            "MSR_AMD64_PERF_CNTR_GLOBAL_STATUS_CLR", "always reads as 0", " (IA32_PERF_GLOBAL_STATUS or the vendor's global status MSR)"));

    [TestMethod]
    public Task RawReadOfAWriteOnlyRegisterOfTheUsersOwnDefinitions_Triggers() => AnalyzerAsync(Usings + @"
[MsrRegister(""MSR_USER_DOORBELL"", 0x4B564DF1u, Access = MsrAccess.WriteOnly, Vendor = MsrVendor.Synthetic)]
public readonly struct MsrUserDoorbell
{
    public const uint Address = 0x4B564DF1u;
}

class Driver
{
    void Poll(IMsrBus bus)
    {
        {|#1:bus.ReadMsr({|#0:0x4B564DF1|}, out ulong value)|};
        bus.WriteMsr(MsrUserDoorbell.Address, 1);
    }
}",
        Diagnostic("MSR1004").WithLocation(0).WithArguments("4B564DF1", "MSR_USER_DOORBELL", "MsrUserDoorbell.Address"),
        Diagnostic("MSR1003").WithLocation(1).WithArguments("MSR_USER_DOORBELL", "is write-only and a read raises #GP", ""));

    [TestMethod]
    public Task ReadOfStatus_DoesNotTrigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Poll(IMsrBus bus)
    {
        bus.Read(out Ia32PerfGlobalStatus status);
        bus.Write(Ia32PerfGlobalOvfCtrl.FromRawUnchecked(status.Value));
    }
}");
}
