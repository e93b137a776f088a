using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MsrGen.Scenarios.Tests;

/// <summary>
/// Numbers are checked against their meaning where they are read: a value outside its key's range
/// is an error at the value naming the key, the value and the range, never truncated or clamped.
/// </summary>
[TestClass]
public sealed class EdgeValidationTests
{
    [TestMethod]
    // 4294967298 = 2^32 + 2: cut to 32 bits it would read as 2 counters.
    [DataRow("host sapphire-rapids gp=4294967298", "t.pmu:1:25: error: value '4294967298' for 'gp' is out of range; allowed 0..32 (IA32_PERF_GLOBAL_CTRL bits 31:0; AMD 1..15)")]
    // 4294967297 = 2^32 + 1: cut to 32 bits it would be a 1-bit counter.
    [DataRow("host sapphire-rapids gp-width=4294967297", "t.pmu:1:31: error: value '4294967297' for 'gp-width' is out of range; allowed 1..64 (bits; AMD 48)")]
    [DataRow("host sapphire-rapids version=-1", "t.pmu:1:30: error: value '-1' for 'version' is out of range; allowed 0..6 (architectural PMU versions; AMD 1..2)")]
    [DataRow("host sapphire-rapids fixed-width=-1", "t.pmu:1:34: error: value '-1' for 'fixed-width' is out of range; allowed 0..64 (bits; AMD 0)")]
    [DataRow("host sapphire-rapids fixed=2147483648", "t.pmu:1:28: error: value '2147483648' for 'fixed' is out of range; allowed 0..16 (IA32_PERF_GLOBAL_CTRL bits 47:32; AMD 0)")]
    [DataRow("host sapphire-rapids gp=-1", "t.pmu:1:25: error: value '-1' for 'gp' is out of range; allowed 0..32 (IA32_PERF_GLOBAL_CTRL bits 31:0; AMD 1..15)")]
    [DataRow("vm vpmu=emulated vcpus=100000 => ok", "t.pmu:1:24: error: value '100000' for 'vcpus' is out of range; allowed 1..64 (vCPUs per VM)")]
    [DataRow("vm vpmu=emulated vcpus=0", "t.pmu:1:24: error: value '0' for 'vcpus' is out of range; allowed 1..64 (vCPUs per VM)")]
    [DataRow("vm vpmu=emulated fixed=32", "t.pmu:1:24: error: value '32' for 'fixed' is out of range; allowed 0..31 (CPUID.0AH EDX[4:0])")]
    [DataRow("vm vpmu=emulated events-unavailable=0x1_0000_0000", "t.pmu:1:37: error: value '0x1_0000_0000' for 'events-unavailable' is out of range; allowed 0..4294967295 (CPUID.0AH EBX)")]
    [DataRow("vm vpmu=emulated lbr-window=-1", "t.pmu:1:29: error: value '-1' for 'lbr-window' is out of range; allowed 0..9223372036854775807 (cycles)")]
    [DataRow("vcpu 64", "t.pmu:1:6: error: value '64' for 'N' is out of range; allowed 0..63 (vCPU index)")]
    [DataRow("guest lvtpc write 0x1_0000_0000", "t.pmu:1:19: error: value '0x1_0000_0000' for 'VALUE' is out of range; allowed 0..4294967295 (the 32-bit LVTPC register)")]
    [DataRow("host perf open a cycles cpu=300", "t.pmu:1:29: error: value '300' for 'cpu' is out of range; allowed 0..63 (physical CPU index)")]
    [DataRow("filter allow fixed-bitmap=-1", "t.pmu:1:27: error: value '-1' for 'fixed-bitmap' is out of range; allowed 0..4294967295 (KVM's 32-bit fixed_counter_bitmap)")]
    public void OutOfRangeValuesAreLocatedErrors(string line, string expected)
    {
        CollectionAssert.AreEqual(new[] { expected }, Scenarios.Errors(line));
    }

    [TestMethod]
    [DataRow("host sapphire-rapids gp=32 fixed=16 gp-width=64 fixed-width=64 version=6 lbr-depth=64")]
    [DataRow("host zen4 gp=1 version=1")]
    [DataRow("vm vpmu=emulated vcpus=64 gp=255 fixed=31 version=255 events-unavailable=0xffff_ffff")]
    [DataRow("vm vpmu=emulated vcpus=1")]
    [DataRow("vcpu 63")]
    [DataRow("guest lvtpc write 0xffff_ffff")]
    public void EdgesInsideTheRangesAreAccepted(string line)
    {
        var result = Scenarios.Parse(line);
        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
    }

