using System.IO;
using System.Linq;
using System.Text;
using MsrGen.Runtime.Runner;
using MsrGen.Runtime.Traces;
using static MsrGen.Runtime.Tests.Traces.TraceText;

namespace MsrGen.Runtime.Tests.Traces;

[TestClass]
public sealed class TraceReplayTests
{
    private static TraceGuest Guest(string preset, params string[] keys) => TraceGuest.Create(preset, keys, out string? e) ?? throw new AssertFailedException(e ?? "guest refused");

    private static TraceReplayResult Replay(string text, string preset, TraceReplayOptions options) =>
        TraceReplay.Run("test", () => new TraceReader(new StringReader(text)), Guest(preset), options);

    private static ulong Metric(VmSummary vm, string name) => vm.Metrics.First(m => m.Key == name).Value;

    [TestMethod]
    [DataRow("scenarios/workloads/perf-stat.pmu", "sapphire-rapids")]
    [DataRow("scenarios/kut/pmu-fixed-counters.pmu", "skylake-server")]
    [DataRow("scenarios/kut/pmu-gp-counters.pmu", "sapphire-rapids")]
    public void A_shipped_scenarios_emitted_trace_replays_with_its_exits_and_msr_counts(string file, string preset)
    {
        string path = Path.Combine(TestSupport.RepositoryRoot(), file);
        var text = new StringWriter();
        var emitter = new TraceEmitter(text);
        var outcome = ScenarioRunner.RunFile(path, new ScenarioRunOptions { Observer = emitter });
        Assert.IsFalse(outcome.Malformed, string.Join("; ", outcome.Errors));
        var vm = outcome.Vms.Single();
        Assert.IsTrue(emitter.Written > 0);

        var result = Replay(text.ToString(), preset, TraceReplayOptions.Bare with { Designs = TraceDesign.Select(["legacy"], out _)! });

        var row = result.Rows.Single();
        Assert.AreEqual((long)Metric(vm, "exits"), row.Exits, "VM-exits");
        Assert.AreEqual((long)(Metric(vm, "hw.msr-reads") + Metric(vm, "hw.msr-writes") + Metric(vm, "hw.rdpmc")), row.MsrOps, "physical MSR operations");
        Assert.AreEqual((long)Metric(vm, "gp"), row.GuestFaults, "#GPs");
    }

    [TestMethod]
    [DataRow("legacy")]
    [DataRow("mediated:run-loop")]
    [DataRow("mediated:dirty-only")]
    public void The_scenario_written_from_a_trace_runs_with_the_replays_exits_and_msr_counts(string design)
    {
        string trace = Path.Combine(TestSupport.RepositoryRoot(), "traces", "perf-record-1khz-3-events.txt");
        var guest = Guest("skylake-server");
        var chosen = TraceDesign.Select([design], out _)!;
        var scenario = new StringWriter();
        Assert.IsTrue(TraceToScenario.Write(trace, () => TraceReader.Open(trace), guest, chosen[0], null, scenario, out _));

        var outcome = ScenarioRunner.RunText("from-trace.pmu", scenario.ToString());
        var replay = TraceReplay.Run(trace, () => TraceReader.Open(trace), guest, TraceReplayOptions.Bare with { Designs = chosen });

        Assert.IsFalse(outcome.Malformed, string.Join("; ", outcome.Errors));
        var vm = outcome.Vms.Single();
        var row = replay.Rows.Single();
        Assert.AreEqual((long)Metric(vm, "exits"), row.Exits);
        Assert.AreEqual((long)Metric(vm, "pmis"), row.Pmis);
        Assert.IsTrue(row.Exits > 0);
    }

    [TestMethod]
    public void A_counter_read_reveals_the_instruction_rate_for_the_gaps_that_follow()
    {
        // CPU 0: PMC0 = 0 at t=0, select instructions+EN, global enable; 1000 ns later RDPMC 0 reads 3000:
        // 3 instructions per ns (the default would have been 2 per ns: 2 GHz x IPC 1). The next gap of 2000 ns
        // then runs 2000 x 3 = 6000 instructions. The first interval calibrates; the top-up of 3000 - 2000 = 1000
        // lands in the revealing gap (1000 ns x 2 + 1000 = 3000 in total).
        var timeline = new TraceTimeline(Guest("skylake-server").Caps);
        TraceAccess A(ulong ns, TraceAccessKind kind, uint index, ulong value) =>
            new(1, ns, false, 0, 1, kind, index, value, false, TraceEventSource.MsrTracepoint, TraceTextFormat.Ftrace);

        timeline.Next(A(0, TraceAccessKind.Wrmsr, 0x38f, 0));
        timeline.Next(A(0, TraceAccessKind.Wrmsr, 0xc1, 0));
        timeline.Next(A(0, TraceAccessKind.Wrmsr, 0x186, 0x4300c0));
        timeline.Next(A(0, TraceAccessKind.Wrmsr, 0x38f, 0x1));
        var reveal = timeline.Next(A(1000, TraceAccessKind.Rdpmc, 0, 3000));
        var after = timeline.Next(A(3000, TraceAccessKind.Rdmsr, 0x38e, 0));

        Assert.AreEqual(3000UL, reveal.RunInstructions);
        Assert.IsFalse(reveal.Revealed, "the first interval calibrates");
        Assert.AreEqual(6000UL, after.RunInstructions);
        Assert.AreEqual(4000UL, after.RunCycles);
        Assert.AreEqual(1, timeline.Reveals);
    }

