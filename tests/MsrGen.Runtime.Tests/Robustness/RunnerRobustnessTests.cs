using System;
using System.IO;
using System.Linq;
using MsrGen.Runtime.Runner;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Tests.Robustness;

/// <summary>
/// Hostile input: host values that used to be cut to 32 bits or crash the vPMU constructors, files
/// whose per-event work has no end, failures that used to end a file silently, and the isolation
/// of one file's failure from the others.
/// </summary>
[TestClass]
public sealed class RunnerRobustnessTests
{
    private static readonly ScenarioRunOptions SmallLimit = new() { WorkLimit = 20_000 };

    private static ScenarioOutcome Run(string text, ScenarioRunOptions? options = null) =>
        ScenarioRunner.RunText("r.pmu", text, options ?? ScenarioRunOptions.Default);

    private static string Errors(ScenarioOutcome outcome) => string.Join("\n", outcome.Errors.Concat(outcome.InternalErrors));

    [TestMethod]
    // Each of these threw an OverflowException out of the LegacyVpmu / MediatedVpmu constructors.
    [DataRow("host sapphire-rapids gp=-1\nvm vpmu=emulated\n", "r.pmu:1:25: error: value '-1' for 'gp' is out of range; allowed 0..32")]
    [DataRow("host sapphire-rapids fixed=2147483648 mediated=on\nvm vpmu=mediated\n", "r.pmu:1:28: error: value '2147483648' for 'fixed' is out of range; allowed 0..16")]
    // Cut to 32 bits these were 2 counters and a 1-bit counter.
    [DataRow("host sapphire-rapids gp=4294967298\nvm vpmu=emulated\n", "r.pmu:1:25: error: value '4294967298' for 'gp'")]
    [DataRow("host sapphire-rapids gp-width=4294967297\nvm vpmu=emulated\n", "r.pmu:1:31: error: value '4294967297' for 'gp-width'")]
    [DataRow("host sapphire-rapids version=-1\n", "r.pmu:1:30: error: value '-1' for 'version'")]
    [DataRow("host sapphire-rapids fixed-width=-1\n", "r.pmu:1:34: error: value '-1' for 'fixed-width'")]
    // Clamped to 64 and to 1 before.
    [DataRow("vm vpmu=emulated vcpus=100000 => ok\n", "r.pmu:1:24: error: value '100000' for 'vcpus' is out of range; allowed 1..64")]
    [DataRow("vm vpmu=emulated vcpus=0\n", "r.pmu:1:24: error: value '0' for 'vcpus' is out of range; allowed 1..64")]
    // What AMD allows (AMD APM Vol. 2 13.2: 48-bit counters, no fixed counters; CPUID 0x80000022 EBX[3:0] counters).
    [DataRow("host zen4 gp=16\n", "r.pmu:1:11: error: value '16' for 'gp' is out of range for an AMD host; allowed 1..15")]
    [DataRow("host zen4 fixed=3\n", "r.pmu:1:11: error: value '3' for 'fixed' is out of range for an AMD host; allowed 0 (AMD has no fixed counters)")]
    [DataRow("host zen4 gp-width=32\n", "r.pmu:1:11: error: value '32' for 'gp-width' is out of range for an AMD host; allowed 48")]
    [DataRow("host zen4 version=3\n", "r.pmu:1:11: error: value '3' for 'version' is out of range for an AMD host; allowed 1..2")]
    [DataRow("host sapphire-rapids vendor=amd\n", "r.pmu:1:22: error: preset 'sapphire-rapids' has version 5, out of range for an AMD host; allowed 1..2")]
    [DataRow("host zen4\nvm vpmu=emulated gp=16\n", "r.pmu:2:18: error: value '16' for 'gp' is out of range for an AMD guest; allowed 0..15")]
    public void ValuesOutOfRangeAreLocatedErrorsNotCrashesOrTruncation(string text, string expectedStart)
    {
        var outcome = Run(text);
        Assert.IsFalse(outcome.Internal, Errors(outcome));
        Assert.HasCount(1, outcome.Errors, Errors(outcome));
        StringAssert.StartsWith(outcome.Errors[0].ToString(), expectedStart);
        Assert.IsEmpty(outcome.Vms, "the file stops at the error");
    }

