using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using MsrGen.Analyzers.Tests.Infrastructure;

namespace MsrGen.Analyzers.Tests.EndToEnd;

/// <summary>
/// Builds tests/MsrGen.Showcase with the analyzers on and checks the build output: every rule fires,
/// each `// expect: MSRnnnn` line gets exactly its diagnostic, and nothing else is reported.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ShowcaseBuildTests
{
    private static readonly Regex Reported = new(@"(?<file>[^\s\\/]+\.cs)\((?<line>\d+),\d+\): warning (?<id>MSR\d{4})", RegexOptions.CultureInvariant);
    private static readonly Regex Expected = new(@"// expect: (?<id>MSR\d{4})", RegexOptions.CultureInvariant);

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public async Task ShowcaseBuild_ReportsExactlyTheExpectedWarnings()
    {
        string root = AnalyzerReleasesTests.RepositoryRoot();
        string project = Path.Combine(root, "tests", "MsrGen.Showcase", "MsrGen.Showcase.csproj");

        // Rebuild only the showcase: the analyzer and register library were built with this test assembly.
        var result = await DotnetProcess.RunAsync(
            "dotnet",
            new[] { "build", project, "-t:Rebuild", "-c", DotnetProcess.Configuration, "-p:BuildProjectReferences=false", "-p:MsrGenShowcaseWarnings=true", "--nologo" },
            root,
            TimeSpan.FromMinutes(9));
        Assert.AreEqual(0, result.ExitCode, "the showcase build failed:\n" + result.Output);

        var reported = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match match in Reported.Matches(result.Output))
        {
            reported.Add($"{match.Groups["file"].Value}:{match.Groups["line"].Value}:{match.Groups["id"].Value}");
        }

        var expected = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(Path.GetDirectoryName(project)!, "*.cs"))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match match in Expected.Matches(lines[i]))
                {
                    expected.Add($"{Path.GetFileName(file)}:{i + 1}:{match.Groups["id"].Value}");
                }
            }
        }

        CollectionAssert.AreEqual(expected.ToList(), reported.ToList(),
            "expected:\n" + string.Join("\n", expected) + "\nreported:\n" + string.Join("\n", reported));
        var ids = reported.Select(r => r.Split(':')[2]).Distinct().OrderBy(id => id, StringComparer.Ordinal).ToArray();
        var supported = new MsrAccessAnalyzer().SupportedDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(supported, ids, "every rule fires in the showcase");
    }
}
