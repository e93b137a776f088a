using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Tests.Hardware;

[TestClass]
public sealed class PhysicalPmuTests
{
    private sealed class RecordingSink : IPmiSink
    {
        public int Nmis;
        public int Vectors;

        public void OnPmi(PhysicalPmu pmu, bool nmi, byte vector)
        {
            if (nmi)
            {
                Nmis++;
            }
            else
            {
                Vectors++;
            }

            pmu.Lvtpc &= ~LvtpcValues.Masked;
        }
    }

    private static PhysicalPmu Intel(string preset = "intel-v2") => new(PmuPresets.Get(preset).Caps, new SimClock());

    [TestMethod]
    public void GpCounterCountsMatchingEventAtSelectedPrivilege()
    {
        var pmu = Intel();
        Assert.AreEqual(MsrAccessResult.Ok, pmu.Write(Ia32Perfevtsel.Zero.WithEventSelect(0xC0).WithOs(true).WithEn(true), 0));
        Assert.AreEqual(MsrAccessResult.Ok, pmu.Write(Ia32Perfevtsel.Zero.WithEventSelect(0xC0).WithUsr(true).WithEn(true), 1));
        var batch = TestSupport.Batch((0xC0, 500), (0xC4, 50));
        pmu.RunToEnd(batch, cpl: 0);
        pmu.Rdpmc(0, out ulong kernel);
        pmu.Rdpmc(1, out ulong user);
        Assert.AreEqual(500UL, kernel);
        Assert.AreEqual(0UL, user);
    }

    [TestMethod]
    public void GlobalCtrlGatesCounting()
    {
        var pmu = Intel();
        pmu.Write(Ia32Perfevtsel.Zero.WithEventSelect(0xC0).WithOs(true).WithEn(true), 0);
        pmu.Write(Ia32PerfGlobalCtrl.Zero);
        pmu.RunToEnd(TestSupport.Batch((0xC0, 100)), 0);
        pmu.Rdpmc(0, out ulong value);
        Assert.AreEqual(0UL, value);
    }

    [TestMethod]
    public void LegacyAliasSignExtendsAndFullWidthFaultsAboveWidth()
    {
        var pmu = Intel("skylake-server");
        pmu.WriteMsr(Ia32Pmc.AddressOf(0), 0x8000_0000);
        pmu.ReadMsr(Ia32Pmc.AddressOf(0), out ulong value);
        Assert.AreEqual(0xFFFF_8000_0000UL, value);
        Assert.AreEqual(MsrAccessResult.GeneralProtection, pmu.WriteMsr(Ia32APmc.AddressOf(0), 1UL << 48));
        Assert.AreEqual(MsrAccessResult.GeneralProtection, pmu.WriteMsr(Ia32PerfGlobalStatus.Address, 1));
    }

    [TestMethod]
    public void OverflowSetsStatusAndRaisesNmiThroughLvtpc()
    {
        var pmu = Intel();
        var sink = new RecordingSink();
        pmu.PmiSink = sink;
        pmu.Write(Ia32Pmc.FromRawUnchecked(0xFFFF_FFFF_FFF0), 0);
        pmu.Write(Ia32Perfevtsel.Zero.WithEventSelect(0xC0).WithOs(true).WithInt(true).WithEn(true), 0);
        ulong step = 0;
        var batch = TestSupport.Batch((0xC0, 100));
        Assert.AreEqual(RunStop.Pmi, pmu.Run(batch, ref step, batch.Steps, 0));
        Assert.AreEqual(16UL, step, "the run stops at the overflowing event");
        pmu.Read(out Ia32PerfGlobalStatus status);
        Assert.IsTrue(status.OvfPmc(0));
        Assert.AreEqual(1, sink.Nmis);
    }

    [TestMethod]
    public void MaskedLvtpcRaisesNoPmiButStatusStillSets()
    {
        var pmu = Intel();
        var sink = new RecordingSink();
        pmu.PmiSink = sink;
        pmu.Lvtpc = LvtpcValues.DeliveryNmi | LvtpcValues.Masked;
        pmu.Write(Ia32Pmc.FromRawUnchecked(0xFFFF_FFFF_FFF0), 0);
        pmu.Write(Ia32Perfevtsel.Zero.WithEventSelect(0xC0).WithOs(true).WithInt(true).WithEn(true), 0);
        pmu.RunToEnd(TestSupport.Batch((0xC0, 100)), 0);
        pmu.Read(out Ia32PerfGlobalStatus status);
        Assert.IsTrue(status.OvfPmc(0));
        Assert.AreEqual(0, sink.Nmis);
    }

    [TestMethod]
    public void AmdGuestOnlyCountsOnlyInGuestMode()
    {
        var pmu = new PhysicalPmu(PmuPresets.Get("zen4").Caps, new SimClock());
        pmu.Write(MsrF15hPerfCtl.Zero.WithEventSelect(0xC0).WithOs(true).WithEn(true).WithGuestOnly(true), 0);
        pmu.RunToEnd(TestSupport.Batch((0xC0, 10)), 0);
        pmu.EnterGuest(null);
        pmu.RunToEnd(TestSupport.Batch((0xC0, 7)), 0);
        pmu.ExitGuest(null);
        pmu.Rdpmc(0, out ulong value);
        Assert.AreEqual(7UL, value);
    }

    [TestMethod]
    public void EveryHostAccessIsCountedPerRegister()
    {
        var pmu = Intel();
        pmu.Write(Ia32Perfevtsel.Zero, 2);
        pmu.Read(out Ia32PerfGlobalCtrl _);
        pmu.Rdpmc(0, out _);
        pmu.GuestReadMsr(Ia32PerfGlobalCtrl.Address, out _);
        Assert.AreEqual(1, pmu.Accesses.WritesOf(new MsrRef(MsrId.Ia32Perfevtsel, 2)));
        Assert.AreEqual(1, pmu.Accesses.ReadsOf(new MsrRef(MsrId.Ia32PerfGlobalCtrl, 0)));
        Assert.AreEqual(1L, pmu.Accesses.Rdpmcs);
        Assert.AreEqual(1L, pmu.Accesses.MsrReads, "guest pass-through reads are not host work");
    }

    [TestMethod]
    public void PerfMetricsSplitsSlotsIntoFractions()
    {
        var pmu = Intel("icelake-server");
        pmu.Write(Ia32FixedCtrCtrl.Zero.WithFixedOs(3, true), 0);
        pmu.Write(Ia32PerfGlobalCtrl.Zero.WithEnFixed(3, true).WithEnPerfMetrics(true));
        pmu.RunToEnd(TestSupport.Batch((HardwareEvent.TopdownSlots, 400), (HardwareEvent.TopdownRetiring, 200), (HardwareEvent.TopdownBackendBound, 200)), 0);
        Assert.AreEqual(MsrAccessResult.Ok, pmu.Rdpmc(PhysicalPmu.RdpmcMetrics, out ulong metrics));
        var value = MsrPerfMetrics.FromRawUnchecked(metrics);
        Assert.AreEqual(127, value.Retiring);
        Assert.AreEqual(127, value.BeBound);
    }
}
