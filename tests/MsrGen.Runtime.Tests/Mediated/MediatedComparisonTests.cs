using System.Linq;
using System.Xml.Linq;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Mediated.Comparison;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>The placement comparison: deterministic, and the relations argued in Sean Christopherson, "Re: [Patch v4 07/13] perf/x86: Add constraint for guest perf metrics event", LKML, 2023-10-02 hold.</summary>
[TestClass]
public sealed class MediatedComparisonTests
{
    private static readonly ComparisonTable Table = PlacementComparison.Run(milliseconds: 20);

    private static ComparisonRow Row(ComparisonWorkload w, string design) =>
        Table.Rows.Single(r => r.Workload == w && r.Design == design);

    [TestMethod]
    public void Every_workload_has_the_legacy_design_and_all_five_placements()
    {
        foreach (var workload in System.Enum.GetValues<ComparisonWorkload>())
        {
            var designs = Table.Rows.Where(r => r.Workload == workload).Select(r => r.Design).ToList();
            CollectionAssert.AreEqual(new[]
            {
                "legacy (perf-emulated)", "mediated exit", "mediated run-loop", "mediated vcpu-load", "mediated owned", "mediated dirty-only",
            }, designs);
        }
    }

    [TestMethod]
    public void The_comparison_and_its_chart_are_deterministic()
    {
        var again = PlacementComparison.Run(milliseconds: 20);
        CollectionAssert.AreEqual(Table.Rows.ToList(), again.Rows.ToList());
        Assert.AreEqual(PlacementChart.Svg(Table), PlacementChart.Svg(again));
        var svg = XDocument.Parse(PlacementChart.Svg(Table));
        Assert.AreEqual("svg", svg.Root!.Name.LocalName);
        Assert.AreEqual(Table.Rows.Count, svg.Descendants().Count(e => e.Name.LocalName == "circle"));
    }

    [TestMethod]
    public void Mediated_guests_count_exactly_while_the_legacy_vpmu_loses_counts_under_host_contention()
    {
        Assert.IsTrue(Row(ComparisonWorkload.PerfStat, "legacy (perf-emulated)").GuestAccuracyPercent < 99.0);
        foreach (var placement in PlacementComparison.Placements)
        {
            var row = Row(ComparisonWorkload.PerfStat, "mediated " + PlacementComparison.PlacementName(placement));
            Assert.IsTrue(row.GuestAccuracyPercent >= 99.99 && row.GuestAccuracyPercent < 100.1, $"{row.Design}: {row.GuestAccuracyPercent}");
        }
    }

    [TestMethod]
    public void Every_placement_delivers_every_sample_interrupt()
    {
        // Regression: dirty-only left the resident LVTPC masked after the first PMI (the lazy load
        // does not rewrite it), so the guest saw one sample interrupt per run instead of one per ms.
        foreach (var workload in new[] { ComparisonWorkload.PerfRecord, ComparisonWorkload.Multiplex })
        {
            foreach (var placement in PlacementComparison.Placements)
            {
                var row = Row(workload, "mediated " + PlacementComparison.PlacementName(placement));
                Assert.AreEqual(100.0, row.GuestAccuracyPercent, 0.01, $"{workload}, {row.Design}");
            }
        }
    }

    [TestMethod]
    public void Sampling_costs_the_legacy_vpmu_far_more_than_the_mediated_one()
    {
        foreach (var workload in new[] { ComparisonWorkload.PerfRecord, ComparisonWorkload.Multiplex })
        {
            double legacy = Row(workload, "legacy (perf-emulated)").OverheadPercent;
            double mediated = Row(workload, "mediated run-loop").OverheadPercent;
            Assert.IsTrue(legacy > 4 * mediated, $"{workload}: legacy {legacy:0.0}% vs mediated {mediated:0.0}%");
        }
    }

    [TestMethod]
    public void Placements_trade_switch_cost_against_host_blindness()
    {
        var idle = ComparisonWorkload.IdleGuestBusyHost;
        Assert.IsTrue(Row(idle, "mediated exit").CyclesPerExit > Row(idle, "mediated run-loop").CyclesPerExit, "exit switches on fastpath exits too");
        Assert.IsTrue(Row(idle, "mediated dirty-only").MsrOpsPerExit < Row(idle, "mediated run-loop").MsrOpsPerExit);
        Assert.AreEqual(100.0, Row(idle, "mediated vcpu-load").HostBlindPercent, 0.01, "host work inside KVM_RUN is invisible");
        Assert.AreEqual(0.0, Row(idle, "mediated owned").HostAccuracyPercent, 0.01, "host perf has no PMU");
        Assert.AreEqual(100.0, Row(idle, "mediated run-loop").HostAccuracyPercent, 0.01);
        Assert.IsTrue(Row(idle, "mediated run-loop").HostBlindPercent < 5);
        Assert.AreEqual(0.0, Row(idle, "legacy (perf-emulated)").HostBlindPercent);
    }

    [TestMethod]
    public void The_cpuid_exit_reproduces_the_published_elision_figures_within_fifteen_percent()
    {
        var checks = AnchorChecks.Run();
        foreach (var check in checks.Where(c => c.Source == "Christopherson 2025a"))
        {
            Assert.IsTrue(check.Ratio > 0.85 && check.Ratio < 1.15, $"{check.Quantity}: modeled {check.Modeled:0}, ratio {check.Ratio:0.00}");
        }

        var b4 = checks.Single(c => c.Source == "Christopherson 2025a minus Christopherson 2024");
        Assert.IsTrue(b4.Modeled >= b4.PublishedLow && b4.Modeled <= b4.PublishedHigh, $"switch overhead modeled {b4.Modeled:0}");
        Assert.IsTrue(AnchorChecks.CpuidExitCycles(PlacementComparison.DefaultHost, elide: false) >
                      AnchorChecks.CpuidExitCycles(PlacementComparison.DefaultHost, elide: true));
    }
}

/// <summary>The default report's section prints the table and the checks and writes the chart it names.</summary>
[TestClass]
public sealed class MediatedReportSectionTests
{
    [TestMethod]
    public void The_section_prints_every_design_and_writes_the_chart()
    {
        Assert.AreEqual(1, MsrGen.Runtime.Kvm.VpmuRegistry.Discover<MsrGen.Runtime.Reporting.IReportSection>().OfType<PlacementReportSection>().Count());
        string directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "msrgen-mediated-report-" + System.Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var writer = new System.IO.StringWriter();
        PlacementReportSection.WriteTo(writer, directory);
        string text = writer.ToString();
        foreach (var design in new[] { "legacy (perf-emulated)", "mediated exit", "mediated run-loop", "mediated vcpu-load", "mediated owned", "mediated dirty-only" })
        {
            StringAssert.Contains(text, design);
        }

        StringAssert.Contains(text, "Christopherson 2025a: CPUID exit");
        string chartLine = text.Split('\n').Single(l => l.StartsWith("chart: ", System.StringComparison.Ordinal)).TrimEnd('\r');
        string path = chartLine["chart: ".Length..];
        Assert.AreEqual(System.IO.Path.Combine(directory, PlacementReportSection.ChartFileName), path);
        Assert.AreEqual(PlacementChart.Svg(PlacementComparison.Run()), System.IO.File.ReadAllText(path));
        System.IO.Directory.Delete(directory, recursive: true);
    }
}
