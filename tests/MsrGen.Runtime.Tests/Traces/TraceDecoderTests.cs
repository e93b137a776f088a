using System.IO;
using System.Linq;
using MsrGen.Registers;
using MsrGen.Runtime.Traces;
using static MsrGen.Runtime.Tests.Traces.TraceText;

namespace MsrGen.Runtime.Tests.Traces;

[TestClass]
public sealed class TraceDecoderTests
{
    private static TraceDecoder Decoder(string preset = "skylake-server", params string[] guest)
    {
        var g = TraceGuest.Create(preset, guest, out string? error);
        Assert.IsNotNull(g, error);
        return new TraceDecoder(g);
    }

    private static TraceAccess Access(TraceAccessKind kind, uint index, ulong value, int cpu = 0, bool faulted = false) =>
        new(1, 0, false, cpu, 1, kind, index, value, faulted, TraceEventSource.MsrTracepoint, TraceTextFormat.Ftrace);

    private static DecodedAccess Decode(TraceDecoder decoder, TraceAccessKind kind, uint index, ulong value, int cpu = 0, bool faulted = false)
    {
        Assert.IsTrue(decoder.TryDecode(Access(kind, index, value, cpu, faulted), out var d));
        return d;
    }

    [TestMethod]
    // SDM Vol. 3B table 20-1 (architectural events): 0xC0/0x00 instructions retired, 0x3C/0x00 core cycles,
    // 0x3C/0x01 reference cycles, 0xC4 branches, 0xC5 branch misses, 0x2E/0x4F LLC references.
    [DataRow(0x4300c0UL, "instructions")]
    [DataRow(0x43003cUL, "cycles")]
    [DataRow(0x43013cUL, "ref-cycles")]
    [DataRow(0x5300c4UL, "branches")]
    [DataRow(0x4300c5UL, "branch-misses")]
    [DataRow(0x434f2eUL, "llc-references")]
    public void Intel_event_selects_are_named(ulong select, string name)
    {
        var d = Decode(Decoder(), TraceAccessKind.Wrmsr, 0x186, select);

        Assert.AreEqual(new MsrRef(MsrId.Ia32Perfevtsel, 0), d.Register);
        Assert.AreEqual(name, d.EventName);
        Assert.AreEqual(TraceAccessFlags.None, d.Flags);
    }

    [TestMethod]
    public void Amd_event_selects_are_named_and_reserved_bits_are_dropped_not_faulted()
    {
        var decoder = Decoder("zen4");
        // AMD PPR: event 0x76 is cycles not in halt, 0xC0 retired instructions; PERF_CTL bits 63:42 are reserved.
        var cycles = Decode(decoder, TraceAccessKind.Wrmsr, 0xc0010200, 0x430076);
        var reserved = Decode(decoder, TraceAccessKind.Wrmsr, 0xc0010202, (1UL << 50) | 0x4300c0);

        Assert.AreEqual("cycles", cycles.EventName);
        Assert.AreEqual("instructions", reserved.EventName);
        Assert.AreEqual(TraceAccessFlags.ReservedBitsDropped, reserved.Flags);
        Assert.AreEqual(1UL << 50, reserved.OffendingBits);
        Assert.IsFalse(reserved.WouldFault);
    }

    [TestMethod]
    public void What_a_four_counter_version_two_vcpu_would_fault_on()
    {
        // skylake-server under the legacy vPMU: KVM offers PMU version 2, 4 GP and 3 fixed counters.
        var decoder = Decoder();

        var pastCount = Decode(decoder, TraceAccessKind.Wrmsr, 0x18d, 0x4300c0);           // IA32_PERFEVTSEL7
        var anyThread = Decode(decoder, TraceAccessKind.Wrmsr, 0x186, 0x6300c0);           // AnyThread (bit 21) needs version 3
        var rdpmcPast = Decode(decoder, TraceAccessKind.Rdpmc, 4, 0);                      // GP index 4 of 4
        var rdpmcFixed = Decode(decoder, TraceAccessKind.Rdpmc, (1u << 30) | 2, 0);         // fixed 2 of 3: fine
        var statusWrite = Decode(decoder, TraceAccessKind.Wrmsr, 0x38e, 0);                // GLOBAL_STATUS is read-only
        var failed = Decode(decoder, TraceAccessKind.Wrmsr, 0x38f, 0x7, faulted: true);

        Assert.AreEqual(TraceAccessFlags.CounterPastCount, pastCount.Flags);
        Assert.AreEqual(TraceAccessFlags.ReservedBitsFault, anyThread.Flags);
        Assert.AreEqual(1UL << 21, anyThread.OffendingBits);
        Assert.AreEqual(TraceAccessFlags.CounterPastCount, rdpmcPast.Flags);
        Assert.AreEqual(TraceAccessFlags.None, rdpmcFixed.Flags);
        Assert.AreEqual(new MsrRef(MsrId.Ia32FixedCtr, 2), rdpmcFixed.Register);
        Assert.IsTrue((statusWrite.Flags & TraceAccessFlags.ReadOnlyWrite) != 0);
        Assert.AreEqual(TraceAccessFlags.FailedInTrace, failed.Flags);
        Assert.IsTrue(new[] { pastCount, anyThread, rdpmcPast, statusWrite }.All(d => d.WouldFault));
        Assert.AreEqual(4, decoder.Summary.WouldFault);
        Assert.AreEqual(1, decoder.Summary.FailedInTrace);
    }

