namespace MsrGen.Runtime.Traces;

/// <summary>What the traced instruction did.</summary>
public enum TraceAccessKind : byte
{
    Rdmsr,
    Wrmsr,
    Rdpmc,
}

/// <summary>Which tracepoint produced a line.</summary>
public enum TraceEventSource : byte
{
    /// <summary>
    /// The msr tracepoints (read_msr, write_msr, rdpmc; arch/x86/include/asm/trace/msr.h, older
    /// trees include/trace/events/msr.h): every RDMSR/WRMSR/RDPMC the traced kernel executed.
    /// </summary>
    MsrTracepoint,

    /// <summary>kvm:kvm_msr (arch/x86/kvm/trace.h): a guest MSR access that exited to KVM on the host.</summary>
    KvmMsr,
}

/// <summary>Which tool printed the trace, as far as its lines tell.</summary>
public enum TraceTextFormat : byte
{
    /// <summary>/sys/kernel/tracing/trace or trace_pipe.</summary>
    Ftrace,
    /// <summary><c>trace-cmd report</c>.</summary>
    TraceCmd,
    /// <summary><c>perf script</c> (event names carry their system: <c>msr:write_msr:</c>).</summary>
    PerfScript,
}

/// <summary>
/// One traced MSR access. <see cref="Index"/> is the MSR address (ECX of RDMSR/WRMSR) or, for
/// RDPMC, the counter selector in ECX. <see cref="Timestamp"/> is in nanoseconds when the trace
/// printed seconds with a fraction; with a raw clock (an integer, e.g. trace_clock x86-tsc or
/// counter) it is that integer and <see cref="RawClock"/> is set. <see cref="Cpu"/> is the CPU
/// column; <see cref="Pid"/> the task's pid (or -1 when the line does not show one).
/// </summary>
public readonly record struct TraceAccess(
    long Line,
    ulong Timestamp,
    bool RawClock,
    int Cpu,
    int Pid,
    TraceAccessKind Kind,
    uint Index,
    ulong Value,
    bool Faulted,
    TraceEventSource Source,
    TraceTextFormat Format);
