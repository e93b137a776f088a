using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Metrics;

namespace MsrGen.Runtime.Tests.Metrics;

[TestClass]
public sealed class MetricsAndCostTests
{
    [TestMethod]
    public void EveryDefaultCitesAPublishedSourceByAuthorAndYear()
    {
        foreach (var entry in CostTable.BuiltIn)
        {
            StringAssert.Matches(entry.Source, new System.Text.RegularExpressions.Regex("^[A-Z][a-z]+ (19|20)[0-9]{2}[a-z]?(, [A-Z][a-z]+ (19|20)[0-9]{2}[a-z]?)*$"), entry.Name);
            Assert.IsTrue(entry.DefaultCycles > 0, entry.Name);
        }
    }

    [TestMethod]
    public void OverridesApplyToKnownPrimitivesOnly()
    {
        var table = new CostTable();
        Assert.IsTrue(table.TryOverride("VMEXIT", 1600));
        Assert.AreEqual(1600UL, table[CostTable.VmExit]);
        Assert.IsFalse(table.TryOverride("teleport", 1));
        table.Register(new CostEntry("design.switch", 3000, "Christopherson 2025a", "a design's own primitive"));
        Assert.IsTrue(table.TryOverride("design.switch", 10));
    }

    [TestMethod]
    public void MetricsHaveTheContractNamesAndReset()
    {
        var metrics = new VmMetrics();
        metrics.CountExit(ExitReason.MsrRead, VmExitKind.Slow);
        metrics.CountExit(ExitReason.Rdpmc, VmExitKind.Fastpath);
        metrics.AddCost(new CostTable(), CostTable.VmExit, 2);
        metrics.AddCounting(100, 75);
        metrics.Add("lbr.entries-lost", 3);
        foreach (var name in MsrGen.Scenarios.Metric.ContractNames)
        {
            Assert.IsTrue(metrics.TryGet(name, out _), name);
        }

        Assert.IsTrue(metrics.TryGet("exits.msr", out ulong msr) && msr == 1);
        Assert.IsTrue(metrics.TryGet("cost.vmexit", out ulong cost) && cost == 2200);
        Assert.IsTrue(metrics.TryGet("count.error-ppm", out ulong ppm) && ppm == 250_000);
        Assert.IsTrue(metrics.TryGet("lbr.entries-lost", out ulong lost) && lost == 3);
        Assert.IsFalse(metrics.TryGet("no.such", out _));
        metrics.Reset();
        Assert.IsTrue(metrics.TryGet("exits", out ulong exits) && exits == 0);
    }

    [TestMethod]
    public void PhysicalAccessesAreAttributedPerRegister()
    {
        var vcpu = TestSupport.Vcpu();
        // Branches need a GP counter (instructions would land on fixed counter 0).
        vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), Ia32Perfevtsel.Zero.WithEventSelect(0xC4).WithOs(true).WithEn(true).Value);
        Assert.IsTrue(vcpu.Metrics.TryGet("hw.writes.ia32_perfevtsel0", out ulong writes));
        Assert.IsTrue(writes >= 1, "host perf programmed the event select it was given");
        Assert.IsTrue(vcpu.Metrics.Cost > 0);
    }

    [TestMethod]
    public void HostInitiatedLegacyCounterWriteIsNotSignExtended()
    {
        var vcpu = TestSupport.Vcpu();
        Assert.IsFalse(vcpu.HostSetMsr(Ia32Pmc.AddressOf(0), 0x8000_0000).Failed);
        Assert.AreEqual(0x8000_0000UL, vcpu.HostGetMsr(Ia32Pmc.AddressOf(0)).Value);
        Assert.IsFalse(vcpu.GuestWrmsr(Ia32Pmc.AddressOf(0), 0x8000_0000).Faulted);
        Assert.AreEqual(0xFFFF_8000_0000UL, vcpu.HostGetMsr(Ia32Pmc.AddressOf(0)).Value);
    }
}
