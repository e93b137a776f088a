using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MsrGen.Scenarios.Tests;

[TestClass]
public sealed class StatementFormTests
{
    [TestMethod]
    // Report text.
    [DataRow("title Mediated PMU: basic counting", "TitleStatement(Text=\"Mediated PMU: basic counting\")")]
    [DataRow("describe  keeps  inner  spaces, = and => too   # not this", "DescribeStatement(Text=\"keeps  inner  spaces, = and => too\")")]
    [DataRow("report group=placement design=Exit", "ReportStatement(Entries=[group=\"placement\", design=\"Exit\"])")]
    // Set-up.
    [DataRow("host sapphire-rapids", "HostStatement(Preset=\"sapphire-rapids\", Overrides=[])")]
    [DataRow(
        "host zen4 vendor=amd version=2 gp=6 fixed=0 gp-width=48 fixed-width=0 perf-caps=0x2000 lbr-depth=32 tsx=off arch-lbr=on vmware-backdoor=on mediated=on pmu=off",
        "HostStatement(Preset=\"zen4\", Overrides=[vendor=\"amd\", version=0x2, gp=0x6, fixed=0x0, gp-width=0x30, fixed-width=0x0, perf-caps=0x2000, lbr-depth=0x20, tsx=off, arch-lbr=on, vmware-backdoor=on, mediated=on, pmu=off])")]
    [DataRow("vm vpmu=mediated", "VmStatement(Vpmu=Mediated, Keys=[], Expect=null)")]
    [DataRow(
        "vm vpmu=emulated version=2 gp=4 fixed=3 gp-width=48 fixed-width=48 perf-caps=0x2000 => ok",
        "VmStatement(Vpmu=Emulated, Keys=[version=0x2, gp=0x4, fixed=0x3, gp-width=0x30, fixed-width=0x30, perf-caps=0x2000], Expect=OkExpectation())")]
    [DataRow(
        "vm vpmu=off pdcm=off tsx=on events-mask-len=7 events-unavailable=0x4 perfctr-core=on vcpus=2 name=vm1 => error",
        "VmStatement(Vpmu=Off, Keys=[pdcm=off, tsx=on, events-mask-len=0x7, events-unavailable=0x4, perfctr-core=on, vcpus=0x2, name=\"vm1\"], Expect=HostErrorExpectation())")]
    [DataRow(
        "vm vpmu=mediated placement=dirty-only grouped-metrics=on lbr=timer lbr-window=1000 pv-lbr=on lbr-depth=16 profile=pv-lbr-2018 irqchip=off host-callback=off => EBUSY",
        "VmStatement(Vpmu=Mediated, Keys=[placement=\"dirty-only\", grouped-metrics=on, lbr=\"timer\", lbr-window=0x3e8, pv-lbr=on, lbr-depth=0x10, profile=\"pv-lbr-2018\", irqchip=off, host-callback=\"off\"], Expect=ErrnoExpectation(Errno=Ebusy))")]
    [DataRow("vm destroy", "VmDestroy()")]
    [DataRow("vm use vm1", "VmUse(Name=\"vm1\")")]
    [DataRow("cost wrmsr=120 vmexit.msr=0x384", "CostStatement(Entries=[wrmsr=0x78, vmexit.msr=0x384])")]
    // vCPU scheduling.
    [DataRow("vcpu 1", "VcpuSelect(Index=0x1)")]
    [DataRow("vcpu sched-out", "VcpuSchedOut()")]
    [DataRow("vcpu sched-in", "VcpuSchedIn()")]
    [DataRow("vcpu userspace", "VcpuUserspace()")]
    [DataRow("idle 1_000_000", "IdleStatement(Cycles=0xf4240)")]
    // Guest actions.
    [DataRow("guest wrmsr IA32_PERF_GLOBAL_CTRL 0x7_0000_000f => ok", "GuestWrmsr(Msr=IA32_PERF_GLOBAL_CTRL@0x38f, Value=0x70000000f, Expect=OkExpectation())")]
    [DataRow("guest wrmsr 0x186 -1 => #GP", "GuestWrmsr(Msr=-@0x186, Value=0xffffffffffffffff, Expect=GeneralProtectionExpectation())")]
    [DataRow("guest wrmsr MSR_F15H_PERF_CTL2 0x4300c0", "GuestWrmsr(Msr=MSR_F15H_PERF_CTL2@0xc0010204, Value=0x4300c0, Expect=null)")]
    [DataRow("guest rdmsr IA32_PMC0 => 0", "GuestRdmsr(Msr=IA32_PMC0@0xc1, Expect=ValueExpectation(Value=0x0))")]
    [DataRow("guest rdmsr IA32_FIXED_CTR1 => > 0", "GuestRdmsr(Msr=IA32_FIXED_CTR1@0x30a, Expect=ComparisonExpectation(Operator=Greater, Value=0x0))")]
    [DataRow("guest rdmsr IA32_PERFEVTSEL3 => #gp", "GuestRdmsr(Msr=IA32_PERFEVTSEL3@0x189, Expect=GeneralProtectionExpectation())")]
    [DataRow("guest rdpmc 0x40000001 => <= 10", "GuestRdpmc(Ecx=0x40000001, Expect=ComparisonExpectation(Operator=LessOrEqual, Value=0xa))")]
    [DataRow("guest rdpmc 0 => ok", "GuestRdpmc(Ecx=0x0, Expect=OkExpectation())")]
    [DataRow("guest cpl 3", "GuestCpl(Level=3)")]
    [DataRow("guest cpl 0", "GuestCpl(Level=0)")]
    [DataRow("guest cr4.pce on", "GuestCr4Pce(Enabled=true)")]
    [DataRow("guest lvtpc write 0x10000", "GuestLvtpcWrite(Value=0x10000)")]
    [DataRow("guest lvtpc read => 0x10000", "GuestLvtpcRead(Expect=ValueExpectation(Value=0x10000))")]
    [DataRow("guest run instructions=100 branches=10 cycles=1000", "GuestRun(Events=[instructions=0x64, branches=0xa, cycles=0x3e8])")]
    [DataRow(
        "guest run branch-misses=1 ref-cycles=2 llc-references=3 llc-misses=4 raw:0x01c2=5 raw:0x100c0=6",
        "GuestRun(Events=[branch-misses=0x1, ref-cycles=0x2, llc-references=0x3, llc-misses=0x4, raw:0x01c2=0x5, raw:0x100c0=0x6])")]
    [DataRow("guest emulate instructions=3 branches=1", "GuestEmulate(Events=[instructions=0x3, branches=0x1])")]
    [DataRow("guest exits fastpath=10 slow=2", "GuestExits(Fastpath=0xa, Slow=0x2)")]
    [DataRow("guest exits slow=3", "GuestExits(Fastpath=0x0, Slow=0x3)")]
    [DataRow("guest branches 64", "GuestBranches(Count=0x40)")]
    [DataRow("guest lbr callstack off", "GuestLbrCallstack(Enabled=false)")]
    [DataRow("guest lbr read => polluted", "GuestLbrRead(Expect=LbrContentExpectation(Content=Polluted))")]
    [DataRow("guest lbr read", "GuestLbrRead(Expect=null)")]
    [DataRow("guest context-switch", "GuestContextSwitch()")]
    [DataRow("guest pmi", "GuestPmi()")]
    // Host actions.
    [DataRow("host wrmsr IA32_PMC1 0 => error", "HostWrmsr(Msr=IA32_PMC1@0xc2, Value=0x0, Expect=HostErrorExpectation())")]
    [DataRow("host rdmsr IA32_PERFEVTSEL0 => 0x4300c0", "HostRdmsr(Msr=IA32_PERFEVTSEL0@0x186, Expect=ValueExpectation(Value=0x4300c0))")]
    [DataRow(
        "host perf open cyc cycles exclude-guest pinned period=100000 => EBUSY",
        "HostPerfOpen(Name=\"cyc\", Event=cycles, Flags=ExcludeGuest, Pinned, Period=0x186a0, Cpu=null, Group=null, Expect=ErrnoExpectation(Errno=Ebusy))")]
    [DataRow(
        "host perf open ins raw:0xc0 disabled exclude-host group=cyc cpu=0 => EOPNOTSUPP",
        "HostPerfOpen(Name=\"ins\", Event=raw:0x00c0, Flags=Disabled, ExcludeHost, Period=null, Cpu=0x0, Group=\"cyc\", Expect=ErrnoExpectation(Errno=Eopnotsupp))")]
    [DataRow(
        "host perf open br branches lbr pinned => ok",
        "HostPerfOpen(Name=\"br\", Event=branches, Flags=Pinned, Lbr, Period=null, Cpu=null, Group=null, Expect=OkExpectation())")]
    [DataRow(
        "host perf open br cycles disabled lbr cpu=1",
        "HostPerfOpen(Name=\"br\", Event=cycles, Flags=Disabled, Lbr, Period=null, Cpu=0x1, Group=null, Expect=null)")]
    [DataRow("host perf close cyc", "HostPerfClose(Name=\"cyc\")")]
    [DataRow("host perf read cyc => >= 1", "HostPerfRead(Name=\"cyc\", Expect=ComparisonExpectation(Operator=GreaterOrEqual, Value=0x1))")]
    [DataRow("host perf enable cyc at=guest-mode => ok", "HostPerfEnable(Name=\"cyc\", At=GuestMode, Expect=OkExpectation())")]
    [DataRow("host perf enable cyc at=run-loop", "HostPerfEnable(Name=\"cyc\", At=RunLoop, Expect=null)")]
    [DataRow("host perf enable cyc", "HostPerfEnable(Name=\"cyc\", At=Outside, Expect=null)")]
    [DataRow("host perf disable cyc", "HostPerfDisable(Name=\"cyc\", Expect=null)")]
    [DataRow("host run cycles=5000 instructions=2000", "HostRun(Events=[cycles=0x1388, instructions=0x7d0])")]
    [DataRow("host thread branches=32", "HostThreadBranches(Branches=0x20)")]
    [DataRow("filter deny events=0xc0,0x01_c2 fixed-bitmap=1 => ok", "FilterStatement(Action=Deny, Events=[0xc0, 0x1c2], FixedBitmap=0x1, Masked=false, Expect=OkExpectation())")]
    [DataRow("filter allow masked events=0xff00000000000000 => E2BIG", "FilterStatement(Action=Allow, Events=[0xff00000000000000], FixedBitmap=null, Masked=true, Expect=ErrnoExpectation(Errno=E2big))")]
    [DataRow("filter allow => EINVAL", "FilterStatement(Action=Allow, Events=[], FixedBitmap=null, Masked=false, Expect=ErrnoExpectation(Errno=Einval))")]
    // Metrics.
    [DataRow("expect exits.msr == 0", "ExpectMetric(Metric=exits.msr, Operator=Equal, Value=0x0)")]
    [DataRow("expect hw.msr-writes >= 2", "ExpectMetric(Metric=hw.msr-writes, Operator=GreaterOrEqual, Value=0x2)")]
    [DataRow("expect cost < 1_000", "ExpectMetric(Metric=cost, Operator=Less, Value=0x3e8)")]
    [DataRow("expect pmis != 1", "ExpectMetric(Metric=pmis, Operator=NotEqual, Value=0x1)")]
    [DataRow("expect lbr.entries-lost <= 0", "ExpectMetric(Metric=lbr.entries-lost, Operator=LessOrEqual, Value=0x0)")]
    [DataRow("expect perf.creates>1", "ExpectMetric(Metric=perf.creates, Operator=Greater, Value=0x1)")]
    [DataRow("reset metrics", "ResetMetrics()")]
    public void StatementParsesToItsRecord(string line, string expected)
    {
        Assert.AreEqual(expected, AstText.Render(Scenarios.ParseOne(line)));
    }

