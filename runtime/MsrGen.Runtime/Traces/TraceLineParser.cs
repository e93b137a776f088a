using System;
using System.Globalization;

namespace MsrGen.Runtime.Traces;

/// <summary>What one line of a trace turned out to be.</summary>
public enum TraceLineKind : byte
{
    Blank,
    /// <summary>A <c>#</c> line: ftrace's header, <c>##### CPU n buffer started ####</c>.</summary>
    Comment,
    /// <summary>trace-cmd's <c>cpus=N</c> / <c>version = N</c> lines.</summary>
    Header,
    /// <summary>ftrace's <c>CPU:N [LOST M EVENTS]</c> or trace-cmd's <c>CPU:N [M EVENTS DROPPED]</c>.</summary>
    Lost,
    /// <summary>read_msr, write_msr, rdpmc or kvm_msr.</summary>
    MsrAccess,
    /// <summary>Any other event (sched_switch, kvm_exit, ...): skipped and counted by name.</summary>
    OtherEvent,
    Unparsable,
}

/// <summary>
/// Parses one line of tracepoint text as the kernel and the tools print it:
/// <list type="bullet">
/// <item>ftrace (trace, trace_pipe; kernel/trace/trace_output.c, trace_print_context()):
/// <c>COMM-PID [(TGID)] [CPU] [FLAGS] SECS.USECS: EVENT: PAYLOAD</c>, or a raw clock value
/// instead of SECS.USECS;</item>
/// <item>trace-cmd report: <c>COMM-PID [CPU] SECS.USECS: EVENT:</c> followed by padding to 20
/// columns, then the payload (latency format <c>-l</c> adds flags after the CPU);</item>
/// <item>perf script: <c>COMM PID[/TID] [CPU] SECS.USECS: SYSTEM:EVENT: PAYLOAD</c>.</item>
/// </list>
/// The payloads are the TP_printk strings: the msr events print <c>"%x, value %llx"</c> and
/// <c>" #GP"</c> when the access failed; kvm_msr prints <c>"msr_%s %x = 0x%llx"</c> with
/// <c>read</c> or <c>write</c> and <c>" (#GP)"</c> when KVM injected a fault (older kernels print
/// no fault marker).
/// </summary>
public static class TraceLineParser
{
    /// <summary>The fields of an MSR access line (no line number yet).</summary>
    public readonly record struct Fields(
        ulong Timestamp, bool RawClock, int Cpu, int Pid, TraceAccessKind Kind, uint Index, ulong Value, bool Faulted,
        TraceEventSource Source, TraceTextFormat Format);