    [TestMethod]
    public void AValidAmdHostStillRuns()
    {
        var outcome = Run("host zen4 gp=6 gp-width=48 version=2\nvm vpmu=emulated => ok\nexpect exits == 0\n");
        Assert.AreEqual(string.Empty, Errors(outcome));
        Assert.IsTrue(outcome.Expectations.All(e => e.Passed));
    }

    [TestMethod]
    public void ARefusedVmLineWithoutAnArrowIsAFailureAtItsLine()
    {
        // With enable_mediated_pmu off KVM refuses the mediated VM (kvm_arch_vcpu_precreate).
        var outcome = Run("host sapphire-rapids mediated=off\nvm vpmu=mediated\nexpect exits == 0\n");
        Assert.HasCount(1, outcome.Expectations, "the refused line is a failure and the file stops there");
        var failure = outcome.Expectations[0];
        Assert.IsFalse(failure.Passed);
        Assert.AreEqual(2, failure.Line);
        StringAssert.StartsWith(failure.Actual, "EINVAL");
        Assert.IsFalse(outcome.Malformed);
    }

    [TestMethod]
    public void AFailingHostPerfOpenWithoutAnArrowIsAFailure()
    {
        // AMD defines no ref-cycles event (amd_perfmon_event_map has none): perf_event_open fails.
        var outcome = Run("host zen4\nvm vpmu=emulated\nhost perf open r ref-cycles\nexpect exits >= 0\n");
        Assert.HasCount(2, outcome.Expectations);
        Assert.IsFalse(outcome.Expectations[0].Passed);
        Assert.AreEqual(3, outcome.Expectations[0].Line);
        Assert.AreEqual("EOPNOTSUPP", outcome.Expectations[0].Actual);
        Assert.IsTrue(outcome.Expectations[1].Passed, "the file goes on after a failed host action");
    }

    [TestMethod]
    public void GuestFaultsWithoutAnArrowStayPartOfTheScenario()
    {
        var outcome = Run("vm vpmu=emulated\nguest wrmsr IA32_PERF_GLOBAL_CTRL -1\nexpect gp == 1\n");
        Assert.HasCount(1, outcome.Expectations);
        Assert.IsTrue(outcome.Expectations[0].Passed);
    }

    [TestMethod]
    // 2^63 twice is 2^64: wrapped, the cost read 0.
    public void CostSaturatesInsteadOfWrapping()
    {
        var outcome = Run("cost vmexit=0x8000000000000000\nvm vpmu=emulated\nguest exits slow=2\nexpect cost == 18446744073709551615\nexpect cost.vmexit == 18446744073709551615\n");
        Assert.AreEqual(string.Empty, Errors(outcome));
        Assert.IsTrue(outcome.Expectations.All(e => e.Passed), string.Join("; ", outcome.Expectations.Select(e => e.Actual)));
    }

    [TestMethod]
    public void CountingPastTheCounterWidthLosesNothing()
    {
        // 2^48 + 5 instructions on a 48-bit counter: it wraps once, and nothing was lost. PMC0 counts
        // from the EVENTSEL0 write on (GLOBAL_CTRL resets with every GP counter enabled, kvm_pmu_refresh):
        // that WRMSR and the GLOBAL_CTRL one retire one instruction each, so it reads 2 + 5 = 7.
        const ulong retired = (1UL << 48) + 5;
        var outcome = Run(string.Join('\n',
            "vm vpmu=emulated",
            "guest wrmsr IA32_PERFEVTSEL0 0x4300c0",
            "guest wrmsr IA32_PERF_GLOBAL_CTRL 1",
            "reset metrics",
            $"guest run instructions={retired}",
            "expect count.lost == 0",
            "expect count.error-ppm == 0",
            $"expect count.observed == {retired}",
            $"expect count.expected == {retired}",
            "guest rdmsr IA32_PMC0 => 7"));
        Assert.AreEqual(string.Empty, Errors(outcome));
        Assert.IsTrue(outcome.Expectations.All(e => e.Passed), string.Join("; ", outcome.Expectations.Select(e => $"{e.Expected}: {e.Actual}")));
    }