    [TestMethod]
    [DataRow("GUEST WRMSR ia32_Pmc0 0X1F => OK", "GuestWrmsr(Msr=IA32_PMC0@0xc1, Value=0x1f, Expect=OkExpectation())")]
    [DataRow("Host PERF Open x CYCLES EXCLUDE-GUEST => ebusy", "HostPerfOpen(Name=\"x\", Event=cycles, Flags=ExcludeGuest, Period=null, Cpu=null, Group=null, Expect=ErrnoExpectation(Errno=Ebusy))")]
    [DataRow("VM VPMU=Mediated TSX=ON Name=Big", "VmStatement(Vpmu=Mediated, Keys=[tsx=on, name=\"Big\"], Expect=null)")]
    [DataRow("HOST Sapphire-Rapids VENDOR=Intel", "HostStatement(Preset=\"sapphire-rapids\", Overrides=[vendor=\"intel\"])")]
    [DataRow("Expect EXITS.MSR == 0xA", "ExpectMetric(Metric=exits.msr, Operator=Equal, Value=0xa)")]
    [DataRow("guest run RAW:0XC0=1 Instructions=2", "GuestRun(Events=[raw:0x00c0=0x1, instructions=0x2])")]
    [DataRow("guest lbr read => CLEAN", "GuestLbrRead(Expect=LbrContentExpectation(Content=Clean))")]
    [DataRow("host perf open x BRANCHES LBR", "HostPerfOpen(Name=\"x\", Event=branches, Flags=Lbr, Period=null, Cpu=null, Group=null, Expect=null)")]
    [DataRow("filter DENY MASKED => e2big", "FilterStatement(Action=Deny, Events=[], FixedBitmap=null, Masked=true, Expect=ErrnoExpectation(Errno=E2big))")]
    public void KeywordsRegisterNamesAndResultsAreCaseInsensitive(string line, string expected)
    {
        Assert.AreEqual(expected, AstText.Render(Scenarios.ParseOne(line)));
    }

