using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Json.Schema;
using MsrGen.Cli;

namespace MsrGen.Runtime.Tests.Cli;

/// <summary>The report's first screen, JSON against its schema, TAP 13, JUnit, metrics and the command line's rules.</summary>
[TestClass]
public sealed class OutputFormatTests
{
    private static readonly Lazy<(int Exit, string Output, string Errors)> PlainReport = new(() => Run("--charts", TempDirectory()));

    private static string TempDirectory() => Path.Combine(Path.GetTempPath(), "msrgen-output-" + Guid.NewGuid().ToString("N"));

    private static (int Exit, string Output, string Errors) Run(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int exit = Program.Run(args, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }

    private static string Scenarios => Path.Combine(TestSupport.RepositoryRoot(), "scenarios");

    private static string[] Lines(string text) => text.Replace("\r", "", StringComparison.Ordinal).Split('\n');

    [TestMethod]
    public void Plain_msrgen_opens_with_the_verdict_the_host_and_the_headline_table()
    {
        var (exit, output, _) = PlainReport.Value;
        Assert.AreEqual(0, exit, output);
        var lines = Lines(output);
        StringAssert.StartsWith(lines[0], "msrgen: PASS: all ");
        StringAssert.StartsWith(lines[1], "modelled host:");
        StringAssert.StartsWith(lines[2], "modelled kernel:");
        int header = Array.FindIndex(lines, l => l.StartsWith("workload ", StringComparison.Ordinal));
        Assert.IsTrue(header > 0 && header < 8, "the headline table starts on the first screen");
        foreach (string column in new[] { "guest overhead (%)", "VM-exits (/s)", "MSR ops (/exit)", "guest accuracy (%)", "host blind (%)" })
        {
            StringAssert.Contains(lines[header], column);
        }

        // 4 workloads x (emulated + 5 placements), counted by hand from the comparison's definition.
        int rows = lines.Skip(header + 2).TakeWhile(l => l.Length > 0 && !l.StartsWith("chart", StringComparison.Ordinal)).Count();
        Assert.AreEqual(24, rows);
        StringAssert.Contains(output, "== Guest LBR strategies");
        Assert.IsFalse(output.Contains("line 3: expected", StringComparison.Ordinal), "no per-expectation lines without --verbose");
        Assert.IsFalse(output.Contains("legacy (perf-emulated)", StringComparison.Ordinal), "one name per design");
        Assert.IsFalse(Regex.IsMatch(output, @"\bgp\b"), "#GP is never written as gp");
    }

    [TestMethod]
    public void Verbose_adds_every_expectation_and_the_detail_sections()
    {
        var (exit, output, _) = Run("--verbose", "--charts", TempDirectory());
        Assert.AreEqual(0, exit);
        StringAssert.Contains(output, "ok   line ");
        StringAssert.Contains(output, "== Grouped events");
        StringAssert.Contains(output, "== Built-in scenarios per vPMU design");
    }

    [TestMethod]
    public void Every_text_table_header_names_a_unit_for_every_number_column()
    {
        var (_, output, _) = Run("--verbose", "--charts", TempDirectory());
        var lines = Lines(output);
        for (int i = 1; i < lines.Length; i++)
        {
            if (!Regex.IsMatch(lines[i], "^-+(  -+)+$"))
            {
                continue;
            }

            // The dashes give the column widths; a right-aligned (numeric) column's header must carry "(unit)".
            var widths = lines[i].Split("  ").Select(d => d.Length).ToList();
            string header = lines[i - 1];
            int start = 0;
            var cells = new List<string>();
            foreach (int w in widths)
            {
                cells.Add(start < header.Length ? header.Substring(start, Math.Min(w, header.Length - start)) : "");
                start += w + 2;
            }

            string firstRow = lines[i + 1];
            start = 0;
            for (int c = 0; c < widths.Count; c++)
            {
                string cell = start < firstRow.Length ? firstRow.Substring(start, Math.Min(widths[c], firstRow.Length - start)) : "";
                bool numeric = Regex.IsMatch(cell.Trim(), @"^-?[\d,]+(\.\d)?$|^-$");
                if (numeric)
                {
                    StringAssert.Matches(cells[c].Trim(), new Regex(@"\(.+\)$"), $"line {i}: column '{cells[c].Trim()}' has no unit");
                }

                start += widths[c] + 2;
            }
        }
    }

    private static readonly Lazy<JsonSchema> LoadedSchema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "docs", "schema", "msrgen-output-v1.schema.json"))));

    private static JsonSchema Schema() => LoadedSchema.Value;

    private static void AssertValid(string json)
    {
        using var document = JsonDocument.Parse(json);
        var result = Schema().Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        string details = string.Join("\n", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(20));
        Assert.IsTrue(result.IsValid, details);
    }

    [TestMethod]
    public void Run_json_validates_against_the_documented_schema()
    {
        var (exit, output, _) = Run("run", Scenarios, "--format", "json");
        Assert.AreEqual(0, exit);
        AssertValid(output);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.AreEqual("run", root.GetProperty("kind").GetString());
        int files = Directory.GetFiles(Scenarios, "*.pmu", SearchOption.AllDirectories).Length;
        Assert.AreEqual(files, root.GetProperty("scenarios").GetArrayLength());
        var metrics = root.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "vm-metrics");
        int vms = root.GetProperty("scenarios").EnumerateArray().Sum(s => s.GetProperty("vms").GetArrayLength());
        Assert.AreEqual(vms, metrics.GetProperty("rows").GetArrayLength());
    }

    [TestMethod]
    public void Report_json_validates_and_holds_every_table()
    {
        var (exit, output, _) = Run("--format", "json", "--charts", TempDirectory());
        Assert.AreEqual(0, exit);
        AssertValid(output);
        using var document = JsonDocument.Parse(output);
        var ids = document.RootElement.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("id").GetString()).ToList();
        CollectionAssert.IsSubsetOf(new[] { "headline", "lbr-strategies", "placement-details", "published-checks", "grouped-events", "scenario-coverage" }, ids);
        Assert.IsTrue(document.RootElement.GetProperty("findings").GetArrayLength() > 0);
        Assert.AreEqual(0, document.RootElement.GetProperty("verdict").GetProperty("exitCode").GetInt32());
    }

    [TestMethod]
    public void The_schema_rejects_what_it_should()
    {
        AssertInvalid("""{"schema":"msrgen-output-v1"}""");
        var (_, output, _) = Run("run", Path.Combine(Scenarios, "kut"), "--format", "json");
        AssertInvalid(output.Replace("\"status\": \"pass\"", "\"status\": \"maybe\"", StringComparison.Ordinal));
    }

    private static void AssertInvalid(string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.IsFalse(Schema().Evaluate(document.RootElement).IsValid, json.Length > 200 ? json[..200] : json);
    }

    /// <summary>A TAP 13 reader: version line, exactly one plan, test points numbered 1..N, everything else a comment.</summary>
    private static (int Planned, List<(bool Ok, int Number, string Description)> Points) ParseTap(string text)
    {
        var lines = Lines(text).Where(l => l.Length > 0).ToList();
        Assert.AreEqual("TAP version 13", lines[0]);
        int planned = -1;
        var points = new List<(bool, int, string)>();
        foreach (string line in lines.Skip(1))
        {
            var plan = Regex.Match(line, @"^1\.\.(\d+)$");
            var point = Regex.Match(line, @"^(ok|not ok) (\d+)(?: (.*))?$");
            if (plan.Success)
            {
                Assert.AreEqual(-1, planned, "one plan line");
                planned = int.Parse(plan.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (point.Success)
            {
                points.Add((point.Groups[1].Value == "ok", int.Parse(point.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), point.Groups[3].Value));
            }
            else
            {
                StringAssert.StartsWith(line, "#", "a line that is neither plan nor test point is a diagnostic");
            }
        }

        Assert.IsTrue(planned >= 0, "a plan line");
        CollectionAssert.AreEqual(Enumerable.Range(1, planned).ToList(), points.Select(p => p.Item2).ToList());
        return (planned, points);
    }

    [TestMethod]
    public void Run_tap_parses_as_tap_13_with_one_point_per_scenario()
    {
        var (exit, output, _) = Run("run", Scenarios, "--format", "tap");
        Assert.AreEqual(0, exit);
        var (planned, points) = ParseTap(output);
        Assert.AreEqual(Directory.GetFiles(Scenarios, "*.pmu", SearchOption.AllDirectories).Length, planned);
        Assert.IsTrue(points.All(p => p.Ok));
        StringAssert.Contains(output, "# Totals: pass:" + planned + " fail:0");
    }

    [TestMethod]
    public void A_failing_scenario_is_not_ok_in_tap_and_a_failure_in_junit()
    {
        string directory = TempDirectory();
        Directory.CreateDirectory(directory);
        string file = Path.Combine(directory, "failing.pmu");
        File.WriteAllText(file, "title one wrong expectation\nhost sapphire-rapids\nvm vpmu=emulated => ok\nguest rdmsr IA32_PERF_GLOBAL_CTRL => 0x12345\n");
        string junit = Path.Combine(directory, "results.xml");
        var (exit, output, _) = Run("run", file, "--format", "tap", "--junit", junit);
        Assert.AreEqual(1, exit);
        var (_, points) = ParseTap(output);
        Assert.IsFalse(points.Single().Ok);
        StringAssert.Contains(output, "failing.pmu:4: expected 74565 (0x12345)");

        var xml = XDocument.Load(junit);
        Assert.AreEqual("1", xml.Root!.Attribute("failures")!.Value);
        Assert.AreEqual(1, xml.Descendants("failure").Count());
        Directory.Delete(directory, recursive: true);
    }

    [TestMethod]
    public void Junit_has_one_test_case_per_scenario()
    {
        string junit = Path.Combine(Path.GetTempPath(), "msrgen-junit-" + Guid.NewGuid().ToString("N") + ".xml");
        var (exit, _, _) = Run("run", Scenarios, "--junit", junit);
        Assert.AreEqual(0, exit);
        var xml = XDocument.Load(junit);
        Assert.AreEqual(Directory.GetFiles(Scenarios, "*.pmu", SearchOption.AllDirectories).Length, xml.Descendants("testcase").Count());
        File.Delete(junit);
    }

    [TestMethod]
    public void Run_metrics_prints_every_vm_with_exits_msr_operations_and_cost()
    {
        string file = Path.Combine(Scenarios, "kut", "pmu-gp-counters.pmu");
        var (exit, output, _) = Run("run", file, "--metrics");
        Assert.AreEqual(0, exit);
        foreach (string column in new[] { "VM-exits (count)", "physical MSR ops (count)", "#GP faults injected (count)", "modelled host cost (cycles)" })
        {
            StringAssert.Contains(output, column);
        }

        int vmLines = File.ReadAllLines(file).Count(l => l.StartsWith("vm ", StringComparison.Ordinal));
        Assert.AreEqual(vmLines, Lines(output).Count(l => l.StartsWith(file, StringComparison.Ordinal)));
    }

    [TestMethod]
    [DataRow("run", "-q", "x.pmu")]
    [DataRow("run", "--quiet", "x.pmu")]
    [DataRow("--frobnicate")]
    [DataRow("--format", "xml")]
    [DataRow("decode", "0x186", "1", "--cpu", "pentium4")]
    public void Unknown_flags_and_values_are_errors(params string[] args)
    {
        var (exit, output, errors) = Run(args);
        Assert.AreEqual(2, exit, output + errors);
        Assert.AreEqual(1, Lines(errors.TrimEnd()).Length, errors);
        Assert.AreEqual("", output);
    }

    [TestMethod]
    public void Help_lists_exit_codes_and_the_cpu_presets()
    {
        var (_, rootHelp, _) = Run("--help");
        StringAssert.Contains(rootHelp, "Exit codes: 0");
        StringAssert.Contains(rootHelp, "--format");
        var (_, decodeHelp, _) = Run("decode", "--help");
        foreach (string preset in MsrGen.Runtime.Hardware.PmuPresets.Names)
        {
            StringAssert.Contains(decodeHelp, preset);
        }

        var (_, runHelp, _) = Run("run", "--help");
        StringAssert.Contains(runHelp, "Exit codes: 0");
        StringAssert.Contains(runHelp, "--metrics");
    }

    [TestMethod]
    public void Completion_offers_the_cpu_presets_and_formats()
    {
        var root = Program.CreateRoot(TextWriter.Null, TextWriter.Null);
        var cpu = root.Parse("decode IA32_PMC0 1 --cpu ").GetCompletions().Select(c => c.Label).ToList();
        CollectionAssert.IsSubsetOf(MsrGen.Runtime.Hardware.PmuPresets.Names.ToList(), cpu);
        var format = root.Parse("run --format ").GetCompletions().Select(c => c.Label).ToList();
        CollectionAssert.IsSubsetOf(new[] { "text", "json", "tap" }, format);
    }
}
