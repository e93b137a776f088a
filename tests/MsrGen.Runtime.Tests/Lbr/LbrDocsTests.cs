using System.IO;
using System.Linq;
using MsrGen.Runtime.Lbr;

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
    public void TheDefaultReportHasTheLbrSectionWithEveryRow()
    {
        Assert.AreEqual(1, MsrGen.Runtime.Kvm.VpmuRegistry.Discover<MsrGen.Runtime.Reporting.IReportSection>().OfType<LbrReportSection>().Count());
        string directory = Path.Combine(Path.GetTempPath(), "msrgen-lbr-report-" + System.Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var writer = new StringWriter();
        LbrReportSection.WriteTo(writer, directory);

        string text = writer.ToString();
        var report = LbrComparison.Run();
        Assert.AreEqual(report.Svg, File.ReadAllText(Path.Combine(directory, "lbr-strategies.svg")));
        int yes = text.Split('\n').Count(line => line.Contains(" YES ", System.StringComparison.Ordinal));
        Assert.AreEqual(report.Rows.Count(r => r.Polluted), yes);
        StringAssert.Contains(text, "window");
        Directory.Delete(directory, recursive: true);
    }

    private static string DocsPath() => Path.Combine(TestSupport.RepositoryRoot(), "docs", "lbr.md");
}
