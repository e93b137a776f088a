using System.IO;
using System.Linq;
using MsrGen.Runtime.Comparisons;
using MsrGen.Runtime.Lbr;
using MsrGen.Runtime.Reporting;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class LbrDocsTests
{
    [TestMethod]
    public void DocsShowTheCurrentComparisonTableAndChart()
    {
        string docs = File.ReadAllText(DocsPath());
        var report = LbrComparison.Run();
        StringAssert.Contains(docs, report.MarkdownTable.TrimEnd('\n'), "docs/lbr.md is out of date: paste LbrComparison.Run().MarkdownTable");
        StringAssert.Contains(docs, report.Svg.TrimEnd('\n'), "docs/lbr.md is out of date: paste LbrComparison.Run().Svg");
        StringAssert.Contains(docs, LbrTimerSweep.ToMarkdown(LbrTimerSweep.Run()).TrimEnd('\n'), "docs/lbr.md is out of date: paste the timer sweep");
    }

    [TestMethod]
    public void TheDefaultReportHasTheLbrSectionWithEveryRowAndItsChart()
    {
        Assert.AreEqual(1, MsrGen.Runtime.Kvm.VpmuRegistry.Discover<MsrGen.Runtime.Reporting.IReportSection>().OfType<LbrReportSection>().Count());
        var report = LbrComparison.Run();
        var result = LbrReportSection.Build(report);
        var table = result.Tables.Single();
        Assert.AreEqual(report.Rows.Count, table.Rows.Count);
        int leaked = table.Columns.ToList().FindIndex(c => c.Id == "polluted_entries");
        Assert.AreEqual(report.Rows.Count(r => r.PollutedEntries > 0), table.Rows.Count(r => r[leaked].Number > 0));
        Assert.AreEqual(report.Svg, result.Charts.Single().Svg);
        Assert.IsTrue(result.Findings.Count >= 2);
        Assert.IsTrue(result.Findings.All(f => f.EndsWith('.') && f.Count(c => c == '.') >= 1));
    }

    private static string DocsPath() => Path.Combine(TestSupport.RepositoryRoot(), "docs", "lbr.md");
}