    [TestMethod]
    public void PerRegisterMetricsAreKnown()
    {
        var outcome = Run("vm vpmu=emulated\nguest wrmsr IA32_PERFEVTSEL0 0x4300c0\nexpect hw.writes.ia32_perfevtsel0 >= 0\nexpect hw.reads.ia32_pmc0 >= 0\n");
        Assert.AreEqual(string.Empty, Errors(outcome));
        Assert.IsTrue(outcome.Expectations.All(e => e.Passed));
    }

    [TestMethod]
    // Exits that only advance counters and metrics are applied in closed form: a billion emulated
    // instructions or 2^64-1 exits end with a handful of exact steps, far below the work limit.
    [DataRow("vm vpmu=emulated\nguest emulate instructions=1000000000\n")]
    [DataRow("vm vpmu=emulated\nguest exits fastpath=18446744073709551615\n")]
    [DataRow("vm vpmu=emulated\nguest exits slow=-1\n")]
    [DataRow("host sapphire-rapids\nvm vpmu=mediated placement=exit\nguest exits fastpath=-1 slow=-1\n")]
    [DataRow("host zen4\nvm vpmu=mediated placement=run-loop\nguest wrmsr MSR_F15H_PERF_CTL0 0x4300c0\nguest emulate instructions=-1 branches=-1\n")]
    [DataRow("host sapphire-rapids\nvm vpmu=emulated lbr=kvm\nguest exits slow=1000000000\n")]
    public void LongRunsOfExitsAreComputedInClosedForm(string text)
    {
        var outcome = Run(text, SmallLimit);
        Assert.IsFalse(outcome.Internal, Errors(outcome));
        Assert.IsEmpty(outcome.Errors, Errors(outcome));
        Assert.IsLessThan(1_000UL, outcome.WorkUsed, Errors(outcome));
    }

    [TestMethod]
    // "-0x10" is 2^64 - 16 cycles; a sampling host event with period 1 overflows on every one of them.
    [DataRow("vm vpmu=emulated\nhost perf open s cycles period=1\nhost run cycles=-0x10\n", 3)]
    // A guest counter one below overflow with its PMI enabled, and the guest's LVTPC unmasked.
    [DataRow("vm vpmu=emulated\nguest lvtpc write 0xfe\nguest wrmsr IA32_PERFEVTSEL0 0x5300c0\nguest wrmsr IA32_PMC0 0xffffffff\nguest wrmsr IA32_PERF_GLOBAL_CTRL 1\nguest run instructions=-0x10\n", 6)]
    [DataRow("host skylake-server\nvm vpmu=emulated lbr=kvm\nguest lbr callstack on\nguest run branches=-0x10\n", 4)]
    public void EndlessPerEventWorkEndsAtTheLimitWithALocatedError(string text, int line)
    {
        var outcome = Run(text, SmallLimit);
        Assert.IsFalse(outcome.Internal, Errors(outcome));
        Assert.HasCount(1, outcome.Errors, Errors(outcome));
        Assert.AreEqual(line, outcome.Errors[0].Line, Errors(outcome));
        StringAssert.Contains(outcome.Errors[0].Message, "--work-limit");
        Assert.IsLessThanOrEqualTo(SmallLimit.WorkLimit, outcome.WorkUsed);
    }

