using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class LbrScenarioTests
{
    public static IEnumerable<object[]> ShippedScenarios() =>
        Directory.EnumerateFiles(ScenarioDirectory(), "*.pmu").Order(System.StringComparer.Ordinal).Select(p => new object[] { Path.GetFileName(p) });

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
        // lbr=none: the guest's stack is the CPU's, so the host thread's 1,000 branches (more than
        // the 32 entries) fill it between the handler's clear and its read: the read is polluted
        // (line 9) and counted (line 10); line 11 holds.
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
            expect lbr.polluted-reads == 1
            """;
        var outcome = MsrGen.Runtime.Runner.ScenarioRunner.RunText("wrong.pmu", text);
        Assert.AreEqual(0, outcome.Errors.Count, string.Join("\n", outcome.Errors));
        CollectionAssert.AreEqual(new[] { 9, 10 }, outcome.Expectations.Where(e => !e.Passed).Select(e => e.Line).ToArray(),
            string.Join("\n", outcome.Expectations.Select(e => $"{e.Line}: expected {e.Expected}, got {e.Actual}")));
        Assert.IsTrue(outcome.Expectations.Single(e => e.Line == 11).Passed);
    }

    [TestMethod]
    public void AnAccessExpectationThatDoesNotHoldFails()
    {
        // KVM does not virtualise arch LBR: IA32_LBR_CTL #GPs (intel_pmu_get_msr() has no case for
        // it), so line 2's "ok" fails; line 3 is an ordinary vPMU write and holds.
        const string text = """
            vm vpmu=emulated lbr=kvm
            guest rdmsr IA32_LBR_CTL => ok
            guest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok
            """;
        var outcome = MsrGen.Runtime.Runner.ScenarioRunner.RunText("access.pmu", text);
        Assert.AreEqual(0, outcome.Errors.Count, string.Join("\n", outcome.Errors));
        CollectionAssert.AreEqual(new[] { 2 }, outcome.Expectations.Where(e => !e.Passed).Select(e => e.Line).ToArray());
        StringAssert.Contains(outcome.Expectations.Single(e => e.Line == 2).Actual, "GP");
    }

    private static string ScenarioDirectory() => Path.Combine(TestSupport.RepositoryRoot(), "scenarios", "lbr");
}