    [TestMethod]
    [DataRow("hw.writes.ia32_perfevtsel0")]
    [DataRow("hw.reads.ia32_pmc0")]
    [DataRow("lbr.entries-lost")]
    public void DocumentedMetricNamesParse(string metric)
    {
        var statement = (ExpectMetric)Scenarios.ParseOne($"expect {metric} >= 0");
        Assert.AreEqual(metric, statement.Metric.Name);
    }

    [TestMethod]
    [DataRow("_1")]
    [DataRow("1_")]
    [DataRow("0_x10")]
    [DataRow("0x_10")]
    [DataRow("--1")]
    [DataRow("")]
    public void UnderscoresOnlyBetweenDigits(string text)
    {
        Assert.IsFalse(NumberLiteral.TryParseValue(text, out _), text);
    }

    [TestMethod]
    [DataRow("1_0", 10UL)]
    [DataRow("0x1_0", 16UL)]
    [DataRow("-0x1_0", 0xffff_ffff_ffff_fff0UL)]
    public void UnderscoresBetweenDigitsAreAccepted(string text, ulong expected)
    {
        Assert.IsTrue(NumberLiteral.TryParseValue(text, out ulong value));
        Assert.AreEqual(expected, value);
    }

    [TestMethod]
    public void DuplicateKeyInAHundredThousandPairsIsFoundOnce()
    {
        const int pairs = 100_000;
        var line = new StringBuilder("report");
        for (int i = 0; i < pairs; i++)
        {
            line.Append(" k").Append(i).Append("=v");
        }

        line.Append(" k7=again");
        var errors = Scenarios.Errors(line.ToString());
        Assert.HasCount(1, errors);
        // "report" plus, for pair i, " k" + digits(i) + "=v": the duplicate's key starts one past the last space.
        int column = "report".Length + 1;
        for (int i = 0; i < pairs; i++)
        {
            column += 2 + i.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 2;
        }

        Assert.AreEqual($"t.pmu:1:{column + 1}: error: duplicate key 'k7'", errors[0]);
    }

    [TestMethod]
    public void DiagnosticsPerFileAreCappedWithACount()
    {
        const int lines = 1_000;
        var text = string.Concat(Enumerable.Repeat("frobnicate\n", lines));
        var errors = Scenarios.Errors(text);
        Assert.HasCount(ScenarioLimits.MaxDiagnosticsPerFile + 1, errors);
        Assert.AreEqual("t.pmu:1:1: error: unknown statement 'frobnicate'", errors[0]);
        int firstOmittedLine = ScenarioLimits.MaxDiagnosticsPerFile + 1;
        Assert.AreEqual(
            $"t.pmu:{firstOmittedLine}:1: error: and {lines - ScenarioLimits.MaxDiagnosticsPerFile} more error(s) in this file, the first of them here: unknown statement 'frobnicate'",
            errors[^1]);
    }

    [TestMethod]
    public void AFileIsCheckedThenReadStatementByStatement()
    {
        var path = Path.Combine(Path.GetTempPath(), $"msrgen-stream-{System.Guid.NewGuid():N}.pmu");
        File.WriteAllText(path, "\uFEFFvm vpmu=emulated\r\n\r\n# comment\rguest run instructions=5\nexpect exits == 0");
        try
        {
            var check = ScenarioParser.CheckFile(path, Scenarios.Options);
            Assert.IsTrue(check.Succeeded, string.Join("\n", check.Diagnostics));
            Assert.HasCount(0, check.File.Statements, "a check keeps no statements");

            var diagnostics = new List<ScenarioDiagnostic>();
            var statements = ScenarioParser.ReadFile(path, diagnostics, Scenarios.Options).ToList();
            Assert.HasCount(0, diagnostics);
            CollectionAssert.AreEqual(new[] { 1, 4, 5 }, statements.Select(s => s.Span.Line).ToArray());
            Assert.IsInstanceOfType<ExpectMetric>(statements[2]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ReadingAMissingFileIsADiagnosticNotAnException()
    {
        var diagnostics = new List<ScenarioDiagnostic>();
        var statements = ScenarioParser.ReadFile("/nonexistent/x.pmu", diagnostics).ToList();
        Assert.HasCount(0, statements);
        Assert.HasCount(1, diagnostics);
        StringAssert.StartsWith(diagnostics[0].ToString(), "/nonexistent/x.pmu:1:1: error: cannot read the file");
    }
}
