using System.IO;
using System.Linq;
using MsrGen.Runtime.Runner;

namespace MsrGen.Runtime.Tests.Runner;

[TestClass]
public sealed class ScenarioRunnerTests
{
    private static (RunSummary Summary, string Output) Run(params string[] paths)
    {
        var output = new StringWriter();
        var summary = ScenarioRunner.Run(paths, output, new StringWriter());
        return (summary, output.ToString());
    }

    private static string Write(string directory, string name, string text)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string TempDirectory() => Directory.CreateTempSubdirectory("msrgen-runner-").FullName;

    [TestMethod]
    public void ShippedLegacyScenariosAllPass()
    {
        string root = TestSupport.RepositoryRoot();
        foreach (var folder in new[] { "legacy", "kut", "selftests", "workloads" })
        {
            var (summary, output) = Run(Path.Combine(root, "scenarios", folder));
            Assert.AreEqual(0, summary.ExitCode, output);
            Assert.IsTrue(summary.Expectations > 10, output);
        }
    }

    [TestMethod]
    public void EveryShippedScenarioPasses()
    {
        var (summary, output) = Run(Path.Combine(TestSupport.RepositoryRoot(), "scenarios"));
        Assert.AreEqual(0, summary.ExitCode, output);
    }

    [TestMethod]
    public void EachVcpuRunsOnItsOwnCpu()
    {
        var outcome = ScenarioRunner.RunText("v.pmu", string.Join('\n',
            "vm vpmu=emulated vcpus=2",
            "guest wrmsr IA32_PERFEVTSEL0 0x4300c0",
            "vcpu 1",
            "guest wrmsr IA32_PERFEVTSEL0 0x4300c4",
            "guest run instructions=100 branches=10",
            "guest rdpmc 0 => 10",
            "vcpu 0",
            "guest rdpmc 0 => 1",
            "expect perf.creates == 2",
            "vcpu 2"));
        Assert.IsTrue(outcome.Expectations.TrueForAll(e => e.Passed), string.Join("; ", outcome.Expectations.Select(e => e.Actual)));
        Assert.AreEqual(3, outcome.Expectations.Count);
        Assert.IsTrue(outcome.Malformed, "there is no vCPU 2");
    }

    [TestMethod]
    public void FailedExpectationPrintsLocationAndExitCodeOne()
    {
        string dir = TempDirectory();
        string path = Write(dir, "fail.pmu", "vm vpmu=emulated\nguest rdmsr IA32_PERF_GLOBAL_CTRL => 5\nexpect exits == 1\n");
        var (summary, output) = Run(path);
        Assert.AreEqual(1, summary.ExitCode);
        StringAssert.Contains(output, $"{path}:2: expected 5, got 255 (0xff)");
        StringAssert.Contains(output, "1 scenarios, 2 expectations, 1 failed");
    }

    [TestMethod]
    public void MalformedFileIsReportedAndTheOthersStillRun()
    {
        string dir = TempDirectory();
        Write(dir, "a-bad.pmu", "vm vpmu=emulated\nguest frobnicate\n");
        Write(dir, "b-good.pmu", "vm vpmu=emulated\nguest rdmsr IA32_PMC0 => 0\n");
        var (summary, output) = Run(dir);
        Assert.AreEqual(2, summary.ExitCode);
        StringAssert.Contains(output, "a-bad.pmu:2:");
        StringAssert.Contains(output, ": error: ");
        StringAssert.Contains(output, "1 scenarios, 1 expectations, 0 failed");
    }

    [TestMethod]
    public void UnknownMetricAndMissingVmAreErrors()
    {
        string dir = TempDirectory();
        var (summary, output) = Run(Write(dir, "m.pmu", "vm vpmu=emulated\nexpect no.such.metric == 0\n"));
        Assert.AreEqual(2, summary.ExitCode, output);
        (summary, output) = Run(Write(dir, "n.pmu", "guest rdmsr IA32_PMC0\n"));
        Assert.AreEqual(2, summary.ExitCode);
        StringAssert.Contains(output, "n.pmu:1:1: error: no VM");
    }

    [TestMethod]
    public void FailedVmLineStopsTheFile()
    {
        string dir = TempDirectory();
        var (summary, output) = Run(Write(dir, "v.pmu", "host intel-v2\nvm vpmu=mediated => error\nguest rdmsr IA32_PMC0 => 12345\n"));
        Assert.AreEqual(0, summary.ExitCode, output);
        StringAssert.Contains(output, "1 scenarios, 1 expectations, 0 failed");
    }

    [TestMethod]
    public void RunsAreDeterministic()
    {
        string root = TestSupport.RepositoryRoot();
        string path = Path.Combine(root, "scenarios", "workloads", "perf-record-1khz.pmu");
        var first = ScenarioRunner.RunFile(path);
        var second = ScenarioRunner.RunFile(path);
        CollectionAssert.AreEqual(first.Vms[0].Metrics.ToList(), second.Vms[0].Metrics.ToList());
    }

    [TestMethod]
    public void CostOverrideChangesTheModeledCost()
    {
        const string Body = "vm vpmu=emulated\nguest rdmsr IA32_PMC0\n";
        var plain = ScenarioRunner.RunText("c.pmu", Body);
        var cheap = ScenarioRunner.RunText("c.pmu", "cost vmexit=0\n" + Body);
        plain.Vms[0].Metrics.ToDictionary().TryGetValue("cost", out ulong plainCost);
        cheap.Vms[0].Metrics.ToDictionary().TryGetValue("cost", out ulong cheapCost);
        Assert.AreEqual(1100UL, plainCost - cheapCost, "one exit at the default 1100 cycles");
        var bad = ScenarioRunner.RunText("c.pmu", "cost warp-drive=1\n" + Body);
        Assert.IsTrue(bad.Malformed);
    }
}
