using System.Collections.Generic;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;

namespace MsrGen.Runtime.Tests.HostPerf;

[TestClass]
public sealed class HostPerfContextTests
{
    private sealed class RefuseAll : IMediatedPmuAccounting
    {
        public PerfError OnEventCreate(PerfEventAttr attr) => attr.ExcludeGuest ? PerfError.None : PerfError.Ebusy;

        public void OnEventRelease(PerfEventAttr attr)
        {
        }

        public PerfError OnMediatedPmuCreate() => PerfError.None;

        public void OnMediatedPmuRelease()
        {
        }
    }

    private static HostPerfContext Context(string preset = "intel-v2") =>
        new(0, new PhysicalPmu(PmuPresets.Get(preset).Caps, new SimClock()));

    private static PerfEvent Open(HostPerfContext perf, ulong config, bool pinned = false, ulong period = 0, PerfOverflowHandler? handler = null)
    {
        var error = perf.Open($"e{config:x}", new PerfEventAttr { Config = config, Pinned = pinned, SamplePeriod = period }, null, handler, null, out var e);
        Assert.AreEqual(PerfError.None, error);
        return e!;
    }

    [TestMethod]
    public void CountingEventCountsHostWork()
    {
        var perf = Context();
        var e = Open(perf, 0xC4);
        perf.RunHost(TestSupport.Batch((0xC0, 1000), (0xC4, 100)), 3);
        Assert.AreEqual(PerfEventState.Active, e.State);
        Assert.AreEqual(100UL, perf.Read(e));
        Assert.IsTrue(perf.Pmu.Accesses.MsrWrites > 0, "scheduling programs the hardware through WRMSR");
    }

    [TestMethod]
    public void InstructionsPreferFixedCounterAndRefCyclesNeedIt()
    {
        var perf = Context();
        var instructions = Open(perf, 0xC0);
        Assert.AreEqual(32, instructions.Counter);
        var amd = Context("zen4");
        Assert.AreEqual(PerfError.Eopnotsupp, amd.Open("ref", new PerfEventAttr { Config = HardwareEvent.Undefined }, null, null, null, out _));
    }

    [TestMethod]
    public void InTxcpEventsOnlyUseCounterTwo()
    {
        var perf = Context("skylake-server");
        var e = Open(perf, 0x2_0000_00C4);
        Assert.AreEqual(2, e.Counter);
        var second = Open(perf, 0x2_0000_00C5);
        Assert.AreEqual(PerfEventState.Inactive, second.State, "counter 2 is taken");
    }

    [TestMethod]
    public void PinnedEventThatCannotBePlacedGoesToErrorState()
    {
        var perf = Context();
        for (int i = 0; i < 4; i++)
        {
            Open(perf, 0x2E, pinned: true);
        }

        var loser = Open(perf, 0xC5, pinned: true);
        Assert.AreEqual(PerfEventState.Error, loser.State);
        perf.RunHost(TestSupport.Batch((0xC5, 100)), 3);
        Assert.AreEqual(0UL, perf.Read(loser));
    }

    [TestMethod]
    public void FlexibleEventsAreMultiplexedAndScaled()
    {
        var perf = Context();
        var events = new List<PerfEvent>();
        for (int i = 0; i < 6; i++)
        {
            events.Add(Open(perf, 0xC4));
        }

        perf.RunHost(new EventBatch().Add(0xC4, 40_000_000).WithCycles(80_000_000), 3);
        foreach (var e in events)
        {
            ulong scaled = perf.ReadScaled(e);
            Assert.IsTrue(e.TimeRunning < e.TimeEnabled, "each event was off the PMU part of the time");
            Assert.IsTrue(scaled > 30_000_000 && scaled < 50_000_000, $"scaled {scaled} close to 40M");
        }
    }

    [TestMethod]
    public void SamplingEventCallsBackOncePerPeriod()
    {
        var perf = Context();
        var periods = new List<ulong>();
        Open(perf, 0xC4, period: 1000, handler: (_, p) => periods.Add(p));
        perf.RunHost(TestSupport.Batch((0xC4, 10_500)), 3);
        Assert.AreEqual(10, periods.Count);
        Assert.IsTrue(periods.TrueForAll(p => p == 1000));
    }

    [TestMethod]
    public void SamplePeriodWithBit63IsRefusedAtOpen()
    {
        // perf_event_open() in kernel/events/core.c: a (non-freq) sample_period with bit 63 set is EINVAL.
        var perf = Context();
        Assert.AreEqual(PerfError.Einval, perf.Open("s", new PerfEventAttr { Config = 0xC0, SamplePeriod = 1UL << 63 }, null, null, null, out var refused));
        Assert.IsNull(refused);
        Assert.AreEqual(PerfError.None, perf.Open("s", new PerfEventAttr { Config = 0xC0, SamplePeriod = (1UL << 63) - 1 }, null, null, null, out var accepted));
        Assert.IsNotNull(accepted);
    }

    [TestMethod]
    public void GroupThatCanNeverFitIsRejected()
    {
        var perf = Context();
        var leader = Open(perf, 0xC4);
        for (int i = 0; i < 3; i++)
        {
            Assert.AreEqual(PerfError.None, perf.Open("s", new PerfEventAttr { Config = 0x2E }, leader, null, null, out _));
        }

        Assert.AreEqual(PerfError.Einval, perf.Open("s", new PerfEventAttr { Config = 0x2E }, leader, null, null, out _));
    }

    [TestMethod]
    public void GuestContextSchedulesOutExcludeGuestEvents()
    {
        var perf = Context();
        perf.Open("host", new PerfEventAttr { Config = 0xC4, ExcludeGuest = true }, null, null, null, out var e);
        Assert.AreEqual(PerfEventState.Active, e!.State);
        perf.LoadGuestContext();
        Assert.AreEqual(PerfEventState.Inactive, e.State);
        perf.PutGuestContext();
        Assert.AreEqual(PerfEventState.Active, e.State);
    }

    [TestMethod]
    public void AccountingCanRefuseEventsThatCountInGuests()
    {
        var perf = Context();
        perf.Accounting = new RefuseAll();
        Assert.AreEqual(PerfError.Ebusy, perf.Open("g", new PerfEventAttr { Config = 0xC4 }, null, null, null, out _));
        Assert.AreEqual(PerfError.None, perf.Open("h", new PerfEventAttr { Config = 0xC4, ExcludeGuest = true }, null, null, null, out _));
    }

    [TestMethod]
    public void PauseKeepsTheCountAndPeriodRestarts()
    {
        var perf = Context();
        var e = Open(perf, 0xC4, period: 1_000_000);
        perf.RunHost(TestSupport.Batch((0xC4, 100)), 3);
        Assert.AreEqual(100UL, perf.Pause(e, reset: true));
        perf.RunHost(TestSupport.Batch((0xC4, 100)), 3);
        Assert.AreEqual(0UL, perf.Read(e), "a paused event does not count");
        Assert.AreEqual(PerfError.None, perf.SetPeriod(e, 500));
        perf.RunHost(TestSupport.Batch((0xC4, 30)), 3);
        Assert.AreEqual(30UL, perf.Read(e));
    }
}
