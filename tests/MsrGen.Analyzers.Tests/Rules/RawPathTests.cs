using System.Threading.Tasks;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.Rules;

[TestClass]
public sealed class RawPathTests
{
    [TestMethod]
    public Task UncheckedRawAccess_Reports() => AnalyzerAsync(Usings + @"
class Tool
{
    void Replay(IMsrBus bus, uint address, ulong value)
    {
        {|#0:bus.WriteRawUnchecked(address, value)|};
        {|#1:MsrBusExtensions.ReadRawUnchecked(bus, address, out ulong back)|};
    }
}",
        Diagnostic("MSR2001").WithLocation(0).WithArguments("WriteRawUnchecked"),
        Diagnostic("MSR2001").WithLocation(1).WithArguments("ReadRawUnchecked"));

    [TestMethod]
    public Task TypedAccess_DoesNotReport() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Tool
{
    void Replay(IMsrBus bus)
    {
        bus.Read(out Ia32PerfGlobalStatus status);
        bus.Write(Ia32PerfGlobalOvfCtrl.FromRawUnchecked(status.Value));
    }
}");

    [TestMethod]
    public Task CodeWithoutTheRegisterLibrary_IsIgnored() => AnalyzerAsync(@"
interface IMsrBus { void WriteRawUnchecked(uint address, ulong value); }
class Tool
{
    void Replay(IMsrBus bus) => bus.WriteRawUnchecked(0x38F, 1);
}");
}