    /// <summary>
    /// Classifies <paramref name="line"/>. For <see cref="TraceLineKind.MsrAccess"/> the access is in
    /// <paramref name="fields"/>; for <see cref="TraceLineKind.OtherEvent"/> <paramref name="name"/>
    /// is the event's name within the line; for <see cref="TraceLineKind.Lost"/>
    /// <paramref name="lost"/> is the number of events the tracer reported lost.
    /// </summary>
    public static TraceLineKind Parse(ReadOnlySpan<char> line, out Fields fields, out Range name, out long lost)
    {
        fields = default;
        name = default;
        lost = 0;
        int first = SkipSpaces(line, 0);
        if (first == line.Length)
        {
            return TraceLineKind.Blank;
        }

        char c = line[first];
        if (c == '#')
        {
            return TraceLineKind.Comment;
        }

        var trimmed = line[first..];
        if (trimmed.StartsWith("cpus=") || trimmed.StartsWith("version ="))
        {
            return TraceLineKind.Header;
        }

        if (trimmed.StartsWith("CPU:"))
        {
            return ParseLost(trimmed, out lost) ? TraceLineKind.Lost : TraceLineKind.Unparsable;
        }

        // The CPU column: the first "[digits]".
        int open = -1, close = -1;
        for (int i = first; i < line.Length; i++)
        {
            if (line[i] != '[')
            {
                continue;
            }

            int j = i + 1;
            while (j < line.Length && char.IsAsciiDigit(line[j]))
            {
                j++;
            }

            if (j > i + 1 && j < line.Length && line[j] == ']')
            {
                open = i;
                close = j;
                break;
            }
        }

        if (open < 0 || !int.TryParse(line[(open + 1)..close], NumberStyles.None, CultureInfo.InvariantCulture, out int cpu))
        {
            return TraceLineKind.Unparsable;
        }

        int pid = ParsePid(line[first..open]);

        // After the CPU: optional flag columns, then the timestamp ending in ':'.
        int pos = close + 1;
        ulong timestamp = 0;
        bool raw = false, found = false;
        while (pos < line.Length)
        {
            pos = SkipSpaces(line, pos);
            int end = NextSpace(line, pos);
            if (end == pos)
            {
                break;
            }

            var token = line[pos..end];
            pos = end;
            if (token[^1] == ':' && TryParseTimestamp(token[..^1], out timestamp, out raw))
            {
                found = true;
                break;
            }
        }

        if (!found)
        {
            return TraceLineKind.Unparsable;
        }

        // The event: "name:" or perf script's "system:name:".
        pos = SkipSpaces(line, pos);
        int eventEnd = NextSpace(line, pos);
        if (eventEnd == pos)
        {
            return TraceLineKind.Unparsable;
        }

        if (eventEnd - pos < 2 || line[eventEnd - 1] != ':')
        {
            // Not an event (the function tracer's "func <-caller"): skipped like other events.
            name = new Range(pos, eventEnd);
            return TraceLineKind.OtherEvent;
        }

        var eventToken = line[pos..(eventEnd - 1)];
        int colon = eventToken.LastIndexOf(':');
        var format = colon >= 0 ? TraceTextFormat.PerfScript : TraceTextFormat.Ftrace;
        int nameStart = pos + colon + 1;
        var eventName = line[nameStart..(eventEnd - 1)];
        var payload = line[SkipSpaces(line, eventEnd)..].TrimEnd();

        TraceEventSource source;
        TraceAccessKind kind;
        uint index;
        ulong value;
        bool faulted;
        if (eventName.SequenceEqual("write_msr") || eventName.SequenceEqual("read_msr") || eventName.SequenceEqual("rdpmc"))
        {
            source = TraceEventSource.MsrTracepoint;
            kind = eventName[0] == 'w' ? TraceAccessKind.Wrmsr : eventName[0] == 'r' && eventName[1] == 'e' ? TraceAccessKind.Rdmsr : TraceAccessKind.Rdpmc;
            if (!ParseMsrPayload(payload, out index, out value, out faulted))
            {
                return TraceLineKind.Unparsable;
            }
        }
        else if (eventName.SequenceEqual("kvm_msr"))
        {
            source = TraceEventSource.KvmMsr;
            if (!ParseKvmPayload(payload, out kind, out index, out value, out faulted))
            {
                return TraceLineKind.Unparsable;
            }
        }
        else
        {
            name = new Range(nameStart, eventEnd - 1);
            return TraceLineKind.OtherEvent;
        }

        fields = new Fields(timestamp, raw, cpu, pid, kind, index, value, faulted, source, format);
        return TraceLineKind.MsrAccess;
    }

    /// <summary><c>%x, value %llx</c> plus <c> #GP</c>.</summary>
    private static bool ParseMsrPayload(ReadOnlySpan<char> payload, out uint index, out ulong value, out bool faulted)
    {
        index = 0;
        value = 0;
        faulted = false;
        int comma = payload.IndexOf(',');
        if (comma <= 0 || !TryHex32(payload[..comma], out index))
        {
            return false;
        }

        var rest = payload[(comma + 1)..].TrimStart();
        if (!rest.StartsWith("value "))
        {
            return false;
        }

        return ValueAndFault(rest[6..], "#GP", out value, out faulted);
    }

    /// <summary><c>msr_read|msr_write %x = 0x%llx</c> plus <c> (#GP)</c>.</summary>
    private static bool ParseKvmPayload(ReadOnlySpan<char> payload, out TraceAccessKind kind, out uint index, out ulong value, out bool faulted)
    {
        kind = TraceAccessKind.Rdmsr;
        index = 0;
        value = 0;
        faulted = false;
        if (payload.StartsWith("msr_write "))
        {
            kind = TraceAccessKind.Wrmsr;
            payload = payload[10..];
        }
        else if (payload.StartsWith("msr_read "))
        {
            payload = payload[9..];
        }
        else
        {
            return false;
        }

        int space = NextSpace(payload, 0);
        if (!TryHex32(payload[..space], out index))
        {
            return false;
        }

        var rest = payload[space..].TrimStart();
        if (!rest.StartsWith("= 0x"))
        {
            return false;
        }

        return ValueAndFault(rest[4..], "(#GP)", out value, out faulted);
    }

