using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CsCheck;
using MsrGen.Runtime.Traces;
using static MsrGen.Runtime.Tests.Traces.TraceText;

namespace MsrGen.Runtime.Tests.Traces;

[TestClass]
public sealed class TraceReaderTests
{
    internal static (List<TraceAccess> Accesses, TraceReadStats Stats) ReadAll(string text)
    {
        using var reader = new TraceReader(new StringReader(text));
        var accesses = new List<TraceAccess>();
        while (reader.TryRead(out var access))
        {
            accesses.Add(access);
        }

        return (accesses, reader.Stats);
    }

    [TestMethod]
    public void Ftrace_file_with_its_header_irq_flags_and_the_msr_tracepoint_payloads()
    {
        string text = FtraceHeader
            + Ftrace("perf", 2345, 1, "d..1.", 812_345_678_000, "write_msr", MsrPayload(0x38f, 0)) + "\n"
            + Ftrace("perf", 2345, 1, "d..1.", 812_345_679_000, "write_msr", MsrPayload(0x186, 0x4300c0)) + "\n"
            + Ftrace("<idle>", 0, 2, "d.h1.", 812_345_680_000, "read_msr", MsrPayload(0x38e, 0x1)) + "\n"
            + Ftrace("perf", 2345, 1, "....1", 812_345_681_000, "rdpmc", MsrPayload(0x40000000, 0x1234)) + "\n"
            + Ftrace("perf", 2345, 1, "d..1.", 812_345_682_000, "write_msr", MsrPayload(0x391, 0x1, failed: true)) + "\n";

        var (accesses, stats) = ReadAll(text);

        Assert.AreEqual(5, accesses.Count);
        Assert.AreEqual(12, stats.CommentLines);
        Assert.AreEqual(0, stats.Unparsable);
        var first = accesses[0];
        Assert.AreEqual((TraceAccessKind.Wrmsr, 0x38fu, 0UL, 1, 2345, false), (first.Kind, first.Index, first.Value, first.Cpu, first.Pid, first.Faulted));
        Assert.AreEqual(812_345_678_000UL, first.Timestamp);
        Assert.AreEqual(TraceTextFormat.Ftrace, first.Format);
        Assert.AreEqual(13L, first.Line); // after the 12 header lines
        Assert.AreEqual((TraceAccessKind.Wrmsr, 0x186u, 0x4300c0UL), (accesses[1].Kind, accesses[1].Index, accesses[1].Value));
        Assert.AreEqual((TraceAccessKind.Rdmsr, 0x38eu, 1UL, 2, 0), (accesses[2].Kind, accesses[2].Index, accesses[2].Value, accesses[2].Cpu, accesses[2].Pid));
        Assert.AreEqual((TraceAccessKind.Rdpmc, 0x40000000u, 0x1234UL), (accesses[3].Kind, accesses[3].Index, accesses[3].Value));
        Assert.IsTrue(accesses[4].Faulted);
        Assert.AreEqual(TraceEventSource.MsrTracepoint, accesses[4].Source);
    }

    [TestMethod]
    public void Trace_pipe_without_irq_info_and_with_the_tgid_column()
    {
        string text = Ftrace("perf", 77, 0, null, 5_000_001_000, "write_msr", MsrPayload(0xc1, 0xffff_ff67_6980)) + "\n"
            + Ftrace("perf", 77, 0, "d..1.", 5_000_002_000, "read_msr", MsrPayload(0xc1, 0xffff_ff67_6990), tgid: 70) + "\n";

        var (accesses, stats) = ReadAll(text);

        Assert.AreEqual(2, accesses.Count, string.Join("; ", stats.Problems));
        Assert.AreEqual((77, 0xffff_ff67_6980UL), (accesses[0].Pid, accesses[0].Value));
        Assert.AreEqual((77, 0xffff_ff67_6990UL), (accesses[1].Pid, accesses[1].Value));
    }

    [TestMethod]
    public void Trace_cmd_report_with_its_cpus_header_and_padded_event_names()
    {
        string text = "cpus=4\n"
            + TraceCmd("perf", 2345, 3, 1_000_000_000, "write_msr", MsrPayload(0x38d, 0xb0)) + "\n"
            + TraceCmd("perf", 2345, 3, 1_000_050_000, "sched_switch", "prev_comm=perf prev_pid=2345 prev_prio=120 prev_state=S ==> next_comm=swapper/3 next_pid=0 next_prio=120") + "\n"
            + TraceCmd("CPU 0/KVM", 4321, 2, 1_000_100_000, "kvm_msr", KvmPayload(true, 0x38f, 0x70000000f)) + "\n";

        var (accesses, stats) = ReadAll(text);

        Assert.AreEqual(2, accesses.Count);
        Assert.AreEqual(1, stats.HeaderLines);
        Assert.AreEqual(TraceTextFormat.TraceCmd, accesses[0].Format);
        Assert.AreEqual((0x38du, 0xb0UL), (accesses[0].Index, accesses[0].Value));
        Assert.AreEqual((TraceEventSource.KvmMsr, TraceAccessKind.Wrmsr, 0x38fu, 0x70000000fUL, 4321), (accesses[1].Source, accesses[1].Kind, accesses[1].Index, accesses[1].Value, accesses[1].Pid));
        Assert.AreEqual(1L, stats.OtherEventsByName["sched_switch"]);
    }

