using System.Threading.Tasks;
using static MsrGen.Analyzers.Tests.Infrastructure.Verify;

namespace MsrGen.Analyzers.Tests.Rules;

[TestClass]
public sealed class ReservedBitsTests
{
    private const string DefaultCaps =
        "[AssumePmuCaps] (Intel, version 2, 4 GP x 48 bits, 3 fixed x 48 bits, PERF_CAPABILITIES 0x0, LBR depth 0, features 0x0)";

    [TestMethod]
    public Task RawConstantWithAlwaysReservedBits_Triggers() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus) => bus.Write(Ia32PerfGlobalCtrl.FromRawUnchecked({|#0:0xFFFF_0000_0000_000FUL|}));
}",
        Diagnostic("MSR1002").WithLocation(0).WithArguments("bits 63:48", "IA32_PERF_GLOBAL_CTRL", "FFFF000000000000", DefaultCaps));

    [TestMethod]
    public Task SetterBeyondStatedCounterCount_Triggers() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus) => bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(0, true).{|#0:WithEnPmc(5, true)|}.WithEnFixed(2, true));
}",
        Diagnostic("MSR1002").WithLocation(0).WithArguments("bit 5", "IA32_PERF_GLOBAL_CTRL", "20", DefaultCaps));

    [TestMethod]
    public Task ConstFoldedThroughConstLocalAndFixedNibble_Triggers() => AnalyzerAsync(Usings + @"
[AssumePmuCaps(FixedCounters = 3)]
class Driver
{
    void Enable(IMsrBus bus)
    {
        const ulong everything = 0xFFFF;
        bus.Write(Ia32FixedCtrCtrl.FromRawUnchecked({|#0:everything|}));
    }
}",
        Diagnostic("MSR1002").WithLocation(0).WithArguments("bits 15:12, 10, 6 and 2", "IA32_FIXED_CTR_CTRL", "F444",
            "[AssumePmuCaps] (Intel, version 2, 4 GP x 48 bits, 3 fixed x 48 bits, PERF_CAPABILITIES 0x0, LBR depth 0, features 0x0)"));

    [TestMethod]
    public Task CapsFromTheMethodOverrideTheType_DoNotTrigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps(GpCounters = 2)]
class Driver
{
    [AssumePmuCaps(GpCounters = 8)]
    void Enable(IMsrBus bus) => bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(5, true));
}");

    [TestMethod]
    public Task BitsThatExistUnderStatedCaps_DoNotTrigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus)
    {
        bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(3, true).WithEnFixed(2, true));
        bus.Write(Ia32PerfGlobalCtrl.FromRawUnchecked(0x7_0000_000FUL));
        bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(5, true).WithEnPmc(5, false));
    }
}");

    [TestMethod]
    public Task CapsDependentBitsWithoutStatedCaps_DoNotTrigger() => AnalyzerAsync(Usings + @"
class Driver
{
    void Enable(IMsrBus bus, PmuCaps caps)
    {
        if (caps.Version >= 2)
        {
            bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(20, true));
        }
    }
}");

    [TestMethod]
    public Task ConstantPmuCapsLocal_StatesTheCaps() => AnalyzerAsync(Usings + @"
class Driver
{
    void Enable(IMsrBus bus)
    {
        var vcpu = new PmuCaps(CpuVendor.Intel, 2, 2, 3, 48, 48, 0, 0, PmuFeatures.None);
        bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(1, true).{|#0:WithEnPmc(3, true)|});
    }
}",
        Diagnostic("MSR1002").WithLocation(0).WithArguments("bit 3", "IA32_PERF_GLOBAL_CTRL", "8",
            "the constant PmuCaps 'vcpu' (Intel, version 2, 2 GP x 48 bits, 3 fixed x 48 bits, PERF_CAPABILITIES 0x0, LBR depth 0, features 0x0)"));

    [TestMethod]
    public Task TwoConstantPmuCapsLocals_StateNothing() => AnalyzerAsync(Usings + @"
class Driver
{
    void Enable(IMsrBus bus, bool big)
    {
        var small = new PmuCaps(CpuVendor.Intel, 2, 2, 3, 48, 48, 0, 0, PmuFeatures.None);
        var large = new PmuCaps(CpuVendor.Intel, 2, 8, 3, 48, 48, 0, 0, PmuFeatures.None);
        if ((big ? large : small).Version >= 2)
        {
            bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(3, true));
        }
    }
}");

    [TestMethod]
    public Task ValueOfALocalAssignedOnce_IsFolded() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus)
    {
        var ctrl = Ia32PerfGlobalCtrl.Zero.WithEnPmc(0, true).{|#0:WithEnPmc(7, true)|};
        bus.Write(ctrl);
    }
}",
        Diagnostic("MSR1002").WithLocation(0).WithArguments("bit 7", "IA32_PERF_GLOBAL_CTRL", "80", DefaultCaps));

    [TestMethod]
    public Task LocalAssignedAgainOrPassedByRef_IsNotFolded() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus, bool more)
    {
        var ctrl = Ia32PerfGlobalCtrl.Zero.WithEnPmc(7, true);
        if (!more)
        {
            ctrl = Ia32PerfGlobalCtrl.Zero;
        }

        bus.Write(ctrl);
        var other = Ia32PerfGlobalCtrl.Zero.WithEnPmc(6, true);
        Clear(ref other);
        bus.Write(other);
        var third = Ia32PerfGlobalCtrl.Zero.WithEnPmc(5, true);
        (third, more) = (Ia32PerfGlobalCtrl.Zero, false);
        bus.Write(third);
    }

    static void Clear(ref Ia32PerfGlobalCtrl value) => value = Ia32PerfGlobalCtrl.Zero;
}");

    [TestMethod]
    public Task NonConstantValue_DoesNotTrigger() => AnalyzerAsync(Usings + @"
[AssumePmuCaps]
class Driver
{
    void Enable(IMsrBus bus, ulong raw, int n) => bus.Write(Ia32PerfGlobalCtrl.FromRawUnchecked(raw).WithEnPmc(n, true));
}");
}