    /// <summary>A hex value, then nothing or exactly the event's fault marker.</summary>
    private static bool ValueAndFault(ReadOnlySpan<char> rest, string faultMarker, out ulong value, out bool faulted)
    {
        faulted = false;
        int end = NextSpace(rest, 0);
        if (!TryHex64(rest[..end], out value))
        {
            return false;
        }

        var tail = rest[end..].Trim();
        if (tail.IsEmpty)
        {
            return true;
        }

        faulted = tail.SequenceEqual(faultMarker);
        return faulted;
    }

    /// <summary><c>CPU:N [LOST M EVENTS]</c> (ftrace) or <c>CPU:N [M EVENTS DROPPED]</c> (trace-cmd).</summary>
    private static bool ParseLost(ReadOnlySpan<char> text, out long lost)
    {
        lost = 0;
        int open = text.IndexOf('[');
        int close = text.LastIndexOf(']');
        if (open < 0 || close < open)
        {
            return false;
        }

        var inner = text[(open + 1)..close];
        foreach (var range in inner.Split(' '))
        {
            if (long.TryParse(inner[range], NumberStyles.None, CultureInfo.InvariantCulture, out lost))
            {
                return inner.Contains("EVENTS", StringComparison.Ordinal);
            }
        }

        return false;
    }

    /// <summary>
    /// The task column's pid: ftrace and trace-cmd print <c>COMM-PID</c> (and ftrace an optional
    /// <c>(TGID)</c> after it), perf script <c>COMM PID</c> or <c>COMM PID/TID</c> (the thread is taken).
    /// </summary>
    private static int ParsePid(ReadOnlySpan<char> task)
    {
        task = task.TrimEnd();
        if (task.EndsWith(")"))
        {
            int open = task.LastIndexOf('(');
            task = open > 0 ? task[..open].TrimEnd() : ReadOnlySpan<char>.Empty;
        }

        int start = task.Length;
        while (start > 0 && char.IsAsciiDigit(task[start - 1]))
        {
            start--;
        }

        if (start == task.Length || !int.TryParse(task[start..], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return -1;
        }

        return start == 0 || task[start - 1] is '-' or ' ' or '/' ? pid : -1;
    }

    /// <summary>SECS.FRACTION (any number of fraction digits, scaled to nanoseconds) or a raw integer clock.</summary>
    internal static bool TryParseTimestamp(ReadOnlySpan<char> text, out ulong value, out bool raw)
    {
        value = 0;
        raw = false;
        int dot = text.IndexOf('.');
        if (dot < 0)
        {
            raw = true;
            return text.Length > 0 && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        var fraction = text[(dot + 1)..];
        if (dot == 0 || fraction.IsEmpty || fraction.Length > 9
            || !ulong.TryParse(text[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out ulong seconds)
            || !ulong.TryParse(fraction, NumberStyles.None, CultureInfo.InvariantCulture, out ulong part)
            || seconds > ulong.MaxValue / 1_000_000_000UL - 1)
        {
            return false;
        }

        for (int i = fraction.Length; i < 9; i++)
        {
            part *= 10;
        }

        value = seconds * 1_000_000_000UL + part;
        return true;
    }

    private static bool TryHex32(ReadOnlySpan<char> text, out uint value)
    {
        if (TryHex64(text, out ulong wide) && wide <= uint.MaxValue)
        {
            value = (uint)wide;
            return true;
        }

        value = 0;
        return false;
    }

    private static bool TryHex64(ReadOnlySpan<char> text, out ulong value) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);

    private static int SkipSpaces(ReadOnlySpan<char> text, int pos)
    {
        while (pos < text.Length && (text[pos] == ' ' || text[pos] == '\t'))
        {
            pos++;
        }

        return pos;
    }

    private static int NextSpace(ReadOnlySpan<char> text, int pos)
    {
        while (pos < text.Length && text[pos] != ' ' && text[pos] != '\t')
        {
            pos++;
        }

        return pos;
    }
}
