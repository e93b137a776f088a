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
    /// The expectations of the kvm-unit-tests scenarios that differ by design between the legacy
    /// (perf-emulated) and the mediated vPMU, by file and line text, with the reason. All of them
    /// are metrics of the legacy vPMU's own machinery; every guest-visible result (reads, #GPs,
    /// RDPMC, status bits, PMIs, exits of the guest's own accesses) must be the same.
    /// </summary>
    public static readonly (string File, string Expectation, string Why)[] DiffersByDesign =
    {
        ("pmu-emulated-instructions.pmu", "expect pmu.requests >= 20",
            "the legacy vPMU counts an emulated instruction in emulated_counter and raises KVM_REQ_PMU for it (kvm_pmu_incr_counter); the mediated vPMU adds it to pmc->counter directly, with no request"),
        ("pmu-fixed-counters.pmu", "expect perf.creates == 2",
            "the mediated vPMU programs the hardware counters itself and creates no host perf events (pmc_reprogram_counter is the legacy path only)"),
        ("pmu-gp-counters.pmu", "expect perf.creates == 4",
            "the mediated vPMU programs the hardware counters itself and creates no host perf events (pmc_reprogram_counter is the legacy path only)"),
    };

    /// <summary>The scenario as written, with every <c>vpmu=emulated</c> VM made <c>vpmu=mediated</c> (nothing else changes: the module parameter is on by default).</summary>
    public static string AsMediated(string text) =>
        string.Join("\n", text.Split('\n').Select(line =>
            line.TrimStart().StartsWith("vm ", System.StringComparison.Ordinal) ? line.Replace("vpmu=emulated", "vpmu=mediated", System.StringComparison.Ordinal) : line));

    private static string StatementText(string[] lines, int line) => lines[line - 1].Split('#')[0].Trim();

    /// <summary>
    /// The kvm-unit-tests scenarios, written for the legacy vPMU, run again with vpmu=mediated: every
    /// expectation holds in both, except exactly the ones listed in <see cref="DiffersByDesign"/>,
    /// which hold for the legacy vPMU and must fail for the mediated one (a listed difference that
    /// disappears is reported too, so the list stays exact).
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(KvmUnitTestScenarios))]
    public void Kvm_unit_test_scenarios_see_the_same_pmu_under_mediated(string name)
    {
        string text = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "scenarios", "kut", name));
        var legacy = ScenarioRunner.RunText(name, text);
        Assert.IsFalse(legacy.Malformed, string.Join("\n", legacy.Errors));
        Assert.AreEqual(0, legacy.Failed, string.Join("\n", legacy.Expectations.Where(e => !e.Passed)));

        string mediatedText = AsMediated(text);
        Assert.IsTrue(mediatedText.Contains("vpmu=mediated", System.StringComparison.Ordinal), "a kvm-unit-tests scenario creates a VM");
        var mediated = ScenarioRunner.RunText(name, mediatedText);
        Assert.IsFalse(mediated.Malformed, string.Join("\n", mediated.Errors));
        Assert.AreEqual(legacy.Expectations.Count, mediated.Expectations.Count, "both designs run every expectation");

        string[] lines = mediatedText.Split('\n');
        var listed = DiffersByDesign.Where(d => d.File == name).Select(d => d.Expectation).ToHashSet(System.StringComparer.Ordinal);
        var failed = mediated.Expectations.Where(e => !e.Passed).ToList();
        var unlisted = failed.Where(e => !listed.Contains(StatementText(lines, e.Line))).ToList();
        Assert.AreEqual(0, unlisted.Count, "differences not listed as by design:\n" + string.Join("\n", unlisted));
        var stale = listed.Where(l => !failed.Any(e => StatementText(lines, e.Line) == l)).ToList();
        Assert.AreEqual(0, stale.Count, "listed as differing but the same under mediated: " + string.Join(", ", stale));
    }

    [TestMethod]
    public void The_mediated_rerun_catches_a_guest_visible_difference()
    {
        // The check the old rerun skipped: an `expect` line about the guest (PMIs) is compared too.
        const string text = """
            host icelake-server
            vm vpmu=emulated => ok
            guest lvtpc write 0xfe
            guest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok
            guest wrmsr IA32_PMC0 -10 => ok
            guest wrmsr IA32_PERFEVTSEL0 0x5300c4 => ok
            guest wrmsr IA32_PERF_GLOBAL_CTRL 1 => ok
            guest run instructions=100 branches=50
            expect pmis == 0
            """;
        var legacy = ScenarioRunner.RunText("pmi.pmu", text);
        var mediated = ScenarioRunner.RunText("pmi.pmu", AsMediated(text));
        Assert.AreEqual(1, legacy.Failed, "with INT set the counter's wrap is a PMI in both designs");
        Assert.AreEqual(1, mediated.Failed);
        string[] lines = AsMediated(text).Split('\n');
        Assert.IsFalse(DiffersByDesign.Any(d => d.Expectation == StatementText(lines, mediated.Expectations.Single(e => !e.Passed).Line)),
            "a PMI count is guest-visible and never listed as differing by design");
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
