using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MsrGen.Runtime.Traces;

/// <summary>A line that could not be read, with its number and why.</summary>
public sealed record TraceLineProblem(long Line, string Reason, string Excerpt);

/// <summary>
/// What a pass over a trace found besides the MSR accesses: every counter here is bounded in
/// memory (the problem list keeps the first <see cref="MaxProblems"/> lines, the event-name table
/// the first <see cref="MaxEventNames"/> names), so a trace of any length reads in constant space.
/// </summary>
public sealed class TraceReadStats
{
    public const int MaxProblems = 20;
    public const int MaxEventNames = 32;
    public const string OtherNames = "(other names)";

    private readonly List<TraceLineProblem> _problems = new();
    private readonly Dictionary<string, long> _otherEvents = new(StringComparer.Ordinal);

    public long Lines { get; internal set; }
    public long BlankLines { get; internal set; }
    public long CommentLines { get; internal set; }
    public long HeaderLines { get; internal set; }
    public long MsrAccesses { get; internal set; }
    public long OtherEvents { get; internal set; }
    public long LostMarkers { get; internal set; }
    public long LostEvents { get; internal set; }
    public long Unparsable { get; internal set; }

    /// <summary>Accesses whose timestamp is earlier than the previous one of the same CPU.</summary>
    public long OutOfOrder { get; internal set; }

    /// <summary>Accesses whose CPU is not the previous access's CPU while their time is earlier (normal for merged per-CPU buffers).</summary>
    public long CrossCpuReorders { get; internal set; }

    /// <summary>The last line had no newline (a trace still being written, or a cut copy); it was skipped.</summary>
    public long? TruncatedFinalLine { get; internal set; }

    public TraceTextFormat? Format { get; internal set; }
    public bool RawClock { get; internal set; }

    public IReadOnlyList<TraceLineProblem> Problems => _problems;
    public IReadOnlyDictionary<string, long> OtherEventsByName => _otherEvents;

    internal void AddProblem(long line, string reason, ReadOnlySpan<char> text)
    {
        Unparsable++;
        if (_problems.Count < MaxProblems)
        {
            var excerpt = text.Trim();
            _problems.Add(new TraceLineProblem(line, reason, excerpt.Length > 100 ? string.Concat(excerpt[..100], "...") : excerpt.ToString()));
        }
    }

    internal void AddOtherEvent(ReadOnlySpan<char> name)
    {
        OtherEvents++;
        var lookup = _otherEvents.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(name, out long count))
        {
            lookup[name] = count + 1;
        }
        else if (_otherEvents.Count < MaxEventNames)
        {
            lookup[name] = 1;
        }
        else
        {
            _otherEvents[OtherNames] = _otherEvents.GetValueOrDefault(OtherNames) + 1;
        }
    }
}

/// <summary>
/// Reads a trace as a stream and hands out its MSR accesses one at a time; everything else is
/// counted in <see cref="Stats"/>. Accepts ftrace text (trace, trace_pipe), <c>trace-cmd report</c>
/// and <c>perf script</c> output, mixed with any other events, CRLF or LF, in any CPU
/// interleaving. Never throws on bad text: an unreadable line is counted with its number.
/// </summary>
public sealed class TraceReader : IDisposable
{
    /// <summary>CPU numbers above this are refused (Linux's NR_CPUS limit), which keeps per-CPU state bounded.</summary>
    public const int MaxCpu = 8191;

    private readonly TraceLineReader _lines;
    private readonly TextReader _reader;
    private readonly bool _ownsReader;
    private readonly ulong[] _lastTimestamp = new ulong[MaxCpu + 1];
    private readonly bool[] _seenCpu = new bool[MaxCpu + 1];
    private ulong _previousTimestamp;
    private int _previousCpu = -1;
    private bool _traceCmd;

    public TraceReader(TextReader reader, bool ownsReader = false, long? length = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _ownsReader = ownsReader;
        _lines = new TraceLineReader(reader);
        Length = length;
    }

    /// <summary>Opens a file for one sequential pass.</summary>
    public static TraceReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        return new TraceReader(new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16), ownsReader: true, stream.Length);
    }

    public TraceReadStats Stats { get; } = new();

    /// <summary>The input's size in bytes when known (a file), for progress.</summary>
    public long? Length { get; }

    /// <summary>Characters consumed so far.</summary>
    public long Position => _lines.CharactersRead;

    /// <summary>The next MSR access of the trace; false at the end.</summary>
    public bool TryRead(out TraceAccess access)
    {
        while (_lines.MoveNext())
        {
            var stats = Stats;
            stats.Lines++;
            long number = _lines.LineNumber;
            var line = _lines.Current;
            if (_lines.LastLineUnterminated)
            {
                if (!line.Trim().IsEmpty)
                {
                    stats.TruncatedFinalLine = number;
                    stats.AddProblem(number, "last line has no newline (cut off): skipped", line);
                }

                continue;
            }

            if (_lines.CurrentTooLong)
            {
                stats.AddProblem(number, $"line longer than {TraceLineReader.MaxLineLength} characters", line);
                continue;
            }

            var kind = TraceLineParser.Parse(line, out var f, out var name, out long lost);
            switch (kind)
            {
                case TraceLineKind.Blank:
                    stats.BlankLines++;
                    break;
                case TraceLineKind.Comment:
                    stats.CommentLines++;
                    break;
                case TraceLineKind.Header:
                    stats.HeaderLines++;
                    _traceCmd |= line.TrimStart().StartsWith("cpus=");
                    break;
                case TraceLineKind.Lost:
                    stats.LostMarkers++;
                    stats.LostEvents += lost;
                    break;
                case TraceLineKind.OtherEvent:
                    stats.AddOtherEvent(line[name]);
                    break;
                case TraceLineKind.Unparsable:
                    stats.AddProblem(number, "not a trace event line", line);
                    break;
                case TraceLineKind.MsrAccess:
                    if (f.Cpu > MaxCpu)
                    {
                        stats.AddProblem(number, $"CPU {f.Cpu} is above {MaxCpu}", line);
                        break;
                    }

                    var format = f.Format == TraceTextFormat.Ftrace && _traceCmd ? TraceTextFormat.TraceCmd : f.Format;
                    stats.Format ??= format;
                    stats.RawClock |= f.RawClock;
                    stats.MsrAccesses++;
                    Order(f.Cpu, f.Timestamp);
                    access = new TraceAccess(number, f.Timestamp, f.RawClock, f.Cpu, f.Pid, f.Kind, f.Index, f.Value, f.Faulted, f.Source, format);
                    return true;
            }
        }

        access = default;
        return false;
    }

    private void Order(int cpu, ulong timestamp)
    {
        if (_seenCpu[cpu] && timestamp < _lastTimestamp[cpu])
        {
            Stats.OutOfOrder++;
        }
        else if (_previousCpu >= 0 && cpu != _previousCpu && timestamp < _previousTimestamp)
        {
            Stats.CrossCpuReorders++;
        }

        _seenCpu[cpu] = true;
        _lastTimestamp[cpu] = timestamp;
        _previousCpu = cpu;
        _previousTimestamp = timestamp;
    }

    public void Dispose()
    {
        if (_ownsReader)
        {
            _reader.Dispose();
        }
    }
}
