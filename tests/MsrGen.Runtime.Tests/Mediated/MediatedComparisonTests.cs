using System.Linq;
using System.Xml.Linq;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Comparisons;
using MsrGen.Runtime.Reporting;

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
                "emulated", "mediated exit", "mediated run-loop", "mediated vcpu-load", "mediated owned", "mediated dirty-only",
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
        // One bar per row in each of the three panels (overhead, accuracy, blind time), plus one legend swatch per design.
        int designs = Table.Rows.Select(r => r.Design).Distinct().Count();
        Assert.AreEqual(Table.Rows.Count * 3 + designs, svg.Descendants().Count(e => e.Name.LocalName == "rect" && (string?)e.Attribute("class") == "series"));
    }

    [TestMethod]
    public void Mediated_guests_count_exactly_while_the_legacy_vpmu_loses_counts_under_host_contention()
    {
        Assert.IsTrue(Row(ComparisonWorkload.PerfStat, "emulated").GuestAccuracyPercent < 99.0);
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
            double legacy = Row(workload, "emulated").OverheadPercent;
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
        Assert.AreEqual(0.0, Row(idle, "emulated").HostBlindPercent);
    }

    [TestMethod]
    public void The_elision_figures_of_Christopherson_2025a_validate_and_set_no_default()
    {
        // Validating means independent: none of the defaults the CPUID-exit check prices may come
        // from the posting it is checked against.
        var priced = new[] { "vmexit", "vmexit.fastpath", "wrmsr", "rdmsr", "rdpmc", "vmcs.global-ctrl" };
        foreach (var entry in MsrGen.Runtime.Cost.CostTable.BuiltIn.Where(e => priced.Contains(e.Name)))
        {
            StringAssert.DoesNotMatch(entry.Source, new System.Text.RegularExpressions.Regex("Christopherson 2025a"), entry.Name);
        }

        Assert.IsFalse(AnchorChecks.Calibrating.Any(c => AnchorChecks.Run().Any(v => v.Source.Contains(c.Source, System.StringComparison.Ordinal))),
            "a calibrating figure is also shown as a check");

        // KVM's kvm_pmu_load_guest_pmcs() with the elision reads each counter with RDPMC and skips
        // the WRMSR when the value already matches; on an idle PMU every counter matches. So per
        // exit the elision trades 11 counter WRMSRs (8 GP + 3 fixed on the Emerald Rapids-like
        // host) for 11 RDPMCs: 11 × (208 − 25) = 2,013 cycles with the cost-model defaults.
        double before = AnchorChecks.CpuidExitCycles(PlacementComparison.DefaultHost, elide: false);
        double after = AnchorChecks.CpuidExitCycles(PlacementComparison.DefaultHost, elide: true);
        Assert.AreEqual(2_013.0, before - after, 1e-9);
    }
}

/// <summary>The default report's section prints the table and the checks and writes the chart it names.</summary>
[TestClass]
public sealed class MediatedReportSectionTests
{
    [TestMethod]
    public void The_section_has_every_design_and_the_published_checks()
    {
        Assert.AreEqual(1, MsrGen.Runtime.Kvm.VpmuRegistry.Discover<MsrGen.Runtime.Reporting.IReportSection>().OfType<PlacementReportSection>().Count());
        var result = PlacementReportSection.Build(PlacementComparison.Run());
        var details = result.Tables.Single(t => t.Id == "placement-details");
        var designs = details.Rows.Select(r => r[1].Text).Distinct().ToList();
        CollectionAssert.AreEquivalent(new[] { "emulated", "mediated exit", "mediated run-loop", "mediated vcpu-load", "mediated owned", "mediated dirty-only" }, designs);
        var checks = result.Tables.Single(t => t.Id == "published-checks");
        Assert.IsTrue(checks.Rows.Any(r => r[1].Text == "Christopherson 2025a" && r[0].Text!.StartsWith("CPUID exit", System.StringComparison.Ordinal)));
    }
}
