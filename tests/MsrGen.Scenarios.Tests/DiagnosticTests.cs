using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MsrGen.Scenarios.Tests;

[TestClass]
public sealed class DiagnosticTests
{
    [TestMethod]
    // Unknown and incomplete statements.
    [DataRow("frobnicate 1", "t.pmu:1:1: error: unknown statement 'frobnicate'")]
    [DataRow("  gp=4", "t.pmu:1:3: error: unknown statement 'gp'")]
    [DataRow("host perf frob x", "t.pmu:1:11: error: unknown statement 'host perf frob'; 'host perf' is followed by open, close, read, enable or disable")]
    [DataRow("guest lvtpc", "t.pmu:1:13: error: incomplete statement 'guest lvtpc'; expected write or read")]
    [DataRow("reset", "t.pmu:1:7: error: incomplete statement 'reset'; expected metrics")]
    // Unknown keys, presets, register names, events, flags.
    [DataRow("vm vpmu=off colour=red", "t.pmu:1:13: error: unknown key 'colour' for 'vm'; expected vpmu, version, gp, fixed, gp-width, fixed-width, perf-caps, events-mask-len, events-unavailable, vcpus, pdcm, tsx, perfctr-core, name, placement, grouped-metrics, pv-lbr, irqchip, host-callback, lbr, lbr-window, lbr-depth or profile")]
    [DataRow("guest exits fast=1", "t.pmu:1:13: error: unknown key 'fast' for 'guest exits'; expected fastpath or slow")]
    [DataRow("guest cpl 0 x=1", "t.pmu:1:13: error: unknown key 'x' for 'guest cpl'; 'guest cpl' takes no KEY=VALUE pairs")]
    [DataRow("host pentium4", "t.pmu:1:6: error: unknown preset 'pentium4'; expected icelake-server, intel-v2, native, sapphire-rapids, skylake-server or zen4")]
    [DataRow("guest rdmsr IA32_BOGUS => 0", "t.pmu:1:13: error: unknown register name 'IA32_BOGUS'")]
    [DataRow("guest rdmsr IA32_PMC8", "t.pmu:1:13: error: unknown register name 'IA32_PMC8'")]
    [DataRow("guest run instrs=5", "t.pmu:1:11: error: unknown event 'instrs'; expected instructions, branches, branch-misses, cycles, ref-cycles, llc-references, llc-misses, raw:0xUUEE or raw:0xEUUEE")]
    [DataRow("host perf open x raw:c0", "t.pmu:1:18: error: bad raw event 'raw:c0'; write raw:0xUUEE or raw:0xEUUEE")]
    [DataRow("host perf open x raw:0x1_00000", "t.pmu:1:18: error: raw event 'raw:0x1_00000' is wider than raw:0xEUUEE")]
    [DataRow("host perf open x raw:0xgg", "t.pmu:1:22: error: bad number '0xgg'")]
    [DataRow("host perf open x cycles sticky", "t.pmu:1:25: error: unexpected 'sticky'; 'host perf open' takes exclude-guest, pinned, disabled, exclude-host, lbr, period=N, cpu=N or group=NAME")]
    [DataRow("host perf open x cycles pinned pinned", "t.pmu:1:32: error: duplicate flag 'pinned'")]
    [DataRow("host perf open x cycles lbr lbr", "t.pmu:1:29: error: duplicate flag 'lbr'")]
    [DataRow("cost Wr_Msr=1", "t.pmu:1:6: error: unknown cost primitive 'Wr_Msr'")]
    [DataRow("report /x=1", "t.pmu:1:8: error: bad key '/x'; keys are letters, digits, '.', '_' and '-'")]
    // Bad values.
    [DataRow("vm vpmu=maybe", "t.pmu:1:9: error: expected off, emulated or mediated for 'vpmu', found 'maybe'")]
    [DataRow("vm vpmu=off tsx=yes", "t.pmu:1:17: error: expected on or off for 'tsx', found 'yes'")]
    [DataRow("vm vpmu=off gp=4 gp=5", "t.pmu:1:18: error: duplicate key 'gp'")]
    [DataRow("vm vpmu=off gp=", "t.pmu:1:16: error: missing value after 'gp='")]
    [DataRow("vm vpmu=off name=1vm", "t.pmu:1:18: error: bad name '1vm'; a name starts with a letter or '_' and holds letters, digits, '_', '.' and '-'")]
    [DataRow("guest cpl 2", "t.pmu:1:11: error: expected 0 or 3, found '2'")]
    [DataRow("guest cr4.pce yes", "t.pmu:1:15: error: expected on or off, found 'yes'")]
    [DataRow("guest run cycles=5 CYCLES=6", "t.pmu:1:20: error: duplicate event 'CYCLES'")]
    [DataRow("filter deny events=1,,3", "t.pmu:1:22: error: empty entry in 'events' list")]
    [DataRow("filter deny events=1,0xq", "t.pmu:1:22: error: bad number '0xq'")]
    [DataRow("expect exits = 3", "t.pmu:1:14: error: expected a comparison operator (== != < <= > >=), found '='")]
    [DataRow("expect exits/msr == 3", "t.pmu:1:8: error: bad metric name 'exits/msr'; a metric is a dotted lower-case name such as exits.msr or hw.writes.ia32_pmc0")]
    [DataRow("guest pmi now", "t.pmu:1:11: error: unexpected 'now'; 'guest pmi' takes no more operands")]
    [DataRow("vm vpmu=off gp= 4", "t.pmu:1:16: error: unexpected space after 'gp='; write KEY=VALUE without spaces")]
    [DataRow("expect == 3", "t.pmu:1:8: error: missing METRIC before '=='")]
    // Missing operands, keys and pairs.
    [DataRow("guest wrmsr IA32_PMC0", "t.pmu:1:23: error: missing VALUE for 'guest wrmsr'")]
    [DataRow("guest wrmsr => ok", "t.pmu:1:13: error: missing MSR for 'guest wrmsr'")]
    [DataRow("host", "t.pmu:1:6: error: missing PRESET for 'host'")]
    [DataRow("vm gp=4", "t.pmu:1:9: error: missing vpmu=off|emulated|mediated for 'vm'")]
    [DataRow("host thread", "t.pmu:1:13: error: missing branches=N for 'host thread'")]
    [DataRow("guest run", "t.pmu:1:11: error: missing EVENT=COUNT for 'guest run'")]
    [DataRow("cost", "t.pmu:1:6: error: missing PRIMITIVE=N for 'cost'")]
    [DataRow("report", "t.pmu:1:8: error: missing KEY=VALUE for 'report'")]
    [DataRow("title   # nothing", "t.pmu:1:7: error: missing TEXT for 'title'")]
    [DataRow("expect exits ==", "t.pmu:1:17: error: missing NUMBER for 'expect'")]
    // Results.
    [DataRow("guest wrmsr IA32_PMC0 1 => maybe", "t.pmu:1:28: error: bad result 'maybe'; expected ok or #GP")]
    [DataRow("guest wrmsr IA32_PMC0 1 => 5", "t.pmu:1:28: error: result '5' is not allowed for 'guest wrmsr'; expected ok or #GP")]
    [DataRow("guest rdmsr IA32_PMC0 => error", "t.pmu:1:26: error: result 'error' is not allowed for 'guest rdmsr'; expected a number, OP NUMBER, ok or #GP")]
    [DataRow("host wrmsr IA32_PMC0 1 => #GP", "t.pmu:1:27: error: result '#GP' is not allowed for 'host wrmsr'; expected ok or error")]
    [DataRow("vm vpmu=mediated => EINVAL", "t.pmu:1:21: error: result 'EINVAL' is not allowed for 'vm'; expected ok, error or EBUSY")]
    [DataRow("guest lbr read => 0", "t.pmu:1:19: error: result '0' is not allowed for 'guest lbr read'; expected clean or polluted")]
    [DataRow("guest pmi => ok", "t.pmu:1:11: error: 'guest pmi' takes no '=>' result")]
    [DataRow("guest rdpmc 0 =>", "t.pmu:1:18: error: missing result after '=>'; expected a number, OP NUMBER, ok or #GP")]
    [DataRow("guest rdpmc 0 => >", "t.pmu:1:20: error: missing NUMBER after '>'")]
    [DataRow("guest rdpmc 0 => > x", "t.pmu:1:20: error: bad number 'x'")]
    [DataRow("guest rdpmc 0 => 5 6", "t.pmu:1:20: error: unexpected '6' after the result")]
    [DataRow("guest rdpmc 0 => = 5", "t.pmu:1:18: error: bad result '='; expected a number, OP NUMBER, ok or #GP")]
    [DataRow("guest rdpmc 0 => 0xfg", "t.pmu:1:18: error: bad number '0xfg'")]
    public void ErrorIsReportedWithPathLineAndColumn(string line, string expected)
    {
        CollectionAssert.AreEqual(new[] { expected }, Scenarios.Errors(line));
    }

