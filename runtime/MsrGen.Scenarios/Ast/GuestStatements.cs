namespace MsrGen.Scenarios;

/// <summary><c>guest wrmsr MSR VALUE [=&gt; ok|#GP]</c></summary>
public sealed record GuestWrmsr(SourceSpan Span, MsrOperand Msr, ulong Value, Expectation? Expect) : Statement(Span);

/// <summary><c>guest rdmsr MSR [=&gt; VALUE|#GP]</c></summary>
public sealed record GuestRdmsr(SourceSpan Span, MsrOperand Msr, Expectation? Expect) : Statement(Span);

/// <summary><c>guest rdpmc ECX [=&gt; VALUE|#GP]</c></summary>
public sealed record GuestRdpmc(SourceSpan Span, uint Ecx, Expectation? Expect) : Statement(Span);

/// <summary><c>guest cpl 0|3</c></summary>
public sealed record GuestCpl(SourceSpan Span, int Level) : Statement(Span);

/// <summary><c>guest cr4.pce on|off</c></summary>
public sealed record GuestCr4Pce(SourceSpan Span, bool Enabled) : Statement(Span);

/// <summary><c>guest lvtpc write VALUE</c></summary>
public sealed record GuestLvtpcWrite(SourceSpan Span, ulong Value) : Statement(Span);

/// <summary><c>guest lvtpc read [=&gt; VALUE]</c></summary>
public sealed record GuestLvtpcRead(SourceSpan Span, Expectation? Expect) : Statement(Span);

/// <summary><c>guest run EVENT=COUNT ...</c>: events retired natively at the current CPL.</summary>
public sealed record GuestRun(SourceSpan Span, EquatableList<EventCount> Events) : Statement(Span);

/// <summary><c>guest emulate EVENT=COUNT ...</c>: events retired through KVM's emulator.</summary>
public sealed record GuestEmulate(SourceSpan Span, EquatableList<EventCount> Events) : Statement(Span);

/// <summary><c>guest exits fastpath=N slow=N</c>: VM-exits with no PMU work (absent keys are 0).</summary>
public sealed record GuestExits(SourceSpan Span, ulong Fastpath, ulong Slow) : Statement(Span);

/// <summary><c>guest branches N</c>: the guest takes N taken branches.</summary>
public sealed record GuestBranches(SourceSpan Span, ulong Count) : Statement(Span);

/// <summary><c>guest lbr callstack on|off</c>: guest perf's user call-stack LBR mode.</summary>
public sealed record GuestLbrCallstack(SourceSpan Span, bool Enabled) : Statement(Span);

/// <summary><c>guest lbr read [=&gt; clean|polluted]</c></summary>
public sealed record GuestLbrRead(SourceSpan Span, Expectation? Expect) : Statement(Span);

/// <summary><c>guest context-switch</c>: a guest task switch.</summary>
public sealed record GuestContextSwitch(SourceSpan Span) : Statement(Span);

/// <summary><c>guest pmi</c>: the guest's PMI handler runs now.</summary>
public sealed record GuestPmi(SourceSpan Span) : Statement(Span);
