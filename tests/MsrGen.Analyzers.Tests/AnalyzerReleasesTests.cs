using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace MsrGen.Analyzers.Tests;

/// <summary>
/// The release files list exactly the rules the analyzer supports, with their category and severity
/// (the compiler's release-tracking check cannot see through the Rule() factory), and every rule has
/// its help page.
/// </summary>
[TestClass]
public sealed class AnalyzerReleasesTests
{
    private static readonly IReadOnlyList<DiagnosticDescriptor> Supported = new MsrAccessAnalyzer().SupportedDiagnostics;

    [TestMethod]
    public void ReleaseFiles_ListEverySupportedRuleOnce()
    {
        var rows = ReadRows();
        CollectionAssert.AreEquivalent(
            Supported.Select(d => d.Id).ToArray(),
            rows.Select(r => r.Id).ToArray(),
            "AnalyzerReleases.Shipped.md + Unshipped.md must name each supported rule exactly once.");
        foreach (var descriptor in Supported)
        {
            var row = rows.Single(r => r.Id == descriptor.Id);
            Assert.AreEqual(descriptor.Category, row.Category, descriptor.Id);
            Assert.AreEqual(descriptor.DefaultSeverity.ToString(), row.Severity, descriptor.Id);
        }
    }

    [TestMethod]
    public void EveryRule_HasAHelpPageInTheRepository()
    {
        string root = RepositoryRoot();
        foreach (var descriptor in Supported)
        {
            Assert.AreEqual(PublishedDocsUrl(root) + "rules/" + descriptor.Id + ".md", descriptor.HelpLinkUri);
            StringAssert.StartsWith(descriptor.HelpLinkUri, "https://");
            string page = Path.Combine(root, "docs", "rules", descriptor.Id + ".md");
            Assert.IsTrue(File.Exists(page), "missing " + page);
            string text = File.ReadAllText(page);
            StringAssert.Contains(text, "#pragma warning disable " + descriptor.Id, "the page says how to suppress " + descriptor.Id);
        }
    }

    /// <summary>The published docs location, read from Directory.Build.props the way MSBuild expands it.</summary>
    private static string PublishedDocsUrl(string root)
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(root, "Directory.Build.props"));
        string Value(string name) => props.Descendants(name).First().Value;
        return Value("MsrGenDocsUrl").Replace("$(MsrGenRepositoryUrl)", Value("MsrGenRepositoryUrl"), System.StringComparison.Ordinal);
    }

    private static List<(string Id, string Category, string Severity)> ReadRows()
    {
        var rows = new List<(string, string, string)>();
        foreach (string name in new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" })
        {
            foreach (string line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Releases", name)))
            {
                string[] cells = line.Split('|').Select(c => c.Trim()).ToArray();
                if (cells.Length >= 3 && cells[0].StartsWith("MSR", StringComparison.Ordinal))
                {
                    rows.Add((cells[0], cells[1], cells[2]));
                }
            }
        }

        return rows;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, "analyzers")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