    [TestMethod]
    public void EveryErrorOfAFileIsReportedInLineOrder()
    {
        const string text = """
            host sapphire-rapids
            vm vpmu=mediated bogus=1 gp=x
            guest wrmsr IA32_PMC0 5 => ok
            guest wrmsr IA32_NOPE
            nonsense here
            expect exits == 1
            guest rdmsr IA32_PMC0 => ebusy
            """;
        CollectionAssert.AreEqual(
            new[]
            {
                "t.pmu:2:18: error: unknown key 'bogus' for 'vm'; expected vpmu, version, gp, fixed, gp-width, fixed-width, perf-caps, events-mask-len, events-unavailable, vcpus, pdcm, tsx, perfctr-core, name, placement, grouped-metrics, pv-lbr, irqchip, host-callback, lbr, lbr-window, lbr-depth or profile",
                "t.pmu:2:29: error: bad number 'x'",
                "t.pmu:4:13: error: unknown register name 'IA32_NOPE'",
                "t.pmu:4:23: error: missing VALUE for 'guest wrmsr'",
                "t.pmu:5:1: error: unknown statement 'nonsense'",
                "t.pmu:7:26: error: result 'ebusy' is not allowed for 'guest rdmsr'; expected a number, OP NUMBER, ok or #GP",
            },
            Scenarios.Errors(text));
    }

