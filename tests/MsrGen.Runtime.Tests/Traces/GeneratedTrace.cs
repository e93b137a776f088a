using System;
using System.Globalization;
using System.IO;

namespace MsrGen.Runtime.Tests.Traces;

/// <summary>
/// A trace of any length produced line by line without allocating (nothing is stored): ftrace
/// lines in the kernel's layout, a cycle of eight per CPU block: the GLOBAL_CTRL disable, a counter
/// write, an event select, the enable, a scheduler event (skipped), an RDPMC, a GLOBAL_STATUS read
/// and a non-PMU MSR; CPUs take turns every eight lines; time moves 1 us per line.
/// </summary>
internal sealed class GeneratedTrace : TextReader
{
    private readonly long _lines;
    private readonly char[] _line = new char[256];
    private long _next;
    private int _pos;
    private int _length;

    public GeneratedTrace(long lines) => _lines = lines;

    public override int Read(char[] buffer, int index, int count)
    {
        int written = 0;
        while (written < count)
        {
            if (_pos == _length)
            {
                if (_next == _lines)
                {
                    break;
                }

                _length = Format(_next++, _line);
                _pos = 0;
            }

            int n = Math.Min(count - written, _length - _pos);
            Array.Copy(_line, _pos, buffer, index + written, n);
            _pos += n;
            written += n;
        }

        return written;
    }

    private static int Format(long i, Span<char> line)
    {
        int cpu = (int)(i / 8 % 4);
        ulong ns = (ulong)i * 1000;
        int p = 0;
        p += Put(line[p..], "            perf-4242    [00");
        line[p++] = (char)('0' + cpu);
        p += Put(line[p..], "] d..1. ");
        (ns / 1_000_000_000).TryFormat(line[p..], out int s, "D5", CultureInfo.InvariantCulture);
        p += s;
        line[p++] = '.';
        (ns % 1_000_000_000 / 1000).TryFormat(line[p..], out int f, "D6", CultureInfo.InvariantCulture);
        p += f;
        p += Put(line[p..], ": ");
        switch (i % 8)
        {
            case 0: p += Put(line[p..], "write_msr: 38f, value 0"); break;
            case 1: p += Put(line[p..], "write_msr: c1, value ffff00000000"); break;
            case 2: p += Put(line[p..], "write_msr: 186, value 4300c0"); break;
            case 3: p += Put(line[p..], "write_msr: 38f, value 1"); break;
            case 4: p += Put(line[p..], "sched_switch: prev_comm=perf prev_pid=4242 prev_prio=120 prev_state=R ==> next_comm=cc1 next_pid=77 next_prio=120"); break;
            case 5:
                p += Put(line[p..], "rdpmc: 0, value ");
                (0xffff00000000UL + (ulong)i * 1000).TryFormat(line[p..], out int v, "x", CultureInfo.InvariantCulture);
                p += v;
                break;
            case 6: p += Put(line[p..], "read_msr: 38e, value 0"); break;
            default: p += Put(line[p..], "write_msr: 6e0, value 1234"); break;
        }

        line[p++] = '\n';
        return p;
    }

    private static int Put(Span<char> target, string text)
    {
        text.CopyTo(target);
        return text.Length;
    }
}