    [TestMethod]
    public void StatementsCarryTheirSpans()
    {
        var wrmsr = (GuestWrmsr)Scenarios.ParseOne("  guest wrmsr\tIA32_PMC2 7 =>   ok");
        Assert.AreEqual(new SourceSpan(1, 3), wrmsr.Span);
        Assert.AreEqual(new SourceSpan(1, 15), wrmsr.Msr.Span);
        Assert.AreEqual(new SourceSpan(1, 32), wrmsr.Expect!.Span);

        var run = (GuestRun)Scenarios.ParseOne("guest run instructions=1 branches=2");
        Assert.AreEqual(new SourceSpan(1, 11), run.Events[0].Span);
        Assert.AreEqual(new SourceSpan(1, 26), run.Events[1].Span);

        var vm = (VmStatement)Scenarios.ParseOne("vm vpmu=off gp=1");
        Assert.AreEqual(new SourceSpan(1, 13), vm.Keys[0].Span);

        var expect = (ExpectMetric)Scenarios.ParseOne("expect   pmis == 1");
        Assert.AreEqual(new SourceSpan(1, 10), expect.Metric.Span);
    }

    [TestMethod]
    public void StatementsKeepFileOrderAndLines()
    {
        var result = Scenarios.Parse("# header\n\nhost zen4\r\nvm vpmu=mediated\r    \nguest pmi  # trailing\n");
        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        var lines = string.Join(",", result.File.Statements.Select(s => s.GetType().Name + "@" + s.Span));
        Assert.AreEqual("HostStatement@3:1,VmStatement@4:1,GuestPmi@6:1", lines);
        Assert.AreEqual(Scenarios.Path, result.File.Path);
    }

