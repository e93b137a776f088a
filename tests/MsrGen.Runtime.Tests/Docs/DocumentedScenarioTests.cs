using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MsrGen.Runtime.Runner;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Tests.Docs;

/// <summary>
/// Every scenario shown in the documentation runs as written: each fenced block of docs/*.md and
/// README.md that is a scenario (tagged <c>pmu</c>, or untagged and parsing as a complete scenario
/// with a <c>vm</c> line) parses, runs and meets all its expectations. Grammar sketches such as
/// <c>host PRESET [KEY=VALUE ...]</c> do not parse and are not scenarios.
/// </summary>
[TestClass]
public sealed class DocumentedScenarioTests
{
    /// <summary>One fenced block: where it starts (the line after the opening fence), its tag and text.</summary>
    public sealed record FencedBlock(string File, int Line, string Tag, string Text);

    public static IEnumerable<FencedBlock> Blocks()
    {
        string root = TestSupport.RepositoryRoot();
        var files = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories)
            .Append(Path.Combine(root, "README.md"))
            .Order(StringComparer.Ordinal);
        foreach (string file in files)
        {
            foreach (var block in Split(Path.GetRelativePath(root, file), File.ReadAllLines(file)))
            {
                yield return block;
            }
        }
    }

    /// <summary>CommonMark-style fences: a line of three or more backticks (or tildes), its tag the first word after them.</summary>
    public static IEnumerable<FencedBlock> Split(string file, IReadOnlyList<string> lines)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            string trimmed = lines[i].TrimStart();
            string fence = trimmed.StartsWith("```", StringComparison.Ordinal) ? "```" : trimmed.StartsWith("~~~", StringComparison.Ordinal) ? "~~~" : "";
            if (fence.Length == 0)
            {
                continue;
            }

            string tag = trimmed.TrimStart(fence[0]).Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            var text = new StringBuilder();
            int start = i + 1;
            for (i++; i < lines.Count && !lines[i].TrimStart().StartsWith(fence, StringComparison.Ordinal); i++)
            {
                text.Append(lines[i]).Append('\n');
            }

            yield return new FencedBlock(file, start + 1, tag, text.ToString());
        }
    }

    /// <summary>A block the test must run: tagged pmu, or an untagged block that is a whole scenario.</summary>
    public static bool IsScenario(FencedBlock block, out ScenarioParseResult parsed)
    {
        parsed = ScenarioParser.Parse(block.File, block.Text, CatalogNameResolver.ParserOptions);
        if (block.Tag.Equals("pmu", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return block.Tag.Length == 0 && parsed.Succeeded && parsed.File.Statements.Any(s => s is VmStatement);
    }

    public static IEnumerable<object[]> DocumentedScenarios() =>
        Blocks().Where(b => IsScenario(b, out _)).Select(b => new object[] { b.File, b.Line });

    [TestMethod]
    public void The_documentation_shows_scenarios()
    {
        // The first example of docs/scenarios.md is a mediated VM; without it this test guards nothing.
        var found = DocumentedScenarios().Select(d => (string)d[0]).ToList();
        Assert.IsTrue(found.Count(f => f.EndsWith("scenarios.md", StringComparison.Ordinal)) >= 1, string.Join(", ", found));
    }

    [TestMethod]
    [DynamicData(nameof(DocumentedScenarios))]
    public void Documented_scenario_runs_as_written(string file, int line)
    {
        var block = Blocks().Single(b => b.File == file && b.Line == line);
        Assert.IsTrue(IsScenario(block, out var parsed));
        Assert.IsTrue(parsed.Succeeded, $"{file}:{line}: " + string.Join("\n", parsed.Diagnostics));
        var outcome = ScenarioRunner.RunText($"{file}:{line}", block.Text);
        Assert.IsFalse(outcome.Malformed, $"{file}:{line}: " + string.Join("\n", outcome.Errors));
        Assert.IsTrue(outcome.Expectations.Count > 0, $"{file}:{line}: a documented scenario should show a result");
        Assert.AreEqual(0, outcome.Failed, $"{file}:{line}: " + string.Join("\n", outcome.Expectations.Where(e => !e.Passed)));
    }

    [TestMethod]
    public void Fences_are_split_with_their_tags_and_a_failing_example_is_caught()
    {
        string[] lines =
        [
            "text",
            "```pmu",
            "host sapphire-rapids mediated=off",
            "vm vpmu=mediated => ok",
            "```",
            "```",
            "host PRESET [KEY=VALUE ...]",
            "```",
        ];
        var blocks = Split("x.md", lines).ToList();
        Assert.AreEqual(2, blocks.Count);
        Assert.AreEqual("pmu", blocks[0].Tag);
        Assert.AreEqual(3, blocks[0].Line);
        Assert.IsTrue(IsScenario(blocks[0], out _));
        Assert.IsFalse(IsScenario(blocks[1], out _), "a grammar sketch is not a scenario");
        var outcome = ScenarioRunner.RunText("x.md:3", blocks[0].Text);
        Assert.AreEqual(1, outcome.Failed, "the module parameter written off refuses the mediated VM");
    }
}
