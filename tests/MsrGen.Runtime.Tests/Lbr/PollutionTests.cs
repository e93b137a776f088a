using System.Linq;
using System.Xml.Linq;
using MsrGen.Runtime.Comparisons;
using MsrGen.Runtime.Lbr;
using MsrGen.Runtime.Reporting;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class PollutionTests
{
    [TestMethod]
    [DataRow(LbrStrategyKind.Timer, true)]
    [DataRow(LbrStrategyKind.None, true)]
    [DataRow(LbrStrategyKind.Pv, false)]
    [DataRow(LbrStrategyKind.Lazy, false)]
    [DataRow(LbrStrategyKind.Kvm, false)]
    [DataRow(LbrStrategyKind.Always, false)]
    public void HostThreadBetweenClearAndReadPollutesOnlyTimerAndNone(LbrStrategyKind strategy, bool polluted)
    {
        var world = LbrWorkloads.Run(LbrWorkload.HostThreadInWindow, strategy, LbrWorld.SkylakeServer);
        Assert.AreEqual(8, world.Metrics.VcpuSwitches);
        Assert.AreEqual(polluted, world.Metrics.PollutedReads > 0, $"{strategy}: {world.Metrics.PollutedReads} polluted reads");
        if (polluted)
        {
            Assert.AreEqual(8, world.Metrics.PollutedReads, "every window read sees host entries");
        }
    }

    [TestMethod]
    public void TimerIsCleanWhenTheHostSliceIsShorterThanTheWindow()
    {
        var world = LbrWorld.Create(LbrStrategyKind.Timer, LbrWorld.SkylakeServer);
        world.Guest.EnableUserCallstack();
        world.GuestBranches(30);
        world.Guest.BeginContextSwitch();
        world.HostThreadBranches(LbrWorkloads.ShortHostSlice);
        world.Guest.FinishContextSwitch();
        Assert.AreEqual(0, world.Metrics.PollutedReads);
        Assert.AreEqual(0, world.Metrics.TimerFires);

        var longer = LbrWorld.Create(LbrStrategyKind.Timer, LbrWorld.SkylakeServer, timerWindow: 100_000);
        longer.Guest.EnableUserCallstack();
        longer.GuestBranches(30);
        longer.Guest.BeginContextSwitch();
        longer.HostThreadBranches(LbrWorkloads.ShortHostSlice);
        longer.Guest.FinishContextSwitch();
        Assert.AreEqual(1, longer.Metrics.PollutedReads, "a window shorter than the slice lets the host in");
    }

    [TestMethod]
    public void KvmAvoidsPollutionInTheWindowButTheReadFindsAFreshlyResetStack()
    {
        var world = LbrWorkloads.Run(LbrWorkload.HostThreadInWindow, LbrStrategyKind.Kvm, LbrWorld.SkylakeServer);
        Assert.AreEqual(0, world.Metrics.PollutedReads);
        Assert.AreEqual(8, world.Metrics.PerfEventReleases, "DEBUGCTL.LBR was clear at every sched-in");
        Assert.AreEqual(9, world.Metrics.PerfEventCreates);
        Assert.IsTrue(world.Metrics.LostEntries > 0, "the recreated event wiped the stack the guest was about to read");
    }

    [TestMethod]
    public void PvPollutesAPmiSamplingGuestBecauseActiveIsSetOnlyInCallstackMode()
    {
        var pv = LbrWorkloads.Run(LbrWorkload.PmiHeavyToggling, LbrStrategyKind.Pv, LbrWorld.SkylakeServer);
        Assert.IsTrue(pv.Metrics.PollutedReads > 0);
        var kvm = LbrWorkloads.Run(LbrWorkload.PmiHeavyToggling, LbrStrategyKind.Kvm, LbrWorld.SkylakeServer);
        Assert.AreEqual(0, kvm.Metrics.PollutedReads);
    }

    [TestMethod]
    public void ComparisonCoversEveryStrategyOnEveryWorkloadAndReproducesThePollutionCase()
    {
        var report = LbrComparison.Run();
        Assert.AreEqual(24, report.Rows.Count);
        var window = LbrWorkload.HostThreadInWindow;
        Assert.IsTrue(report.Find(window, LbrStrategyKind.Timer).Polluted);
        Assert.IsTrue(report.Find(window, LbrStrategyKind.None).Polluted);
        Assert.IsFalse(report.Find(window, LbrStrategyKind.Pv).Polluted);
        Assert.IsFalse(report.Find(window, LbrStrategyKind.Lazy).Polluted);
        Assert.IsFalse(report.Find(window, LbrStrategyKind.Kvm).Polluted);

        var always = report.Find(LbrWorkload.CallstackSwitching, LbrStrategyKind.Always);
        Assert.AreEqual(196.0, always.MsrOpsPerSwitch, 1e-9);
        Assert.AreEqual(24_500.0, always.CyclesPerSwitch, 1e-9, "98 RDMSR × 42 + 98 WRMSR × 208, cf. the ~24k of 96 × 42 + 96 × 208");

        var idle = LbrWorkload.UsedOnceThenIdle;
        Assert.AreEqual(0.0, report.Find(idle, LbrStrategyKind.Pv).MsrOpsPerSwitch);
        Assert.AreEqual(1, report.Find(idle, LbrStrategyKind.Timer).TimerExits);
        Assert.AreEqual(0, report.Find(idle, LbrStrategyKind.Kvm).TimerExits);
        Assert.IsTrue(report.Find(idle, LbrStrategyKind.Always).MsrOpsPerSwitch > report.Find(idle, LbrStrategyKind.Kvm).MsrOpsPerSwitch);
    }

    [TestMethod]
    public void ComparisonIsDeterministicAndTheSvgIsWellFormed()
    {
        var first = LbrComparison.Run();
        var second = LbrComparison.Run();
        Assert.AreEqual(first.Svg, second.Svg);
        Assert.AreEqual(first.MarkdownTable, second.MarkdownTable);
        var svg = XDocument.Parse(first.Svg);
        Assert.AreEqual("svg", svg.Root!.Name.LocalName);
        // 4 workloads x 6 strategies = 24 rows, each drawn in three panels (cost, leaked, lost).
        var seriesBars = svg.Root.Elements().Where(e => e.Name.LocalName == "rect" && (string?)e.Attribute("class") == "series" && e.Attribute("width")?.Value != "10").ToList();
        Assert.AreEqual(24 * 3, seriesBars.Count);
        int pollutedRows = first.Rows.Count(r => r.PollutedEntries > 0);
        var leakedBars = SvgChart.Layout(LbrChart.Spec(first.Rows)).Bars.Where(b => b.Panel == 1 && b.Value > 0).ToList();
        Assert.AreEqual(pollutedRows, leakedBars.Count);
        Assert.AreEqual(26, first.MarkdownTable.Split('\n', System.StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [TestMethod]
    public void TimerWindowTradesPollutionForIdleCost()
    {
        long slice = (long)LbrWorkloads.LongHostSlice * LbrVmOptions.DefaultCyclesPerBranch;
        var rows = LbrTimerSweep.Run();
        double previousIdleCost = -1;
        foreach (var row in rows)
        {
            Assert.AreEqual(row.Window < slice, row.PollutedReads > 0, $"window {row.Window}: {row.PollutedReads} polluted reads");
            Assert.IsTrue(row.IdleMsrOpsPerSwitch >= previousIdleCost, $"window {row.Window}: idle cost fell");
            previousIdleCost = row.IdleMsrOpsPerSwitch;
        }

        Assert.IsTrue(rows[^1].IdleMsrOpsPerSwitch > rows[0].IdleMsrOpsPerSwitch);
    }

    [TestMethod]
    public void CostOverridesChangeTheModeledCycles()
    {
        var table = new MsrGen.Runtime.Cost.CostTable();
        Assert.IsTrue(table.TryOverride("rdmsr", 1));
        Assert.IsTrue(table.TryOverride("wrmsr", 1));
        var cheap = LbrComparison.Run(table);
        Assert.AreEqual(196.0, cheap.Find(LbrWorkload.CallstackSwitching, LbrStrategyKind.Always).CyclesPerSwitch, 1e-9);
    }
}
