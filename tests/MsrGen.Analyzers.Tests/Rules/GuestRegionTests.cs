using System.Threading.Tasks;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.Rules;

[TestClass]
public sealed class GuestRegionTests
{
    private const string Switcher = @"
[AssumePmuCaps]
class Switcher
{
    [LoadsGuestPmuState] void LoadGuest() { }
    [PutsGuestPmuState] void PutGuest() { }
";

    [TestMethod]
    public Task HostPmuAccessBetweenLoadAndPut_Triggers() => AnalyzerAsync(Usings + Switcher + @"
    void Enter(IMsrBus bus, bool pending)
    {
        bus.Write(Ia32PerfGlobalCtrl.Zero);
        LoadGuest();
        if (pending)
        {
            {|#0:bus.Read(out Ia32PerfGlobalStatus status)|};
        }

        PutGuest();
        bus.Write(Ia32PerfGlobalCtrl.Zero);
    }
}",
        Diagnostic("MSR1007").WithLocation(0).WithArguments(
            "IA32_PERF_GLOBAL_STATUS", "after the call to LoadGuest ([LoadsGuestPmuState]) and before the guest state is put"));

    [TestMethod]
    public Task HostPmuAccessInGuestContextMethod_Triggers() => AnalyzerAsync(Usings + Switcher + @"
    [GuestPmuContext]
    void OnPmi(IMsrBus bus)
    {
        {|#0:bus.Write(Ia32Pmc.Zero, 0)|};
        bus.Write(Ia32Debugctl.Zero);
    }
}",
        Diagnostic("MSR1007").WithLocation(0).WithArguments("IA32_PMC0", "in OnPmi, which is marked [GuestPmuContext]"));

    [TestMethod]
    public Task AccessesOutsideTheRegionOrNotOfTheHostPmu_DoNotTrigger() => AnalyzerAsync(Usings + Switcher + @"
    void Enter(IMsrBus bus)
    {
        bus.Write(Ia32PerfGlobalCtrl.Zero);
        LoadGuest();
        bus.Write(Ia32Debugctl.Zero);
        PutGuest();
        bus.Read(out Ia32PerfGlobalStatus status);
    }
}");
}
