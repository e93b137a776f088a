using System;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Metrics;

namespace MsrGen.Runtime.Tests.Metrics;

/// <summary>
/// The exit path prices its work by primitive id (CostPrimitive) instead of by name; these tests pin
/// that the id path charges exactly what the name path does, and that a simulated intercepted
/// access, a world switch and a guest run allocate nothing once warm.
/// </summary>
[TestClass]
public sealed class HotPathTests
{
    [TestMethod]
    public void ChargingByIdAndByNameGiveTheSameFigures()
    {
        var table = new CostTable();
        Assert.IsTrue(table.TryOverride("WRMSR", 300));
        Assert.IsTrue(table.TryOverride("rdpmc", 0));
        var byId = new VmMetrics();
        var byName = new VmMetrics();
        byId.AddCost(table, CostTable.Wrmsr, 2);
        byName.AddCost(table, "wrmsr", 2);
        byId.AddCost(table, CostTable.Rdpmc, 5);
        byName.AddCost(table, "rdpmc", 5);
        byId.AddCost(table, CostTable.VmExit, 0);

        // 2 × 300 (the override) + 5 × 0; the zero-times charge does nothing.
        foreach (var metrics in new[] { byId, byName })
        {
            Assert.AreEqual(600UL, metrics.Cost);
            Assert.IsTrue(metrics.TryGet("cost.wrmsr", out ulong wrmsr) && wrmsr == 600);
            Assert.IsTrue(metrics.TryGet("cost.vmexit", out ulong exit) && exit == 0);
            CollectionAssert.AreEqual(new[] { "rdpmc", "wrmsr" }, new System.Collections.Generic.List<string>(metrics.CostByPrimitive.Keys));
            Assert.AreEqual(0UL, metrics.CostByPrimitive["rdpmc"], "a zero-cycle primitive that was charged is still listed");
        }
    }

    [TestMethod]
    public void TheIdIndexerReadsOverridesAndDefaults()
    {
        var table = new CostTable();
        Assert.AreEqual(1100UL, table[CostTable.VmExit], "the built-in VM-exit default, 1100 cycles");
        Assert.IsTrue(table.TryOverride("vmexit", 1234));
        Assert.AreEqual(1234UL, table[CostTable.VmExit]);
        Assert.AreEqual(1234UL, table["vmexit"]);
        Assert.AreEqual("vmexit", (string)CostTable.VmExit);
        table.Register(new CostEntry("design.hot-path-test", 77, "Christopherson 2025a", "a design's own primitive"));
        Assert.AreEqual(77UL, table[CostPrimitive.Of("design.hot-path-test")]);
        Assert.Throws<ArgumentException>(() => _ = new CostTable()[CostPrimitive.Of("design.hot-path-test")]);
    }

    [TestMethod]
    public void SaturationHoldsOnTheIdPath()
    {
        var table = new CostTable();
        Assert.IsTrue(table.TryOverride("vmexit", 1UL << 63));
        var metrics = new VmMetrics();
        metrics.AddCost(table, CostTable.VmExit, 2);
        Assert.AreEqual(ulong.MaxValue, metrics.Cost, "2^63 × 2 does not fit: saturates");
    }

    [TestMethod]
    [DataRow(VpmuMode.Emulated, "sapphire-rapids")]
    [DataRow(VpmuMode.Emulated, "zen4")]
    [DataRow(VpmuMode.Mediated, "sapphire-rapids")]
    [DataRow(VpmuMode.Mediated, "zen4")]
    public void InterceptedAccessesExitsAndRunsAllocateNothing(VpmuMode design, string preset)
    {
        var host = new HostMachine(PmuPresets.Get(preset), new KvmModuleParameters { EnableMediatedPmu = design == VpmuMode.Mediated });
        var vcpu = Vm.Create(host, new VmRequest { Mode = design }).Vm!.Vcpus[0];
        bool amd = vcpu.GuestCaps.IsAmd;
        uint select = amd ? MsrF15hPerfCtl.AddressOf(0) : Ia32Perfevtsel.AddressOf(0);
        uint counter = amd ? MsrF15hPerfCtr.AddressOf(0) : Ia32APmc.AddressOf(0);
        // Event 0xC0 (retired instructions on both vendors), USR, OS, EN.
        Assert.IsFalse(vcpu.GuestWrmsr(select, 0xC0 | 1UL << 16 | 1UL << 17 | 1UL << 22).Faulted);
        var batch = new EventBatch().Add(0xC0, 1_000_000).WithCycles(1_000_000);
        void Round()
        {
            vcpu.GuestRdmsr(select);
            vcpu.GuestRdmsr(counter);
            vcpu.GuestWrmsr(select, 0xC0 | 1UL << 16 | 1UL << 17 | 1UL << 22);
            vcpu.GuestRdmsr(0x10);
            vcpu.GuestExits(1, 1);
            vcpu.GuestRun(batch);
        }

        Round();
        // The least of several passes, as the generator's allocation tests do: a one-off allocation
        // on this thread (a table built on first use) cannot fail the test, while an allocation on
        // the path itself shows in every pass.
        long allocated = long.MaxValue;
        for (int pass = 0; pass < 5; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 200; i++)
            {
                Round();
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.AreEqual(0L, allocated, $"{design} on {preset}: {allocated} bytes over 200 rounds (least of 5 passes)");
    }
}
