using System.Collections.Generic;
using System.IO;
using System.Linq;
using MsrGen.Runtime.Runner;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>The shipped scenarios under scenarios/mediated run through the runtime's scenario runner and hold.</summary>
[TestClass]
public sealed class MediatedScenarioTests
{
    private static string ScenarioDirectory() => Path.Combine(TestSupport.RepositoryRoot(), "scenarios", "mediated");

    public static IEnumerable<object[]> ShippedScenarios() =>
        Directory.EnumerateFiles(ScenarioDirectory(), "*.pmu").Order(System.StringComparer.Ordinal).Select(p => new object[] { Path.GetFileName(p) });

    [TestMethod]
    [DynamicData(nameof(ShippedScenarios))]
    public void Shipped_scenario_holds(string name)
    {
        var outcome = ScenarioRunner.RunFile(Path.Combine(ScenarioDirectory(), name));
        Assert.IsFalse(outcome.Malformed, string.Join("\n", outcome.Errors));
        Assert.IsTrue(outcome.Expectations.Count > 0, "a shipped scenario must check something");
        Assert.AreEqual(0, outcome.Failed, string.Join("\n", outcome.Expectations.Where(e => !e.Passed)));
    }

    public static IEnumerable<object[]> KvmUnitTestScenarios() =>
        Directory.EnumerateFiles(Path.Combine(TestSupport.RepositoryRoot(), "scenarios", "kut"), "*.pmu").Order(System.StringComparer.Ordinal).Select(p => new object[] { Path.GetFileName(p) });

    /// <summary>
    /// The kvm-unit-tests scenarios, written for the legacy vPMU, run again with vpmu=mediated: every
    /// guest-visible result (reads, faults, RDPMC) must be the same; only metric expectations about
    /// legacy machinery (perf event creations, PMU requests, exit counts, cost) may differ.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(KvmUnitTestScenarios))]
    public void Kvm_unit_test_scenarios_see_the_same_pmu_under_mediated(string name)
    {
        string[] lines = File.ReadAllLines(Path.Combine(TestSupport.RepositoryRoot(), "scenarios", "kut", name));
        bool hostSeen = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string trimmed = lines[i].TrimStart();
            if (!hostSeen && System.Text.RegularExpressions.Regex.IsMatch(trimmed, @"^host\s+(?!perf\b|run\b|wrmsr\b|rdmsr\b|thread\b)\S+"))
            {
                lines[i] = lines[i].Split('#')[0].TrimEnd() + " mediated=on";
                hostSeen = true;
            }

            if (trimmed.StartsWith("vm ", System.StringComparison.Ordinal))
            {
                lines[i] = lines[i].Replace("vpmu=emulated", "vpmu=mediated", System.StringComparison.Ordinal);
            }
        }

        string text = (hostSeen ? "" : "host sapphire-rapids mediated=on\n") + string.Join("\n", lines);
        var outcome = ScenarioRunner.RunText(name, text);
        Assert.IsFalse(outcome.Malformed, string.Join("\n", outcome.Errors));
        Assert.IsTrue(outcome.Expectations.Count(e => e.Passed) > 0);
        string[] mediatedLines = text.Split('\n');
        var valueFailures = outcome.Expectations
            .Where(e => !e.Passed && !mediatedLines[e.Line - 1].TrimStart().StartsWith("expect ", System.StringComparison.Ordinal))
            .ToList();
        Assert.AreEqual(0, valueFailures.Count, string.Join("\n", valueFailures));
    }

    [TestMethod]
    public void A_wrong_expectation_about_the_switch_fails()
    {
        const string text = """
            host sapphire-rapids mediated=on gp=8 fixed=3
            vm vpmu=mediated => ok
            guest exits slow=1
            reset metrics
            guest exits fastpath=10
            expect hw.rdpmc == 22
            """;
        var outcome = ScenarioRunner.RunText("wrong.pmu", text);
        Assert.IsFalse(outcome.Malformed, string.Join("\n", outcome.Errors));
        Assert.AreEqual(1, outcome.Failed, "run-loop does not switch on fastpath exits");
    }

    /// <summary>
    /// The scenario language: <c>vm vpmu=mediated</c> on a host that can support it succeeds with no
    /// other key, so a file that never mentions <c>mediated=</c> runs with enable_mediated_pmu on.
    /// </summary>
    [TestMethod]
    [DataRow("host sapphire-rapids\n")]
    [DataRow("host zen4\n")]
    [DataRow("host icelake-server gp=8\n")]
    [DataRow("")]
    public void A_capable_host_gives_a_mediated_vm_without_the_module_key(string host)
    {
        var outcome = ScenarioRunner.RunText("default.pmu", host + "vm vpmu=mediated => ok\nguest rdmsr IA32_PERF_CAPABILITIES\n");
        Assert.IsFalse(outcome.Malformed, string.Join("\n", outcome.Errors));
        Assert.AreEqual(0, outcome.Failed, string.Join("\n", outcome.Expectations.Where(e => !e.Passed)));
        Assert.AreEqual(1, outcome.Expectations.Count);
    }

    [TestMethod]
    public void Mediated_needs_the_module_parameter()
    {
        var outcome = ScenarioRunner.RunText("off.pmu", "host sapphire-rapids mediated=off\nvm vpmu=mediated => error\n");
        Assert.AreEqual(0, outcome.Failed, string.Join("\n", outcome.Expectations.Where(e => !e.Passed)));
        var refused = ScenarioRunner.RunText("v3.pmu", "host skylake-server mediated=on version=3\nvm vpmu=mediated => error\n");
        Assert.AreEqual(0, refused.Failed, "Intel needs PMU v4");
        var amdV1 = ScenarioRunner.RunText("amd.pmu", "host zen4 mediated=on version=1\nvm vpmu=mediated => error\n");
        Assert.AreEqual(0, amdV1.Failed, "AMD needs PerfMonV2");
        Assert.IsFalse(MsrGen.Runtime.Mediated.Integration.MediatedVpmuFactory.TryParsePlacement("sometimes", out _));
        Assert.IsTrue(MsrGen.Runtime.Mediated.Integration.MediatedVpmuFactory.TryParsePlacement(null, out var placement));
        Assert.AreEqual(MsrGen.Runtime.Mediated.SwitchPlacement.RunLoop, placement, "7.0's placement is the default");
    }
}