    [TestMethod]
    public void Perf_script_of_msr_and_kvm_tracepoints_in_microseconds_and_nanoseconds()
    {
        string text = PerfScript("perf", 2345, 5, 42_000_001_000, "msr:write_msr", MsrPayload(0x38f, 0x7)) + "\n"
            + PerfScript("CPU 1/KVM", 9999, 6, 42_000_002_000, "kvm:kvm_msr", KvmPayload(false, 0x38e, 0x0, failed: true)) + "\n"
            + PerfScript("perf", 2345, 5, 42_000_003_123, "msr:rdpmc", MsrPayload(0, 0x55), nanoseconds: true) + "\n";

        var (accesses, stats) = ReadAll(text);

        Assert.AreEqual(3, accesses.Count, string.Join("; ", stats.Problems));
        Assert.AreEqual(TraceTextFormat.PerfScript, accesses[0].Format);
        Assert.AreEqual((2345, 5, 42_000_001_000UL), (accesses[0].Pid, accesses[0].Cpu, accesses[0].Timestamp));
        Assert.AreEqual((TraceEventSource.KvmMsr, TraceAccessKind.Rdmsr, true, 9999), (accesses[1].Source, accesses[1].Kind, accesses[1].Faulted, accesses[1].Pid));
        Assert.AreEqual(42_000_003_123UL, accesses[2].Timestamp);
    }

    [TestMethod]
    public void A_raw_trace_clock_is_kept_as_its_integer()
    {
        string line = "            perf-2345    [001] d..1. 123456789012: write_msr: 38f, value 0\n";

        var (accesses, stats) = ReadAll(line);

        Assert.AreEqual(1, accesses.Count);
        Assert.IsTrue(accesses[0].RawClock);
        Assert.IsTrue(stats.RawClock);
        Assert.AreEqual(123456789012UL, accesses[0].Timestamp);
    }

    [TestMethod]
    public void Crlf_reads_like_lf()
    {
        string lf = FtraceHeader
            + Ftrace("perf", 1, 0, "d..1.", 1_000_000, "write_msr", MsrPayload(0x38f, 3)) + "\n"
            + Ftrace("perf", 1, 1, "d..1.", 2_000_000, "read_msr", MsrPayload(0x38e, 1)) + "\n";
        string crlf = lf.Replace("\n", "\r\n", StringComparison.Ordinal);

        var a = ReadAll(lf);
        var b = ReadAll(crlf);

        CollectionAssert.AreEqual(a.Accesses, b.Accesses);
        Assert.AreEqual(0, b.Stats.Unparsable);
    }

    [TestMethod]
    public void A_cut_final_line_is_reported_and_the_lines_before_it_count()
    {
        string text = Ftrace("perf", 1, 0, "d..1.", 1_000_000, "write_msr", MsrPayload(0x38f, 3)) + "\n"
            + Ftrace("perf", 1, 0, "d..1.", 2_000_000, "write_msr", MsrPayload(0x186, 0x4300c0))[..70];

        var (accesses, stats) = ReadAll(text);

        Assert.AreEqual(1, accesses.Count);
        Assert.AreEqual(2L, stats.TruncatedFinalLine);
        Assert.AreEqual(1, stats.Unparsable);
        Assert.AreEqual(2L, stats.Problems[0].Line);
    }