    [TestMethod]
    public void AnEmptyOrCommentOnlyFileIsAnEmptyScenario()
    {
        foreach (var text in new[] { string.Empty, "\n\n", "# only a comment\n   # another\n", "\uFEFF# with a BOM" })
        {
            var result = Scenarios.Parse(text);
            Assert.IsTrue(result.Succeeded);
            Assert.IsEmpty(result.File.Statements);
        }
    }

    [TestMethod]
    public void ParsingTheSameTextTwiceGivesEqualFiles()
    {
        const string text = "host zen4 gp=6\nvm vpmu=mediated name=a\nguest run instructions=5\nfilter deny events=1,2\nreport k=v";
        Assert.AreEqual(Scenarios.Parse(text), Scenarios.Parse(text));
    }

    [TestMethod]
    public void TheDocumentationExampleParses()
    {
        const string text = """
            title Mediated PMU: a counter the guest owns
            describe The guest programs PMC0 for instructions and reads it back without exiting.
            host sapphire-rapids
            vm vpmu=mediated => ok

            guest wrmsr IA32_PERFEVTSEL0 0x4300c0 => ok        # instructions, USR+OS, enabled
            guest wrmsr IA32_PERF_GLOBAL_CTRL 0x1 => ok
            guest run instructions=1000 branches=100
            guest rdmsr IA32_PMC0 => >= 1000
            expect exits.rdpmc == 0
            """;
        var result = Scenarios.Parse(text);
        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.HasCount(9, result.File.Statements);
    }

    [TestMethod]
    public void SettingListAccessorsAreTyped()
    {
        var vm = (VmStatement)Scenarios.ParseOne("vm vpmu=mediated gp=4 tsx=off placement=exit name=a");
        Assert.AreEqual(4UL, vm.Keys.Number("gp"));
        Assert.IsFalse(vm.Keys.Switch("tsx"));
        Assert.AreEqual("exit", vm.Keys.Word("placement"));
        Assert.IsNull(vm.Keys.Number("fixed"));
        Assert.IsFalse(vm.Keys.Contains("vpmu"));
    }
}
