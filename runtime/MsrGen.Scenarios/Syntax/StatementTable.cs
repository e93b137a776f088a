using System.Collections.Generic;

namespace MsrGen.Scenarios;

/// <summary>
/// Every statement of the language. Adding a statement is a row here plus its AST record; the
/// reader (<see cref="StatementReader"/>) is driven by these rows alone.
/// </summary>
internal static class StatementTable
{
    private const ResultKinds GuestAccess = ResultKinds.Read | ResultKinds.Ok | ResultKinds.GeneralProtection;
    private const ResultKinds HostCall = ResultKinds.Ok | ResultKinds.Error | ResultKinds.AnyErrno;

    public static IReadOnlyList<StatementDefinition> All { get; } =
    [
        // Report text.
        S("title").FreeText().Builds(s => new TitleStatement(s.Span, s.Text)),
        S("describe").FreeText().Builds(s => new DescribeStatement(s.Span, s.Text)),
        S("report").Extra(ExtraKeys.Free, atLeastOne: true).Builds(s => new ReportStatement(s.Span, s.AllSettings)),

        // Set-up.
        S("host").Operand(OperandKind.Preset, "PRESET")
            .Key("vendor", ValueKind.Choice, "intel", "amd")
            .RangedKey("version", 0, ScenarioLimits.MaxHostVersion, "architectural PMU versions; AMD 1..2")
            .RangedKey("gp", 0, ScenarioLimits.MaxHostGp, "IA32_PERF_GLOBAL_CTRL bits 31:0; AMD 1..15")
            .RangedKey("fixed", 0, ScenarioLimits.MaxHostFixed, "IA32_PERF_GLOBAL_CTRL bits 47:32; AMD 0")
            .RangedKey("gp-width", 1, 64, "bits; AMD 48")
            .RangedKey("fixed-width", 0, 64, "bits; AMD 0")
            .NumberKeys("perf-caps")
            .RangedKey("lbr-depth", 0, ScenarioLimits.MaxLbrDepth, "LBR entries")
            .SwitchKeys("tsx", "arch-lbr", "vmware-backdoor", "mediated", "pmu", "pt-host-guest")
            .Builds(s => new HostStatement(s.Span, s.Word(0), s.AllSettings)),
        S("vm").RequiredKey("vpmu", ValueKind.Choice, "off", "emulated", "mediated")
            .RangedKey("version", 0, 255, "CPUID.0AH EAX[7:0]")
            .RangedKey("gp", 0, 255, "CPUID.0AH EAX[15:8]; AMD CPUID 0x80000022 EBX[3:0], 0..15")
            .RangedKey("fixed", 0, 31, "CPUID.0AH EDX[4:0]")
            .RangedKey("gp-width", 0, 255, "CPUID.0AH EAX[23:16]")
            .RangedKey("fixed-width", 0, 255, "CPUID.0AH EDX[12:5]")
            .NumberKeys("perf-caps")
            .RangedKey("events-mask-len", 0, 255, "CPUID.0AH EAX[31:24]")
            .RangedKey("events-unavailable", 0, uint.MaxValue, "CPUID.0AH EBX")
            .RangedKey("vcpus", 1, ScenarioLimits.MaxVcpus, "vCPUs per VM")
            .SwitchKeys("pdcm", "tsx", "perfctr-core")
            .Key("name", ValueKind.Name)
            .Key("placement", ValueKind.Choice, "exit", "run-loop", "vcpu-load", "owned", "dirty-only")
            .SwitchKeys("grouped-metrics", "pv-lbr", "irqchip")
            .Key("host-callback", ValueKind.Choice, "on", "defer", "off")
            .Key("lbr", ValueKind.Choice, "pv", "lazy", "timer", "kvm", "always", "none")
            .RangedKey("lbr-window", 0, long.MaxValue, "cycles")
            .RangedKey("lbr-depth", 0, ScenarioLimits.MaxLbrDepth, "LBR entries")
            .Key("profile", ValueKind.Choice, "upstream", "pv-lbr-2018")
            .Result(ResultKinds.Ok | ResultKinds.Ebusy | ResultKinds.Error)
            .Builds(s => new VmStatement(s.Span, ParseVpmu(s.Word("vpmu")), s.SettingsExcept("vpmu"), s.Expect)),
        S("vm", "destroy").Builds(s => new VmDestroy(s.Span)),
        S("vm", "use").Operand(OperandKind.Name, "NAME").Builds(s => new VmUse(s.Span, s.Word(0))),
        S("cost").Extra(ExtraKeys.CostPrimitives, atLeastOne: true).Builds(s => new CostStatement(s.Span, s.AllSettings)),

        // vCPU scheduling.
        S("vcpu").NumberOperand("N", 0, ScenarioLimits.MaxVcpus - 1, "vCPU index").Builds(s => new VcpuSelect(s.Span, s.Number(0))),
        S("vcpu", "sched-out").Builds(s => new VcpuSchedOut(s.Span)),
        S("vcpu", "sched-in").Builds(s => new VcpuSchedIn(s.Span)),
        S("vcpu", "userspace").Builds(s => new VcpuUserspace(s.Span)),
        S("idle").Operand(OperandKind.Number, "CYCLES").Builds(s => new IdleStatement(s.Span, s.Number(0))),

        // Guest actions.
        S("guest", "wrmsr").Operand(OperandKind.Msr, "MSR").Operand(OperandKind.Number, "VALUE")
            .Result(ResultKinds.Ok | ResultKinds.GeneralProtection)
            .Builds(s => new GuestWrmsr(s.Span, s.Msr(0), s.Number(1), s.Expect)),
        S("guest", "rdmsr").Operand(OperandKind.Msr, "MSR").Result(GuestAccess)
            .Builds(s => new GuestRdmsr(s.Span, s.Msr(0), s.Expect)),
        S("guest", "rdpmc").Operand(OperandKind.Number32, "ECX").Result(GuestAccess)
            .Builds(s => new GuestRdpmc(s.Span, s.Number32(0), s.Expect)),
        S("guest", "cpl").Operand(OperandKind.Choice, "CPL", "0", "3")
            .Builds(s => new GuestCpl(s.Span, s.Word(0) == "3" ? 3 : 0)),
        S("guest", "cr4.pce").Operand(OperandKind.Choice, "on|off", "on", "off")
            .Builds(s => new GuestCr4Pce(s.Span, s.Word(0) == "on")),
        S("guest", "lvtpc", "write").NumberOperand("VALUE", 0, uint.MaxValue, "the 32-bit LVTPC register").Builds(s => new GuestLvtpcWrite(s.Span, s.Number(0))),
        S("guest", "lvtpc", "read").Result(ResultKinds.Read).Builds(s => new GuestLvtpcRead(s.Span, s.Expect)),
        S("guest", "run").Extra(ExtraKeys.Events, atLeastOne: true).Builds(s => new GuestRun(s.Span, s.EventCounts)),
        S("guest", "emulate").Extra(ExtraKeys.Events, atLeastOne: true).Builds(s => new GuestEmulate(s.Span, s.EventCounts)),
        S("guest", "exits").NumberKeys("fastpath", "slow")
            .Builds(s => new GuestExits(s.Span, s.Number("fastpath") ?? 0, s.Number("slow") ?? 0)),
        S("guest", "branches").Operand(OperandKind.Number, "N").Builds(s => new GuestBranches(s.Span, s.Number(0))),
        S("guest", "lbr", "callstack").Operand(OperandKind.Choice, "on|off", "on", "off")
            .Builds(s => new GuestLbrCallstack(s.Span, s.Word(0) == "on")),
        S("guest", "lbr", "read").Result(ResultKinds.Clean | ResultKinds.Polluted).Builds(s => new GuestLbrRead(s.Span, s.Expect)),
        S("guest", "context-switch").Builds(s => new GuestContextSwitch(s.Span)),
        S("guest", "pmi").Builds(s => new GuestPmi(s.Span)),

        // Host actions.
        S("host", "wrmsr").Operand(OperandKind.Msr, "MSR").Operand(OperandKind.Number, "VALUE")
            .Result(ResultKinds.Ok | ResultKinds.Error)
            .Builds(s => new HostWrmsr(s.Span, s.Msr(0), s.Number(1), s.Expect)),
        S("host", "rdmsr").Operand(OperandKind.Msr, "MSR").Result(ResultKinds.Read | ResultKinds.Ok | ResultKinds.Error)
            .Builds(s => new HostRdmsr(s.Span, s.Msr(0), s.Expect)),
        S("host", "perf", "open").Operand(OperandKind.Name, "NAME").Operand(OperandKind.Event, "EVENT")
            .Flag("exclude-guest", "pinned", "disabled", "exclude-host", "lbr")
            .NumberKeys("period").RangedKey("cpu", 0, ScenarioLimits.MaxCpus - 1, "physical CPU index").Key("group", ValueKind.Name)
            .Result(HostCall)
            .Builds(s => new HostPerfOpen(s.Span, s.Word(0), s.Event(1), PerfFlags(s), s.Number("period"), s.Number("cpu"), s.Word("group"), s.Expect)),
        S("host", "perf", "close").Operand(OperandKind.Name, "NAME").Builds(s => new HostPerfClose(s.Span, s.Word(0))),
        S("host", "perf", "read").Operand(OperandKind.Name, "NAME").Result(ResultKinds.Read)
            .Builds(s => new HostPerfRead(s.Span, s.Word(0), s.Expect)),
        S("host", "perf", "enable").Operand(OperandKind.Name, "NAME")
            .Key("at", ValueKind.Choice, "guest-mode", "run-loop", "outside")
            .Result(HostCall)
            .Builds(s => new HostPerfEnable(s.Span, s.Word(0), ParseEnablePoint(s.Word("at")), s.Expect)),
        S("host", "perf", "disable").Operand(OperandKind.Name, "NAME").Result(HostCall)
            .Builds(s => new HostPerfDisable(s.Span, s.Word(0), s.Expect)),
        S("host", "run").Extra(ExtraKeys.Events, atLeastOne: true).Builds(s => new HostRun(s.Span, s.EventCounts)),
        S("host", "thread").RequiredKey("branches", ValueKind.Number)
            .Builds(s => new HostThreadBranches(s.Span, s.Number("branches") ?? 0)),
        S("filter").Operand(OperandKind.Choice, "allow|deny", "allow", "deny")
            .Key("events", ValueKind.NumberList).RangedKey("fixed-bitmap", 0, uint.MaxValue, "KVM's 32-bit fixed_counter_bitmap").Flag("masked")
            .Result(ResultKinds.Ok | ResultKinds.Error | ResultKinds.AnyErrno)
            .Builds(s => new FilterStatement(
                s.Span,
                s.Word(0) == "deny" ? FilterAction.Deny : FilterAction.Allow,
                s.Numbers("events") ?? EquatableList<ulong>.Empty,
                s.Number("fixed-bitmap"),
                s.Flag("masked"),
                s.Expect)),

        // Metrics.
        S("expect").Operand(OperandKind.Metric, "METRIC").Operand(OperandKind.Comparison, "OP").Operand(OperandKind.Number, "NUMBER")
            .Builds(s => new ExpectMetric(s.Span, s.Metric(0), s.Comparison(1), s.Number(2))),
        S("reset", "metrics").Builds(s => new ResetMetrics(s.Span)),
    ];

    private static StatementDefinition S(params string[] path) => new(path);

    private static Vpmu ParseVpmu(string? word) => word switch
    {
        "emulated" => Vpmu.Emulated,
        "mediated" => Vpmu.Mediated,
        _ => Vpmu.Off,
    };

    private static PerfEnablePoint ParseEnablePoint(string? word) => word switch
    {
        "guest-mode" => PerfEnablePoint.GuestMode,
        "run-loop" => PerfEnablePoint.RunLoop,
        _ => PerfEnablePoint.Outside,
    };

    private static HostPerfFlags PerfFlags(StatementSyntax s) =>
        (s.Flag("exclude-guest") ? HostPerfFlags.ExcludeGuest : HostPerfFlags.None)
        | (s.Flag("pinned") ? HostPerfFlags.Pinned : HostPerfFlags.None)
        | (s.Flag("disabled") ? HostPerfFlags.Disabled : HostPerfFlags.None)
        | (s.Flag("exclude-host") ? HostPerfFlags.ExcludeHost : HostPerfFlags.None)
        | (s.Flag("lbr") ? HostPerfFlags.Lbr : HostPerfFlags.None);
}