    [TestMethod]
    public void EveryShippedScenarioFitsTheDefaultWorkLimitWithRoomToSpare()
    {
        var files = ScenarioDiscovery.Expand([Path.Combine(TestSupport.RepositoryRoot(), "scenarios")]);
        Assert.IsNotEmpty(files);
        foreach (var file in files)
        {
            var outcome = ScenarioRunner.RunFile(file);
            Assert.IsFalse(outcome.Malformed || outcome.Internal, Errors(outcome));
            Assert.IsLessThan(global::MsrGen.Runtime.Metrics.WorkMeter.DefaultLimit / 10, outcome.WorkUsed, file);
        }
    }

    [TestMethod]
    public void AnUnexpectedExceptionIsThatFilesInternalErrorAndTheRunGoesOn()
    {
        var root = Directory.CreateTempSubdirectory("msrgen-isolation-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "a.pmu"), "vm vpmu=emulated\nexpect exits == 7\n");
            File.WriteAllText(Path.Combine(root, "bad.pmu"), "vm vpmu=emulated\nguest pmi\nexpect exits == 0\n");
            File.WriteAllText(Path.Combine(root, "z.pmu"), "vm vpmu=emulated\nexpect exits == 0\n");
            var output = new StringWriter();
            var errors = new StringWriter();
            string? printedBeforeTheCrash = null;
            var options = new ScenarioRunOptions
            {
                BeforeStatement = statement =>
                {
                    if (statement is GuestPmi)
                    {
                        printedBeforeTheCrash = output.ToString();
                        throw new InvalidOperationException("injected fault");
                    }
                },
            };

            var summary = ScenarioRunner.Run([root], output, errors, options);
            string text = output.ToString();
            string a = Path.Combine(root, "a.pmu"), bad = Path.Combine(root, "bad.pmu");
            Assert.IsNotNull(printedBeforeTheCrash);
            StringAssert.Contains(printedBeforeTheCrash, $"{a}:2: expected exits == 7, got 0", "a file's report is printed as soon as it has run");
            StringAssert.Contains(text, $"{bad}:2:1: internal error: InvalidOperationException: injected fault");
            Assert.IsFalse(text.Contains(" at MsrGen", StringComparison.Ordinal), "no stack trace without --verbose");
            Assert.AreEqual(string.Empty, errors.ToString());
            StringAssert.EndsWith(text.TrimEnd(), "2 scenarios, 2 expectations, 1 failed", "z.pmu still ran");
            Assert.AreEqual(3, summary.ExitCode, "an internal error is not the user's bad input (2)");

            var verboseErrors = new StringWriter();
            ScenarioRunner.Run([root], new StringWriter(), verboseErrors, options with { Verbose = true });
            StringAssert.Contains(verboseErrors.ToString(), "injected fault");
            StringAssert.Contains(verboseErrors.ToString(), " at ");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ASymlinkLoopDoesNotRunFilesAgain()
    {
        var root = Directory.CreateTempSubdirectory("msrgen-loop-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "a.pmu"), "vm vpmu=emulated\nexpect exits == 0\n");
            Directory.CreateSymbolicLink(Path.Combine(root, "loop"), root);
            var output = new StringWriter();
            var summary = ScenarioRunner.Run([root], output, new StringWriter());
            Assert.AreEqual(1, summary.Scenarios, output.ToString());
            Assert.AreEqual(0, summary.ExitCode);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ALargeFileRunsStatementByStatement()
    {
        var path = Path.Combine(Path.GetTempPath(), $"msrgen-large-{Guid.NewGuid():N}.pmu");
        try
        {
            using (var writer = new StreamWriter(path))
            {
                writer.WriteLine("vm vpmu=emulated");
                for (int i = 0; i < 20_000; i++)
                {
                    writer.WriteLine("guest run instructions=10 # a comment to make the line longer");
                }

                writer.WriteLine("expect entries >= 1");
            }

            var outcome = ScenarioRunner.RunFile(path);
            Assert.AreEqual(string.Empty, Errors(outcome));
            Assert.HasCount(1, outcome.Expectations);
            Assert.IsTrue(outcome.Expectations[0].Passed);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
