namespace MsrGen.Scenarios;

/// <summary>One line of a scenario. <see cref="Span"/> is the position of its first keyword.</summary>
public abstract record Statement(SourceSpan Span);

// ---- Report text -------------------------------------------------------------------------

/// <summary><c>title TEXT...</c></summary>
public sealed record TitleStatement(SourceSpan Span, string Text) : Statement(Span);

/// <summary><c>describe TEXT...</c></summary>
public sealed record DescribeStatement(SourceSpan Span, string Text) : Statement(Span);

/// <summary><c>report KEY=VALUE...</c>: free pairs for the CLI report (values kept as written).</summary>
public sealed record ReportStatement(SourceSpan Span, SettingList Entries) : Statement(Span);

// ---- Set-up -------------------------------------------------------------------------------

/// <summary><c>host PRESET [KEY=VALUE ...]</c>; the preset is lower-cased.</summary>
public sealed record HostStatement(SourceSpan Span, string Preset, SettingList Overrides) : Statement(Span);

public enum Vpmu
{
    Off,
    Emulated,
    Mediated,
}

/// <summary><c>vm vpmu=... [KEY=VALUE ...] [=&gt; ok|EBUSY|error]</c>; <see cref="Keys"/> holds every key but <c>vpmu</c>.</summary>
public sealed record VmStatement(SourceSpan Span, Vpmu Vpmu, SettingList Keys, Expectation? Expect) : Statement(Span);

/// <summary><c>vm destroy</c></summary>
public sealed record VmDestroy(SourceSpan Span) : Statement(Span);

/// <summary><c>vm use NAME</c></summary>
public sealed record VmUse(SourceSpan Span, string Name) : Statement(Span);

/// <summary><c>cost PRIMITIVE=N ...</c>: overrides of cost-table entries (keys lower-cased).</summary>
public sealed record CostStatement(SourceSpan Span, SettingList Entries) : Statement(Span);

// ---- vCPU scheduling ----------------------------------------------------------------------

/// <summary><c>vcpu N</c></summary>
public sealed record VcpuSelect(SourceSpan Span, ulong Index) : Statement(Span);

/// <summary><c>vcpu sched-out</c>: the vCPU task is scheduled out.</summary>
public sealed record VcpuSchedOut(SourceSpan Span) : Statement(Span);

/// <summary><c>vcpu sched-in</c>: the vCPU task is scheduled back in.</summary>
public sealed record VcpuSchedIn(SourceSpan Span) : Statement(Span);

/// <summary><c>vcpu userspace</c>: KVM_RUN returns to userspace and the vCPU re-enters.</summary>
public sealed record VcpuUserspace(SourceSpan Span) : Statement(Span);

/// <summary><c>idle CYCLES</c>: time passes with the vCPU halted.</summary>
public sealed record IdleStatement(SourceSpan Span, ulong Cycles) : Statement(Span);

// ---- Metrics ------------------------------------------------------------------------------

/// <summary><c>expect METRIC OP NUMBER</c></summary>
public sealed record ExpectMetric(SourceSpan Span, Metric Metric, ComparisonOperator Operator, ulong Value) : Statement(Span);

/// <summary><c>reset metrics</c></summary>
public sealed record ResetMetrics(SourceSpan Span) : Statement(Span);
