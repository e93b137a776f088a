using System;
using System.Globalization;
using System.IO;
using System.Linq;
using MsrGen.Registers;
using MsrGen.Runtime.Reporting;

namespace MsrGen.Runtime.Traces;

/// <summary>Reports progress through a trace: characters read so far and the input's length in bytes (when known).</summary>
public delegate void TraceProgress(long position, long length);

/// <summary>
/// <c>msrgen trace decode</c> without the command line: reads the trace once, writes one line per
/// PMU access, then the summary. Exit code 0, or 2 when the trace held no PMU access at all.
/// </summary>
public static class TraceDecodeRun
{
    public static int Run(TraceReader reader, TraceDecoder decoder, TextWriter output, TextWriter errors, TraceProgress? progress = null, bool lines = true)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        long next = 0;
        while (reader.TryRead(out var access))
        {
            if (decoder.TryDecode(access, out var decoded) && lines)
            {
                decoder.Write(output, access, decoded);
            }

            if (progress is not null && reader.Position >= next)
            {
                progress(reader.Position, reader.Length ?? 0);
                next = reader.Position + (1 << 20);
            }
        }

        WriteSummary(output, reader.Stats, decoder);
        WriteProblems(errors, reader.Stats);
        if (decoder.Summary.PmuAccesses == 0)
        {
            errors.WriteLine(NothingUsable(reader.Stats));
            return 2;
        }

        return 0;
    }

    /// <summary>The one-line reason for exit code 2.</summary>
    public static string NothingUsable(TraceReadStats stats) => string.Create(CultureInfo.InvariantCulture,
        $"msrgen: no PMU access in the trace ({stats.Lines} lines: {stats.MsrAccesses} MSR accesses, {stats.OtherEvents} other events, {stats.Unparsable} unreadable); record the msr or kvm:kvm_msr events (docs/traces.md)");

    /// <summary>Unreadable lines, with their numbers, on the error stream.</summary>
    public static void WriteProblems(TextWriter errors, TraceReadStats stats)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(stats);
        foreach (var p in stats.Problems)
        {
            errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"line {p.Line}: {p.Reason}: {p.Excerpt}"));
        }

        if (stats.Unparsable > stats.Problems.Count)
        {
            errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"... and {stats.Unparsable - stats.Problems.Count} more unreadable line(s)"));
        }
    }

    public static void WriteSummary(TextWriter output, TraceReadStats stats, TraceDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(decoder);
        var s = decoder.Summary;
        var caps = decoder.Guest.Caps;
        output.WriteLine();
        output.WriteLine("== Summary");
        output.WriteLine(I($"input: {stats.Lines} lines ({FormatName(stats.Format)}{(stats.RawClock ? ", raw trace clock" : "")}): {stats.MsrAccesses} MSR accesses, {stats.OtherEvents} other events skipped, {stats.CommentLines + stats.HeaderLines} header/comment lines, {stats.Unparsable} unreadable"));
        if (stats.LostEvents > 0 || stats.LostMarkers > 0)
        {
            output.WriteLine(I($"the tracer reported {stats.LostEvents} lost events in {stats.LostMarkers} place(s): counts below are a lower bound"));
        }

        if (stats.OutOfOrder > 0)
        {
            output.WriteLine(I($"{stats.OutOfOrder} access(es) went back in time on their own CPU"));
        }

        if (stats.TruncatedFinalLine is long cut)
        {
            output.WriteLine(I($"the last line ({cut}) had no newline and was skipped as cut off"));
        }

        output.WriteLine(I($"vCPU: {decoder.Guest.Host.Name} host, guest PMU v{caps.Version}, {caps.GpCounters} GP x {caps.GpWidth} bits, {caps.FixedCounters} fixed x {caps.FixedWidth} bits, PERF_CAPABILITIES 0x{caps.PerfCapabilities:x}"));
        double seconds = s.PmuAccesses == 0 || stats.RawClock ? 0 : (s.LastTimestamp - s.FirstTimestamp) / 1e9;
        output.WriteLine(I($"PMU accesses: {s.PmuAccesses}{(seconds > 0 ? $" over {seconds:0.######} s" : "")}; PMU reprogrammed {s.Reprograms} time(s) (a select, fixed or global control write that changed the value)"));
        output.WriteLine(I($"would #GP on this vCPU: {s.WouldFault}; failed in the trace: {s.FailedInTrace}; other MSR accesses (outside the PMU catalog): {s.OtherMsrAccesses}"));
        foreach (var (flag, count) in s.Flags.OrderBy(f => f.Key))
        {
            output.WriteLine(I($"  {FlagName(flag)}: {count}"));
        }

        output.WriteLine();
        output.WriteLine("Accesses per register:");
        var rows = s.ByRegister
            .OrderBy(r => r.Key.Id == MsrId.None ? uint.MaxValue : MsrCatalog.AddressOf(r.Key))
            .Select(r => new[]
            {
                r.Key.Id == MsrId.None ? "(invalid RDPMC index)" : MsrCatalog.InstanceName(r.Key),
                r.Key.Id == MsrId.None ? "" : KernelMsrNames.Of(r.Key) ?? "",
                N(r.Value[0]), N(r.Value[1]), N(r.Value[2]),
            }).ToList();
        TextTable.Write(output, ["register", "kernel name", "rdmsr", "wrmsr", "rdpmc"], rows);
        output.WriteLine();
        output.WriteLine("Accesses per CPU:");
        TextTable.Write(output, ["cpu", "accesses"], s.ByCpu.Select(c => new[] { N(c.Key), N(c.Value) }).ToList(), leftAligned: 1);
        if (s.OtherMsrs.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(I($"Other MSRs (not PMU registers; first {s.OtherMsrs.Count} addresses): ") + string.Join(", ", s.OtherMsrs.OrderByDescending(o => o.Value).Select(o => I($"0x{o.Key:x} x{o.Value}"))));
        }

        if (stats.OtherEventsByName.Count > 0)
        {
            output.WriteLine(I($"Other events skipped: ") + string.Join(", ", stats.OtherEventsByName.OrderByDescending(o => o.Value).Select(o => I($"{o.Key} x{o.Value}"))));
        }
    }

    private static string FlagName(TraceAccessFlags flag) => flag switch
    {
        TraceAccessFlags.Absent => "MSR absent (#GP)",
        TraceAccessFlags.CounterPastCount => "counter past the count (#GP)",
        TraceAccessFlags.ReservedBitsFault => "reserved bits set (#GP)",
        TraceAccessFlags.ReservedBitsDropped => "reserved bits set (dropped by KVM)",
        TraceAccessFlags.ReadOnlyWrite => "write to a read-only MSR (#GP)",
        TraceAccessFlags.AliasWithoutCounter => "P6/K7 alias without a counter (reads 0)",
        TraceAccessFlags.FailedInTrace => "failed in the trace",
        _ => flag.ToString(),
    };

    internal static string FormatName(TraceTextFormat? format) => format switch
    {
        TraceTextFormat.Ftrace => "ftrace text",
        TraceTextFormat.TraceCmd => "trace-cmd report",
        TraceTextFormat.PerfScript => "perf script",
        _ => "no event lines",
    };

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