    [TestMethod]
    public void Guest_keys_change_the_counter_count()
    {
        var narrow = Decoder("skylake-server", "gp=2");

        Assert.AreEqual(TraceAccessFlags.CounterPastCount, Decode(narrow, TraceAccessKind.Wrmsr, 0x188, 0x4300c0).Flags);
        Assert.AreEqual(TraceAccessFlags.None, Decode(narrow, TraceAccessKind.Wrmsr, 0x187, 0x4300c0).Flags);
    }

    [TestMethod]
    public void A_reprogram_is_a_programming_write_that_changes_what_that_cpu_last_wrote()
    {
        var decoder = Decoder();
        // CPU 0: select 0 = instructions (1), again the same (no), cycles (2); GLOBAL_CTRL 1 (3), 1 (no);
        // CPU 1: select 0 = instructions (4). Counter writes never reprogram.
        Decode(decoder, TraceAccessKind.Wrmsr, 0x186, 0x4300c0, cpu: 0);
        Decode(decoder, TraceAccessKind.Wrmsr, 0x186, 0x4300c0, cpu: 0);
        Decode(decoder, TraceAccessKind.Wrmsr, 0x186, 0x43003c, cpu: 0);
        Decode(decoder, TraceAccessKind.Wrmsr, 0x38f, 0x1, cpu: 0);
        Decode(decoder, TraceAccessKind.Wrmsr, 0x38f, 0x1, cpu: 0);
        Decode(decoder, TraceAccessKind.Wrmsr, 0x186, 0x4300c0, cpu: 1);
        Decode(decoder, TraceAccessKind.Wrmsr, 0xc1, 0x1234, cpu: 1);

        Assert.AreEqual(4, decoder.Summary.Reprograms);
        Assert.AreEqual(5L, decoder.Summary.ByCpu[0]);
        Assert.AreEqual(2L, decoder.Summary.ByCpu[1]);
        Assert.AreEqual(4L, decoder.Summary.ByRegister[new MsrRef(MsrId.Ia32Perfevtsel, 0)][(int)TraceAccessKind.Wrmsr]);
    }

    [TestMethod]
    public void Msrs_outside_the_pmu_catalog_are_not_pmu_accesses()
    {
        var decoder = Decoder();

        Assert.IsFalse(decoder.TryDecode(Access(TraceAccessKind.Wrmsr, 0x6e0, 0x1234), out _)); // IA32_TSC_DEADLINE
        Assert.AreEqual(1, decoder.Summary.OtherMsrAccesses);
        Assert.AreEqual(0, decoder.Summary.PmuAccesses);
    }

    [TestMethod]
    public void A_decoded_line_shows_time_cpu_register_kernel_name_fields_and_event()
    {
        var decoder = Decoder();
        var access = new TraceAccess(1, 812_345_679_000, false, 3, 1, TraceAccessKind.Wrmsr, 0x186, 0x4300c0, false, TraceEventSource.MsrTracepoint, TraceTextFormat.Ftrace);
        Assert.IsTrue(decoder.TryDecode(access, out var d));
        var writer = new StringWriter();

        decoder.Write(writer, access, d);

        string line = writer.ToString();
        StringAssert.StartsWith(line, "812.345679000  cpu 3");
        StringAssert.Contains(line, "WRMSR 0x186 IA32_PERFEVTSEL0 (MSR_ARCH_PERFMON_EVENTSEL0) <- 0x4300c0");
        StringAssert.Contains(line, "EVENT_SELECT=0xC0");
        StringAssert.Contains(line, "[instructions]");
    }

    [TestMethod]
    public void Bad_guest_keys_and_presets_are_refused_with_a_message()
    {
        Assert.IsNull(TraceGuest.Create("pentium4", [], out string? e1));
        StringAssert.Contains(e1, "unknown CPU preset");
        Assert.IsNull(TraceGuest.Create("skylake-server", ["gp=many"], out string? e2));
        StringAssert.Contains(e2, "needs a number");
        Assert.IsNull(TraceGuest.Create("skylake-server", ["colour=blue"], out string? e3));
        StringAssert.Contains(e3, "KEY=VALUE");
    }

    [TestMethod]
    public void Decode_run_exits_2_only_when_no_pmu_access_was_found()
    {
        string none = Ftrace("a", 1, 0, "d..1.", 1_000, "sched_switch", "prev_comm=a") + "\n" + Ftrace("a", 1, 0, "d..1.", 2_000, "write_msr", MsrPayload(0x6e0, 5)) + "\n";
        string some = none + "garbage\n" + Ftrace("a", 1, 0, "d..1.", 3_000, "write_msr", MsrPayload(0x38f, 1)) + "\n";

        var (exitNone, _, errNone) = Run(none);
        var (exitSome, outSome, errSome) = Run(some);

        Assert.AreEqual(2, exitNone);
        StringAssert.Contains(errNone, "no PMU access");
        Assert.AreEqual(0, exitSome);
        StringAssert.Contains(outSome, "IA32_PERF_GLOBAL_CTRL");
        StringAssert.Contains(errSome, "line 3: not a trace event line");
    }

    private static (int Exit, string Output, string Errors) Run(string text)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        using var reader = new TraceReader(new StringReader(text));
        int exit = TraceDecodeRun.Run(reader, Decoder(), output, errors);
        return (exit, output.ToString(), errors.ToString());
    }
}