    [TestMethod]
    public void DiagnosticRecordsCarryTheirParts()
    {
        var diagnostic = Scenarios.Parse("\n\nhost nope").Diagnostics.Single();
        Assert.AreEqual(new ScenarioDiagnostic("t.pmu", 3, 6, diagnostic.Message), diagnostic);
        StringAssert.StartsWith(diagnostic.ToString(), "t.pmu:3:6: error: unknown preset 'nope'");
    }

    [TestMethod]
    public void PresetsAndCostPrimitivesComeFromTheOptions()
    {
        var options = Scenarios.Options.WithExtraPresets("Granite-Rapids");
        var host = (HostStatement)Scenarios.Parse("host granite-rapids", options).File!.Statements.Single();
        Assert.AreEqual("granite-rapids", host.Preset);
        Assert.IsTrue(Scenarios.Parse("host zen4", options).Succeeded);

        var strict = Scenarios.Options with { CostPrimitives = ["vmexit", "wrmsr"] };
        Assert.IsTrue(Scenarios.Parse("cost VMEXIT=5 wrmsr=2", strict).Succeeded);
        CollectionAssert.AreEqual(
            new[] { "t.pmu:1:15: error: unknown cost primitive 'rdmsr'" },
            Scenarios.Errors("cost vmexit=5 rdmsr=2", strict));
    }

    [TestMethod]
    public void WithoutAResolverEveryRegisterNameIsUnknown()
    {
        var result = ScenarioParser.Parse("x.pmu", "guest rdmsr IA32_PMC0\nguest rdmsr 0xc1");
        CollectionAssert.AreEqual(
            new[] { "x.pmu:1:13: error: unknown register name 'IA32_PMC0'" },
            result.Diagnostics.Select(d => d.ToString()).ToArray());
    }

    [TestMethod]
    public void AnUnreadableFileIsADiagnostic()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "msrgen-missing-" + System.Guid.NewGuid().ToString("N") + ".pmu");
        var result = ScenarioParser.ParseFile(path, Scenarios.Options);
        Assert.IsFalse(result.Succeeded);
        StringAssert.StartsWith(result.Diagnostics.Single().ToString(), path + ":1:1: error: cannot read the file");
    }
}
