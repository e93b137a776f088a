using System.IO;
using System.Runtime.CompilerServices;
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
    }

    private static string DocsPath([CallerFilePath] string source = "")
    {
        foreach (string start in new[] { System.AppContext.BaseDirectory, Path.GetDirectoryName(source) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "docs", "lbr.md");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        Assert.Fail("docs/lbr.md not found");
        return "";
    }
}
