using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Legacy;

namespace MsrGen.Runtime.Tests.Legacy;

[TestClass]
public sealed class LegacyVpmuTests
{
    private static readonly ulong Instructions = Ia32Perfevtsel.Zero.WithEventSelect(0xC0).WithUsr(true).WithOs(true).WithEn(true).Value;

    private static (Vcpu Vcpu, LegacyVpmu Pmu) Create(string preset = "sapphire-rapids", VmRequest? request = null)
    {
        var vcpu = TestSupport.Vcpu(preset, request);
        return (vcpu, (LegacyVpmu)vcpu.Pmu);
    }

    [TestMethod]
    public void GlobalCtrlResetsToAllGpCounters()
    {
        var (vcpu, _) = Create(request: new VmRequest { GpCounters = 3 });
        Assert.AreEqual(0x7UL, vcpu.GuestRdmsr(Ia32PerfGlobalCtrl.Address).Value);
    }

    [TestMethod]
    public void EventSelectWriteIsDeferredToTheNextEntry()
    {
        var (vcpu, pmu) = Create();
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), Instructions);
        Assert.IsNull(pmu.GpCounters[0].PerfEvent, "GLOBAL_CTRL is 0, so the KVM_REQ_PMU pass leaves the counter paused");
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 1);
        Assert.IsNotNull(pmu.GpCounters[0].PerfEvent, "created in the KVM_REQ_PMU pass before re-entry");
        Assert.AreEqual(1, vcpu.Metrics.PerfCreates);
    }

    [TestMethod]
    public void ToggleOfEnablePausesAndResumesWithoutRecreating()
    {
        var (vcpu, _) = Create();
        vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), Instructions);
        Assert.AreEqual(1, vcpu.Metrics.PerfCreates);
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0xFF);
        Assert.AreEqual(1, vcpu.Metrics.PerfCreates);
        Assert.AreEqual(0, vcpu.Metrics.PerfReleases);
        vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), Instructions | 0x100);
        Assert.AreEqual(2, vcpu.Metrics.PerfCreates, "a new event/umask is a new perf event");
        Assert.AreEqual(1, vcpu.Metrics.PerfReleases);
    }

    [TestMethod]
    public void CounterKeepsWrittenValuePlusCountsAcrossPauses()
    {
        var (vcpu, _) = Create();
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        vcpu.GuestWrmsr(Ia32APmc.AddressOf(1), 1_000_000);
        vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(1), Instructions);
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 2);
        vcpu.GuestRun(TestSupport.Batch((0xC0, 5000)));
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        vcpu.GuestRun(TestSupport.Batch((0xC0, 7000)));
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 2);
        vcpu.GuestRun(TestSupport.Batch((0xC0, 100)));
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        Assert.AreEqual(1_000_000UL + 5000 + 100 + 2, vcpu.GuestRdmsr(Ia32Pmc.AddressOf(1)).Value);
    }

    [TestMethod]
    public void SamplePeriodIsEventsUntilTheGuestCounterWraps()
    {
        var (_, pmu) = Create();
        var pmc = pmu.GpCounters[0];
        Assert.AreEqual(100UL, pmu.SamplePeriod(pmc, (1UL << 48) - 100));
        Assert.AreEqual(1UL << 48, pmu.SamplePeriod(pmc, 0));
    }

    [TestMethod]
    public void OverflowInjectsPmiAndMasksIntelLvtpc()
    {
        var (vcpu, pmu) = Create();
        vcpu.Lvtpc = 0xFE;
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        vcpu.GuestWrmsr(Ia32APmc.AddressOf(0), (1UL << 48) - 10);
        vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), Instructions | Ia32Perfevtsel.Zero.WithInt(true).Value);
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 1);
        vcpu.GuestRun(TestSupport.Batch((0xC0, 100)));
        Assert.AreEqual(1, vcpu.Metrics.Pmis);
        Assert.AreEqual(0x100FEU, vcpu.Lvtpc);
        Assert.AreEqual(1UL, pmu.GlobalStatus & 1);
    }

    [TestMethod]
    public void AmdGuestLvtpcStaysUnmaskedAfterPmi()
    {
        var (vcpu, _) = Create("zen4");
        vcpu.Lvtpc = 0xFE;
        ulong sel = MsrF15hPerfCtl.Zero.WithEventSelect(0xC0).WithOs(true).WithUsr(true).WithInt(true).WithEn(true).Value;
        vcpu.GuestWrmsr(MsrF15hPerfCtr.AddressOf(0), (1UL << 48) - 10);
        vcpu.GuestWrmsr(MsrF15hPerfCtl.AddressOf(0), sel);
        vcpu.GuestRun(TestSupport.Batch((0xC0, 100)));
        Assert.AreEqual(1, vcpu.Metrics.Pmis);
        Assert.AreEqual(0xFEU, vcpu.Lvtpc);
    }

    [TestMethod]
    public void SchedInCleanupReleasesIdleDisabledEvents()
    {
        var (vcpu, pmu) = Create();
        vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), Instructions);
        vcpu.GuestRun(TestSupport.Batch((0xC0, 50)));
        vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), 0);
        vcpu.SchedOut();
        vcpu.SchedIn();
        vcpu.GuestRdmsr(Ia32PerfGlobalCtrl.Address);
        Assert.IsNotNull(pmu.GpCounters[0].PerfEvent, "the PMC was written in the last slice");
        vcpu.SchedOut();
        vcpu.SchedIn();
        vcpu.GuestRdmsr(Ia32PerfGlobalCtrl.Address);
        Assert.IsNull(pmu.GpCounters[0].PerfEvent);
        Assert.AreEqual(51UL, vcpu.GuestRdmsr(Ia32Pmc.AddressOf(0)).Value, "released without losing the value");
    }

    [TestMethod]
    public void DestroyReleasesEveryPerfEvent()
    {
        var host = TestSupport.Host();
        var vm = TestSupport.Vm(host, new VmRequest());
        vm.Vcpus[0].GuestWrmsr(Ia32Perfevtsel.AddressOf(0), Instructions);
        Assert.AreEqual(1, host.Cpu(0).Perf.Events.Count);
        vm.Destroy();
        Assert.AreEqual(0, host.Cpu(0).Perf.Events.Count);
    }

    [TestMethod]
    public void GroupedMetricsUseOneGroupAndMetricsRdpmc()
    {
        var (vcpu, pmu) = Create(request: new VmRequest { GroupedMetrics = true });
        Assert.AreEqual(4, vcpu.GuestCaps.FixedCounters);
        vcpu.GuestWrmsr(Ia32FixedCtrCtrl.Address, Ia32FixedCtrCtrl.Zero.WithFixedOs(3, true).WithFixedUsr(3, true).Value);
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, Ia32PerfGlobalCtrl.Zero.WithEnFixed(3, true).Value);
        Assert.AreEqual(5, vcpu.Metrics.PerfCreates);
        Assert.AreEqual(4, pmu.FixedCounters[3].Siblings!.Length);
        vcpu.GuestRun(TestSupport.Batch((HardwareEvent.TopdownSlots, 1000), (HardwareEvent.TopdownRetiring, 500)));
        var metrics = MsrPerfMetrics.FromRawUnchecked(vcpu.GuestRdpmc(PhysicalPmu.RdpmcMetrics).Value);
        Assert.AreEqual(127, metrics.Retiring);
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        Assert.AreEqual(5, vcpu.Metrics.PerfReleases, "a stopped group is released as a whole");
    }

    [TestMethod]
    public void MetricsRdpmcFaultsWithoutTheOption()
    {
        var (vcpu, _) = Create();
        Assert.IsTrue(vcpu.GuestRdpmc(PhysicalPmu.RdpmcMetrics).Faulted);
        Assert.IsTrue(vcpu.GuestRdmsr(MsrPerfMetrics.Address).Faulted);
    }

    [TestMethod]
    public void EmulatedInstructionsCountOnlyOnCountersGlobalCtrlEnables()
    {
        // kvm_pmu_trigger_event: every intercepted access KVM completes retires one instruction,
        // counted by each counter that counts instructions and is enabled locally and in GLOBAL_CTRL.
        var (vcpu, _) = Create();
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), Instructions);
        vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(1), Instructions);
        vcpu.GuestWrmsr(Ia32FixedCtrCtrl.Address, Ia32FixedCtrCtrl.Zero.WithFixedOs(0, true).WithFixedUsr(0, true).Value);
        vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, Ia32PerfGlobalCtrl.Zero.WithEnFixed(0, true).Value | 1UL);

        ulong gp0 = vcpu.GuestRdmsr(Ia32APmc.AddressOf(0)).Value;
        ulong gp1 = vcpu.GuestRdmsr(Ia32APmc.AddressOf(1)).Value;
        ulong fixed0 = vcpu.GuestRdmsr(Ia32FixedCtr.AddressOf(0)).Value;
        for (int i = 0; i < 5; i++)
        {
            vcpu.GuestRdmsr(Ia32Perfevtsel.AddressOf(0));
        }

        // Counted by hand: from the first read of GP 0 to the second, the reads of GP 1 and fixed 0,
        // the five event-select reads and the first read itself retire 1 + 1 + 5 + 1 = 8 instructions.
        Assert.AreEqual(gp0 + 8, vcpu.GuestRdmsr(Ia32APmc.AddressOf(0)).Value);
        // GP 1 counts instructions but GLOBAL_CTRL leaves it off.
        Assert.AreEqual(gp1, vcpu.GuestRdmsr(Ia32APmc.AddressOf(1)).Value);
        // Fixed 0: its own read, the five event-select reads and the two reads of GP 0 and GP 1 after it: 1 + 5 + 2 = 8.
        Assert.AreEqual(fixed0 + 8, vcpu.GuestRdmsr(Ia32FixedCtr.AddressOf(0)).Value);
    }
}
