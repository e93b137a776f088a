using System.Collections.Generic;
using System.IO;
using System.Linq;
using MsrGen.Runtime.Lbr;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class LbrScenarioTests
{
    public static IEnumerable<object[]> ShippedScenarios() =>
        Directory.EnumerateFiles(ScenarioDirectory(), "*.pmu").Order(System.StringComparer.Ordinal).Select(p => new object[] { Path.GetFileName(p) });

    [TestMethod]
    [DynamicData(nameof(ShippedScenarios))]
    public void ShippedScenarioParsesAndHolds(string name)
    {
        var parsed = ScenarioParser.ParseFile(Path.Combine(ScenarioDirectory(), name), CatalogRegisterNames.ParserOptions);
        Assert.IsTrue(parsed.Succeeded, string.Join("\n", parsed.Diagnostics));
        var result = LbrScenarioDriver.Run(parsed.File);
        Assert.IsTrue(result.Passed, string.Join("\n", result.Failures));
        Assert.IsTrue(result.Expectations > 0, "a shipped scenario must check something");
    }

    [TestMethod]
    [DynamicData(nameof(ShippedScenarios))]
    public void ShippedScenarioHoldsInTheRuntimeRunner(string name)
    {
        var outcome = MsrGen.Runtime.Runner.ScenarioRunner.RunFile(Path.Combine(ScenarioDirectory(), name));
        Assert.AreEqual(0, outcome.Errors.Count, string.Join("\n", outcome.Errors));
        Assert.IsTrue(outcome.Expectations.Count > 0, "the runner checked nothing");
        foreach (var expectation in outcome.Expectations)
        {
            Assert.IsTrue(expectation.Passed, $"line {expectation.Line}: expected {expectation.Expected}, got {expectation.Actual}");
        }
    }

    [TestMethod]
    public void ThereAreShippedScenarios() => Assert.IsTrue(ShippedScenarios().Count() >= 8);

    [TestMethod]
    public void AWrongExpectationIsReportedWithItsLine()
    {
        const string text = """
            host skylake-server
            vm vpmu=emulated lbr=none
            guest lbr callstack on
            guest branches 40
            guest pmi
            vcpu sched-out
            host thread branches=1000
            vcpu sched-in
            guest lbr read => clean
            expect lbr.polluted-reads == 0
            expect lbr.no-such-metric == 0
            """;
        var parsed = ScenarioParser.Parse("wrong.pmu", text, CatalogRegisterNames.ParserOptions);
        Assert.IsTrue(parsed.Succeeded, string.Join("\n", parsed.Diagnostics));
        var result = LbrScenarioDriver.Run(parsed.File);
        Assert.AreEqual(3, result.Failures.Count, string.Join("\n", result.Failures));
        StringAssert.StartsWith(result.Failures[0], "wrong.pmu:9: expected clean, got polluted");
        StringAssert.StartsWith(result.Failures[1], "wrong.pmu:10: expected lbr.polluted-reads == 0, got 1");
        StringAssert.StartsWith(result.Failures[2], "wrong.pmu:11: unknown metric");
    }

    [TestMethod]
    public void AnAccessExpectationThatDoesNotHoldFails()
    {
        const string text = """
            vm vpmu=emulated lbr=kvm
            guest rdmsr IA32_LBR_CTL => ok
            guest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok
            """;
        var parsed = ScenarioParser.Parse("access.pmu", text, CatalogRegisterNames.ParserOptions);
        Assert.IsTrue(parsed.Succeeded, string.Join("\n", parsed.Diagnostics));
        var result = LbrScenarioDriver.Run(parsed.File);
        Assert.AreEqual(2, result.Failures.Count, string.Join("\n", result.Failures));
        StringAssert.Contains(result.Failures[0], "expected ok, got #GP");
        StringAssert.Contains(result.Failures[1], "not an LBR-related register");
    }

    private static string ScenarioDirectory() => Path.Combine(TestSupport.RepositoryRoot(), "scenarios", "lbr");
}
