using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace MsrGen.Runtime.Tests.Repository;

/// <summary>
/// Every claim a user reads must be traceable: docs, scenario descriptions, code comments, test
/// names and the tool's output cite public sources only, and every repository file they name
/// exists. The patterns below are assembled so that this file does not match them itself.
/// </summary>
[TestClass]
public sealed class TraceabilityTests
{
    /// <summary>Names private to the project's own notes, which users of a clone do not have.</summary>
    private static readonly Regex PrivateReference = new(
        string.Join("|",
            @"seed[ -]?00[0-9]",
            @"shared/(reference|spec|seeds)",
            @"kvm-pmu\.md",
            "cost-" + "anchors?",
            "style-" + "anchors",
            @"scenario-language\.md",
            "MED-" + @"v6 \d",
            "the review'?s " + "callback",
            @"\bissue [0-9]+",
            @"\bthe contrac" + @"t\b"),
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Row ids of a private table of figures ("A1", "C6", "L2"): a source must be named instead.</summary>
    private static readonly Regex PrivateRowId = new(@"(?<![\w.#/-])[ABCFGHL]([1-9]|1[0-5])(?![\w.])", RegexOptions.CultureInvariant);

    /// <summary>A path inside the repository: one of its top-level folders, then more.</summary>
    private static readonly Regex RepositoryPath = new(
        @"(?<![\w/.:-])((?:docs|runtime|registers|generator|analyzers|scenarios|tests|traces|\.ci)/[\w./*{}-]*[\w*}/])",
        RegexOptions.CultureInvariant);

    private static readonly Regex MarkdownLink = new(@"\]\(([^)\s#]+)(#[^)]*)?\)", RegexOptions.CultureInvariant);

    private static readonly Regex BacktickedFile = new(@"`([\w.-]+\.(?:pmu|cs))`", RegexOptions.CultureInvariant);

    private static readonly string[] SkippedDirectories = { ".git", "bin", "obj", "artifacts", "TestResults" };

    private static readonly string[] TextExtensions = { ".cs", ".md", ".pmu", ".msr", ".csproj", ".props", ".targets", ".json", ".xml", ".txt", ".sh", ".yml", ".yaml", ".editorconfig", ".sln" };

    private static string Root => TestSupport.RepositoryRoot();

    private static IEnumerable<string> RepositoryFiles(string directory)
    {
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            yield return file;
        }

        foreach (string sub in Directory.EnumerateDirectories(directory))
        {
            if (SkippedDirectories.Contains(Path.GetFileName(sub), StringComparer.Ordinal))
            {
                continue;
            }

            foreach (string file in RepositoryFiles(sub))
            {
                yield return file;
            }
        }
    }

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>Every text file of the repository, generator snapshots included (they are generated from our own definition comments).</summary>
    private static IEnumerable<string> TextFiles() =>
        RepositoryFiles(Root).Where(f => TextExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)
                                         || Path.GetFileName(f) is "run" or "README");

    /// <summary>What a user reads: docs, the README, scenarios, runtime and CLI sources.</summary>
    private static IEnumerable<string> UserFacingFiles() =>
        RepositoryFiles(Root).Where(f =>
        {
            string relative = Relative(f);
            string extension = Path.GetExtension(f);
            return relative == "README.md"
                || (relative.StartsWith("docs/", StringComparison.Ordinal) && extension == ".md")
                || (relative.StartsWith("scenarios/", StringComparison.Ordinal) && extension == ".pmu")
                || (relative.StartsWith("runtime/", StringComparison.Ordinal) && extension == ".cs");
        });

    private static readonly Lazy<string> Report = new(RunDefaultReport);

    private static string DefaultReportOutput() => Report.Value;

    private static string RunDefaultReport()
    {
        string charts = Path.Combine(Path.GetTempPath(), "msrgen-trace-" + Guid.NewGuid().ToString("N"));
        var output = new StringWriter();
        var errors = new StringWriter();
        MsrGen.Cli.Program.Run(new[] { "--charts", charts }, output, errors);
        if (Directory.Exists(charts))
        {
            Directory.Delete(charts, recursive: true);
        }

        return output + errors.ToString();
    }

    private static IEnumerable<string> Hits(Regex pattern, string text, string where)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (Match m in pattern.Matches(lines[i]))
            {
                yield return $"{where}:{i + 1}: '{m.Value}' in: {lines[i].Trim()}";
            }
        }
    }

    [TestMethod]
    public void No_file_in_the_repository_names_a_private_note()
    {
        var hits = TextFiles().SelectMany(f => Hits(PrivateReference, File.ReadAllText(f), Relative(f))).ToList();
        Assert.AreEqual(0, hits.Count, string.Join("\n", hits.Take(40)));
    }

    [TestMethod]
    public void User_facing_text_cites_sources_not_private_row_ids()
    {
        var hits = UserFacingFiles().SelectMany(f => Hits(PrivateRowId, File.ReadAllText(f), Relative(f))).ToList();
        Assert.AreEqual(0, hits.Count, string.Join("\n", hits.Take(40)));
    }

    [TestMethod]
    public void The_default_report_names_no_private_note_or_row_id()
    {
        string text = DefaultReportOutput();
        var hits = Hits(PrivateReference, text, "output").Concat(Hits(PrivateRowId, text, "output")).ToList();
        Assert.AreEqual(0, hits.Count, string.Join("\n", hits.Take(40)));
    }

    [TestMethod]
    public void The_patterns_catch_what_they_are_for()
    {
        // Each sample is one of the forms the patterns exist to reject, written out by hand.
        string[] privateSamples =
        {
            "see seed" + " 001", "the seed" + "-000 hook", "Seed" + "000", "../shared/" + "reference/x.md", "kvm-pmu" + ".md A.4",
            "cost-" + "anchors.md", "(cost-" + "anchor rows)", "the review's " + "callback", "issue" + " 3's target", "the contrac" + "t's runner", "MED-" + "v6 28",
        };
        foreach (string sample in privateSamples)
        {
            Assert.IsTrue(PrivateReference.IsMatch(sample), sample);
        }

        foreach (string sample in new[] { "(A1)", "C6, derived", "L2's ~24k", "B1/B2" })
        {
            Assert.IsTrue(PrivateRowId.IsMatch(sample), sample);
        }

        foreach (string sample in new[] { "0xC1+n", "IA32_PMC2", "MSR_K7_PERFCTR3", "a random seed of 42", "the scenario language", "Kang 2019" })
        {
            Assert.IsFalse(PrivateReference.IsMatch(sample) || PrivateRowId.IsMatch(sample), sample);
        }
    }

    /// <summary>True if <paramref name="path"/> (relative to the root, maybe with * or {a,b} parts) names something that exists.</summary>
    private static bool Exists(string path)
    {
        string trimmed = path.TrimEnd('/', '.');
        int wildcard = trimmed.IndexOfAny(new[] { '*', '{' });
        if (wildcard >= 0)
        {
            // A pattern: the folder before the first wildcard must exist.
            string folder = trimmed[..wildcard];
            folder = folder.Contains('/') ? folder[..folder.LastIndexOf('/')] : folder;
            return Directory.Exists(Path.Combine(Root, folder));
        }

        string full = Path.Combine(Root, trimmed);
        return File.Exists(full) || Directory.Exists(full);
    }

    private static IEnumerable<string> MissingPaths(string text, string where)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (Match m in RepositoryPath.Matches(lines[i]))
            {
                string path = m.Groups[1].Value;
                // The NuGet package layout (analyzers/dotnet/cs) is a folder inside the package, not the repository.
                if (path.StartsWith("analyzers/dotnet", StringComparison.Ordinal))
                {
                    continue;
                }

                if (!Exists(path))
                {
                    yield return $"{where}:{i + 1}: {path}";
                }
            }
        }
    }

    [TestMethod]
    public void Every_repository_path_in_docs_scenarios_and_sources_exists()
    {
        var missing = UserFacingFiles().SelectMany(f => MissingPaths(File.ReadAllText(f), Relative(f))).ToList();
        Assert.AreEqual(0, missing.Count, string.Join("\n", missing));
    }

    [TestMethod]
    public void Every_repository_path_in_the_default_report_exists()
    {
        var missing = MissingPaths(DefaultReportOutput(), "output").ToList();
        Assert.AreEqual(0, missing.Count, string.Join("\n", missing));
    }

    [TestMethod]
    public void Every_markdown_link_and_named_scenario_or_source_file_exists()
    {
        var names = RepositoryFiles(Root).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (string file in UserFacingFiles().Where(f => f.EndsWith(".md", StringComparison.Ordinal)))
        {
            string text = File.ReadAllText(file);
            foreach (Match m in MarkdownLink.Matches(text))
            {
                string target = m.Groups[1].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                string full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target));
                if (!File.Exists(full) && !Directory.Exists(full))
                {
                    missing.Add($"{Relative(file)}: link {target}");
                }
            }

            foreach (Match m in BacktickedFile.Matches(text))
            {
                // Generated sources (*.g.cs) exist only inside the compilation.
                if (!names.Contains(m.Groups[1].Value) && !m.Groups[1].Value.EndsWith(".g.cs", StringComparison.Ordinal))
                {
                    missing.Add($"{Relative(file)}: `{m.Groups[1].Value}`");
                }
            }
        }

        Assert.AreEqual(0, missing.Count, string.Join("\n", missing));
    }

    [TestMethod]
    public void The_path_check_sees_a_missing_file()
    {
        Assert.IsTrue(Exists("docs/sources.md"));
        Assert.IsTrue(Exists("scenarios/mediated/*.pmu"));
        Assert.IsFalse(Exists("docs/no-such-page.md"));
        Assert.AreEqual(1, MissingPaths("see `docs/no-such-page.md` and docs/sources.md", "sample").Count());
    }

    [TestMethod]
    public void Every_cost_table_source_is_listed_in_docs_sources()
    {
        string sources = File.ReadAllText(Path.Combine(Root, "docs", "sources.md"));
        foreach (var entry in MsrGen.Runtime.Cost.CostTable.BuiltIn)
        {
            foreach (string name in entry.Source.Split(", "))
            {
                StringAssert.Contains(sources, "| " + name + " |", $"{entry.Name}: source '{name}' is not a row of docs/sources.md");
            }
        }

        foreach (var check in MsrGen.Runtime.Comparisons.AnchorChecks.Run())
        {
            foreach (string name in Regex.Split(check.Source, ", derived| minus |, ").Where(n => n.Length > 0))
            {
                StringAssert.Contains(sources, "| " + name + " |", check.Quantity);
            }
        }
    }
}
