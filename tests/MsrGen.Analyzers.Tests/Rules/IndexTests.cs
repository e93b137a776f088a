using System.Threading.Tasks;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.Rules;

[TestClass]
public sealed class IndexTests
{
    [TestMethod]
    public Task IndexBeyondTheArchitecturalMaximum_Triggers() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Program(IMsrBus bus)
    {
        bus.Read(out Ia32Pmc pmc, {|#0:8|});
        uint address = Ia32Perfevtsel.AddressOf({|#1:-1|});
        bus.Write(Ia32FixedCtrCtrl.Zero.WithFixedOs({|#2:4|}, true));
    }
}",
        Diagnostic("MSR1008").WithLocation(0).WithArguments("8", "IA32_PMC{n}", "8", "instances", "7"),
        Diagnostic("MSR1008").WithLocation(1).WithArguments("-1", "IA32_PERFEVTSEL{n}", "8", "instances", "7"),
        Diagnostic("MSR1008").WithLocation(2).WithArguments("4", "field FIXED{n}.OS of IA32_FIXED_CTR_CTRL", "4", "elements", "3"));

    [TestMethod]
    public Task IndicesInRangeOrNotConstant_DoNotTrigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps(FixedCounters = 4)]
class Driver
{
    void Program(IMsrBus bus, int n)
    {
        bus.Read(out Ia32Pmc pmc, 7);
        bus.Read(out Ia32Pmc other, n);
        uint address = Ia32Perfevtsel.AddressOf(0);
        bus.Write(Ia32FixedCtrCtrl.Zero.WithFixedOs(3, true).WithFixedUsr(n, true));
    }
}");
}
