using System;
using System.Globalization;
using System.IO;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Traces;

/// <summary>Sees every guest RDMSR / WRMSR / RDPMC a scenario performs, with its outcome.</summary>
public interface IGuestAccessObserver
{
    void OnGuestAccess(Vcpu vcpu, TraceAccessKind kind, uint index, ulong value, bool faulted);
}

/// <summary>
/// Writes guest accesses as the msr tracepoints would have logged them inside the guest
/// (<c>"%x, value %llx"</c> plus <c>" #GP"</c>), in the layout of <c>perf script --ns</c>
/// (tools/perf/builtin-script.c: <c>"%16s %7d [%03d] %5lu.%09llu: "</c> then the event name), so
/// that nanosecond gaps survive: the task is <c>msrgen</c> with the vCPU's index as its pid, the
/// CPU column is the vCPU's physical CPU and the time is the host's simulated clock.
/// <c>msrgen trace replay</c> reads it back.
/// </summary>
public sealed class TraceEmitter : IGuestAccessObserver
{
    private readonly TextWriter _writer;

    public TraceEmitter(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    public long Written { get; private set; }

    public void OnGuestAccess(Vcpu vcpu, TraceAccessKind kind, uint index, ulong value, bool faulted)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        ulong ns = vcpu.Host.Clock.Nanoseconds;
        string evt = kind switch
        {
            TraceAccessKind.Rdmsr => "msr:read_msr",
            TraceAccessKind.Wrmsr => "msr:write_msr",
            _ => "msr:rdpmc",
        };
        _writer.Write(string.Create(CultureInfo.InvariantCulture,
            $"{"msrgen",16} {vcpu.Index,7} [{vcpu.Cpu.Index:D3}] {ns / 1_000_000_000,5}.{ns % 1_000_000_000:D9}: {evt,13}: {index:x}, value {value:x}{(faulted ? " #GP" : "")}\n"));
        Written++;
    }
}