    [TestMethod]
    public void Unparsable_lines_are_counted_with_their_numbers_and_nothing_stops()
    {
        string text = "hello world\n"
            + Ftrace("perf", 1, 0, "d..1.", 1_000_000, "write_msr", "zz, value 0") + "\n"
            + Ftrace("perf", 1, 0, "d..1.", 1_000_000, "kvm_msr", "msr_frob 38f = 0x1") + "\n"
            + Ftrace("perf", 1, 0, "d..1.", 1_000_000, "write_msr", "38f, value 1 extra") + "\n"
            + Ftrace("perf", 1, 0, "d..1.", 2_000_000, "write_msr", MsrPayload(0x38f, 1)) + "\n"
            + "CPU:2 [LOST 345 EVENTS]\n"
            + "CPU:1 [12 EVENTS DROPPED]\n";

        var (accesses, stats) = ReadAll(text);

        Assert.AreEqual(1, accesses.Count);
        Assert.AreEqual(4, stats.Unparsable);
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4 }, stats.Problems.Select(p => p.Line).ToArray());
        Assert.AreEqual(2, stats.LostMarkers);
        Assert.AreEqual(357, stats.LostEvents);
    }

    [TestMethod]
    public void Interleaved_cpus_and_time_going_back_are_counted_not_fatal()
    {
        // CPU 0 at t=3,1 (back in time on one CPU: out of order), CPU 1 at t=2 after CPU 0's t=3 (a cross-CPU reorder).
        string text = Ftrace("a", 1, 0, "d..1.", 3_000, "write_msr", MsrPayload(0x38f, 1)) + "\n"
            + Ftrace("b", 2, 1, "d..1.", 2_000, "write_msr", MsrPayload(0x38f, 2)) + "\n"
            + Ftrace("a", 1, 0, "d..1.", 1_000, "write_msr", MsrPayload(0x38f, 3)) + "\n";

        var (accesses, stats) = ReadAll(text);

        Assert.AreEqual(3, accesses.Count);
        Assert.AreEqual(1, stats.OutOfOrder);
        Assert.AreEqual(1, stats.CrossCpuReorders);
    }

    [TestMethod]
    public void Other_events_are_skipped_and_counted_by_name()
    {
        string text = Ftrace("qemu", 5, 0, "d..1.", 1_000, "kvm_exit", "reason MSR_WRITE rip 0xffffffff81070c94 info 0 0") + "\n"
            + Ftrace("qemu", 5, 0, "d..1.", 2_000, "kvm_msr", KvmPayload(true, 0x186, 0x4300c0)) + "\n"
            + Ftrace("qemu", 5, 0, "d..1.", 3_000, "kvm_entry", "vcpu 0, rip 0xffffffff81070c96") + "\n"
            + Ftrace("qemu", 5, 0, "d..1.", 4_000, "kvm_exit", "reason HLT rip 0xffffffff81a3c5e4 info 0 0") + "\n";

        var (accesses, stats) = ReadAll(text);

        Assert.AreEqual(1, accesses.Count);
        Assert.AreEqual(3, stats.OtherEvents);
        Assert.AreEqual(2L, stats.OtherEventsByName["kvm_exit"]);
        Assert.AreEqual(1L, stats.OtherEventsByName["kvm_entry"]);
    }

    [TestMethod]
    public void An_overlong_line_is_cut_and_reported_and_the_next_line_reads()
    {
        string text = new string('x', TraceLineReader.MaxLineLength * 3) + "\n"
            + Ftrace("perf", 1, 0, "d..1.", 2_000_000, "write_msr", MsrPayload(0x38f, 1)) + "\n";

        var (accesses, stats) = ReadAll(text);

        Assert.AreEqual(1, accesses.Count);
        Assert.AreEqual(2L, accesses[0].Line);
        Assert.AreEqual(1, stats.Unparsable);
    }

    [TestMethod]
    public void Reading_in_small_chunks_gives_the_same_accesses()
    {
        var sb = new StringBuilder(FtraceHeader);
        for (int i = 0; i < 500; i++)
        {
            sb.Append(Ftrace("perf", 1, i % 3, "d..1.", (ulong)i * 1000, "write_msr", MsrPayload(0xc1, (ulong)i))).Append(i % 2 == 0 ? "\r\n" : "\n");
        }

        var whole = ReadAll(sb.ToString()).Accesses;
        using var reader = new TraceReader(new TrickleReader(sb.ToString(), 7));
        var pieces = new List<TraceAccess>();
        while (reader.TryRead(out var a))
        {
            pieces.Add(a);
        }

        Assert.AreEqual(500, whole.Count);
        CollectionAssert.AreEqual(whole, pieces);
    }

    [TestMethod]
    public void Any_text_reads_without_an_exception()
    {
        var valid = Ftrace("perf", 1, 0, "d..1.", 2_000_000, "write_msr", MsrPayload(0x38f, 1));
        Gen.OneOf(Gen.String, Gen.Char.Array[0, 400].Select(c => new string(c)), Gen.Int[0, valid.Length].Select(n => valid[..n] + "\n" + valid[n..]))
            .Sample(text =>
            {
                var (accesses, stats) = ReadAll(text);
                return stats.Lines >= accesses.Count && stats.Unparsable >= 0;
            }, iter: 2000);
    }

    /// <summary>A reader that returns at most a few characters per call, to cross every buffer boundary.</summary>
    private sealed class TrickleReader(string text, int chunk) : TextReader
    {
        private int _pos;

        public override int Read(char[] buffer, int index, int count)
        {
            int n = Math.Min(Math.Min(count, chunk), text.Length - _pos);
            text.CopyTo(_pos, buffer, index, n);
            _pos += n;
            return n;
        }
    }
}