    [TestMethod]
    public void Every_shipped_example_trace_replays_through_every_design()
    {
        var results = TraceExamples.ReplayFolder(Path.Combine(TestSupport.RepositoryRoot(), "traces"), options: new TraceReplayOptions { TickNanoseconds = 0 });

        Assert.AreEqual(3, results.Count);
        foreach (var result in results)
        {
            Assert.IsTrue(result.Usable, result.Source);
            Assert.AreEqual(0, result.Stats.Unparsable, result.Source);
            Assert.AreEqual(TraceDesign.All.Count, result.Rows.Count);
            Assert.IsTrue(result.Rows.All(r => r.Available), result.Source);
            Assert.IsTrue(result.Rows.Single(r => r.Design == "emulated").Exits >= result.PmuAccesses, "the legacy vPMU intercepts every PMU access");
        }
    }

    [TestMethod]
    public void Designs_a_host_cannot_run_are_reported_not_dropped()
    {
        string text = Ftrace("perf", 1, 0, "d..1.", 1_000, "write_msr", MsrPayload(0x38f, 0)) + "\n";

        // The mediated vPMU needs PMU version 4 on Intel (docs/mediated.md, enablement); intel-v2 is version 2.
        var result = Replay(text, "intel-v2", TraceReplayOptions.Bare);

        Assert.AreEqual(TraceDesign.All.Count, result.Rows.Count);
        Assert.IsTrue(result.Rows.Single(r => r.Design == "emulated").Available);
        var mediated = result.Rows.Where(r => r.Design.StartsWith("mediated", System.StringComparison.Ordinal)).ToList();
        Assert.AreEqual(5, mediated.Count);
        Assert.IsTrue(mediated.All(r => !r.Available && r.Unavailable!.Contains("version 4", System.StringComparison.Ordinal)));
    }

    [TestMethod]
    public void Replay_cli_prints_the_headline_columns_and_json()
    {
        string trace = Path.Combine(TestSupport.RepositoryRoot(), "traces", "perf-stat-instructions-cycles.txt");

        var (exit, text, _) = TraceCliTests.Run("trace", "replay", trace, "--cpu", "skylake-server", "--design", "legacy", "mediated:run-loop");
        var (jsonExit, json, _) = TraceCliTests.Run("trace", "replay", trace, "--cpu", "skylake-server", "--design", "legacy", "--format", "json");

        Assert.AreEqual(0, exit, text);
        foreach (var column in TraceReplayReport.HeadlineColumns)
        {
            StringAssert.Contains(text, column);
        }

        StringAssert.Contains(text, "mediated run-loop");
        Assert.AreEqual(0, jsonExit);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var row = doc.RootElement.GetProperty("rows")[0];
        Assert.AreEqual("emulated", row.GetProperty("design").GetString());
        Assert.IsTrue(row.GetProperty("vmExits").GetInt64() > 0);
    }

    [TestMethod]
    public void Replay_of_a_trace_without_pmu_accesses_exits_2()
    {
        string path = TraceCliTests.TempTrace(Ftrace("a", 1, 0, "d..1.", 1_000, "sched_switch", "prev_comm=a") + "\n");
        try
        {
            var (exit, _, errors) = TraceCliTests.Run("trace", "replay", path, "--cpu", "skylake-server");
            var (toExit, _, _) = TraceCliTests.Run("trace", "to-scenario", path, "--cpu", "skylake-server");

            Assert.AreEqual(2, exit);
            Assert.AreEqual(2, toExit);
            StringAssert.Contains(errors, "no PMU access");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Run_emit_trace_writes_the_msr_tracepoint_format()
    {
        string path = Path.Combine(Path.GetTempPath(), "msrgen-emit-" + System.Guid.NewGuid().ToString("N") + ".txt");
        try
        {
            var (exit, _, _) = TraceCliTests.Run("run", Path.Combine(TestSupport.RepositoryRoot(), "scenarios/workloads/perf-stat.pmu"), "--emit-trace", path);

            Assert.AreEqual(0, exit);
            var lines = File.ReadAllLines(path, Encoding.UTF8);
            // The first statement of the scenario: guest wrmsr IA32_PERF_GLOBAL_CTRL 0.
            StringAssert.EndsWith(lines[0], "msr:write_msr: 38f, value 0");
            using var reader = TraceReader.Open(path);
            int n = 0;
            while (reader.TryRead(out _))
            {
                n++;
            }

            Assert.AreEqual(lines.Length, n);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
