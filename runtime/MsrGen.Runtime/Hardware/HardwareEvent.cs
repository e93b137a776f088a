using System;
using MsrGen.Registers;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Hardware;

/// <summary>
/// Hardware event encodings in event-select layout (event select 7:0, umask 15:8, AMD high event
/// nibble 35:32). The workload, the physical counters and perf all speak this one encoding.
/// </summary>
public static class HardwareEvent
{
    /// <summary>Bits of an event select that name the event (event, umask, AMD event[11:8]).</summary>
    public const ulong IdentityMask = 0xF_0000_FFFFUL;

    /// <summary>TOPDOWN.SLOTS (0xA4/0x01), counted by IA32_FIXED_CTR3.</summary>
    public const ulong TopdownSlots = 0x01A4;
    public const ulong TopdownRetiring = 0x02C2;
    public const ulong TopdownBadSpeculation = 0x0073;
    public const ulong TopdownFrontendBound = 0x019C;
    public const ulong TopdownBackendBound = 0x02A4;

    /// <summary>
    /// UnHalted Reference Cycles as an architectural event (0x3C / umask 0x01, SDM Vol. 3B 20.2.1.2):
    /// programmable on any GP counter; fixed counter 2 counts the same reference cycles.
    /// </summary>
    public const ulong RefCycles = 0x013C;

    /// <summary>
    /// perf's encoding of PERF_COUNT_HW_REF_CPU_CYCLES on Intel (intel_perfmon_event_map, event 0x00
    /// umask 0x03, a pseudo-encoding): it fits only fixed counter 2. KVM asks perf for it to back a
    /// guest's fixed counter 2 (intel_get_fixed_pmc_eventsel uses perf_get_hw_event_config).
    /// </summary>
    public const ulong PerfRefCycles = 0x0300;

    /// <summary>Marks a named event that the vendor does not define: it matches no counter.</summary>
    public const ulong Undefined = ulong.MaxValue;

    public static ulong Encode(EventSpec spec, CpuVendor vendor)
    {
        if (spec.IsRaw)
        {
            return spec.EventSelectBits;
        }

        if (vendor == CpuVendor.Amd)
        {
            return EventSpec.TryGetAmdEncoding(spec.Kind, out byte amd) ? amd : Undefined;
        }

        return EventSpec.TryGetIntelEncoding(spec.Kind, out byte select, out byte umask) ? ((ulong)umask << 8) | select : Undefined;
    }

    public static ulong Encode(EventKind kind, CpuVendor vendor)
    {
        // Every exit that retires or emulates an instruction asks for this; the answers are fixed, so read them from a table.
        int slot = (int)vendor * KindCount + (int)kind;
        return (uint)kind < KindCount && (uint)slot < (uint)NamedEncodings.Length ? NamedEncodings[slot] : Encode(EventSpec.Named(kind), vendor);
    }

    private static readonly int KindCount = Enum.GetValues<EventKind>().Length;

    /// <summary><see cref="Encode(EventSpec, CpuVendor)"/> of each named event, Intel's first, then AMD's.</summary>
    private static readonly ulong[] NamedEncodings = BuildNamedEncodings();

    private static ulong[] BuildNamedEncodings()
    {
        var vendors = new[] { CpuVendor.Intel, CpuVendor.Amd };
        var table = new ulong[vendors.Length * KindCount];
        foreach (var vendor in vendors)
        {
            for (int kind = 0; kind < KindCount; kind++)
            {
                table[(int)vendor * KindCount + kind] = Encode(EventSpec.Named((EventKind)kind), vendor);
            }
        }

        return table;
    }

    /// <summary>
    /// The event an Intel fixed counter counts (SDM Vol. 3B 20.2.2): 0 instructions, 1 core cycles,
    /// 2 reference cycles, 3 TOPDOWN.SLOTS.
    /// </summary>
    public static ulong FixedCounterEvent(int index) => index switch
    {
        0 => 0x00C0,
        1 => 0x003C,
        2 => RefCycles,
        3 => TopdownSlots,
        _ => Undefined,
    };

    /// <summary>
    /// The event select KVM gives a guest fixed counter and asks perf for (intel_get_fixed_pmc_eventsel:
    /// PERF_COUNT_HW_INSTRUCTIONS, _CPU_CYCLES, _REF_CPU_CYCLES through perf_get_hw_event_config), so
    /// fixed counter 2 is backed by perf's reference-cycles encoding, which only fixed counter 2 takes.
    /// </summary>
    public static ulong KvmFixedEventSelect(int index) => index == 2 ? PerfRefCycles : FixedCounterEvent(index);

    /// <summary>
    /// The fixed counter perf may place <paramref name="encoding"/> on, or -1 (the fixed-counter
    /// constraints: instructions, core cycles, perf's reference-cycles encoding, TOPDOWN.SLOTS).
    /// </summary>
    public static int FixedCounterFor(ulong encoding)
    {
        ulong identity = encoding & IdentityMask;
        for (int i = 0; i < 4; i++)
        {
            if (KvmFixedEventSelect(i) == identity)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Events perf can place only on their fixed counter (reference cycles and TOPDOWN.SLOTS).</summary>
    public static bool IsFixedOnly(ulong encoding)
    {
        ulong identity = encoding & IdentityMask;
        return identity == PerfRefCycles || identity == TopdownSlots;
    }

    /// <summary>
    /// What a host perf event asks for: as <see cref="Encode(EventSpec, CpuVendor)"/>, except that a
    /// named <c>ref-cycles</c> on Intel is perf's generic hardware event (PERF_COUNT_HW_REF_CPU_CYCLES),
    /// i.e. its fixed-counter-2 encoding. A raw event stays as written.
    /// </summary>
    public static ulong EncodeForPerf(EventSpec spec, CpuVendor vendor)
    {
        ulong encoding = Encode(spec, vendor);
        return !spec.IsRaw && vendor == CpuVendor.Intel && encoding == RefCycles ? PerfRefCycles : encoding;
    }

    /// <summary>
    /// Whether a counter that counts <paramref name="wanted"/> (perf's view) counts the hardware
    /// event <paramref name="retired"/>: perf's reference-cycles encoding counts reference cycles.
    /// </summary>
    public static bool Counts(ulong wanted, ulong retired) => wanted == retired || (wanted == PerfRefCycles && retired == RefCycles);

    /// <summary>
    /// How many counts a general-purpose counter programmed with <paramref name="eventSelect"/> gains
    /// over steps [<paramref name="from"/>, <paramref name="to"/>) of a stretch: the matching events,
    /// or, with a non-zero CMASK (bits 31:24, same place on Intel and AMD), cycles. The model, for
    /// what kvm-unit-tests check_gp_counter_cmask can observe: the stretch spreads each event evenly
    /// over its cycles, so every cycle retires q = N / C or q + 1 events (the first k cycles retire
    /// floor(N·k / C)). A counter with CMASK = c counts the cycles that retire at least c events; with
    /// INV (bit 23) those that retire fewer than c; with EDGE (bit 18) the starts of runs of such
    /// cycles (no two cycles of the rarer kind are adjacent, which makes the runs countable in closed
    /// form). A stretch without cycles gives a CMASK counter nothing. With CMASK 0, INV and EDGE are
    /// not evaluated (the counter counts events).
    /// </summary>
    public static ulong GpCount(ulong eventSelect, CpuVendor vendor, EventBatch batch, ulong from, ulong to)
    {
        ulong wanted = FromEventSelect(eventSelect, vendor);
        ulong total = 0;
        for (int e = 0; e < batch.Count; e++)
        {
            if (Counts(wanted, batch.EventAt(e)))
            {
                total += batch.CountAt(e);
            }
        }

        uint cmask = (uint)(eventSelect >> 24) & 0xFF;
        if (cmask == 0)
        {
            return EventBatch.Portion(total, to, batch.Steps) - EventBatch.Portion(total, from, batch.Steps);
        }

        bool invert = (eventSelect & (1UL << 23)) != 0;
        bool edge = (eventSelect & (1UL << 18)) != 0;
        return ThresholdCount(total, batch.Cycles, batch.CyclesAt(to), cmask, invert, edge)
             - ThresholdCount(total, batch.Cycles, batch.CyclesAt(from), cmask, invert, edge);
    }

    /// <summary>The CMASK model's count after the first <paramref name="elapsed"/> of <paramref name="cycles"/> cycles (see <see cref="GpCount"/>).</summary>
    public static ulong ThresholdCount(ulong events, ulong cycles, ulong elapsed, uint cmask, bool invert, bool edge)
    {
        if (cycles == 0 || elapsed == 0)
        {
            return 0;
        }

        ulong perCycle = events / cycles;
        ulong remainder = events % cycles;

        // Busier(k): how many of the first k cycles retire perCycle + 1 events.
        ulong Busier(ulong k) => (ulong)((UInt128)events * k / cycles) - perCycle * k;
        bool Qualifies(ulong count) => invert ? count < cmask : count >= cmask;
        bool busierCount = Qualifies(perCycle + 1), plainCount = Qualifies(perCycle);
        ulong busier = Busier(elapsed);
        if (!edge)
        {
            return (busierCount ? busier : 0) + (plainCount ? elapsed - busier : 0);
        }

        if (busierCount == plainCount)
        {
            return busierCount ? 1UL : 0UL;
        }

        // Runs of the qualifying kind. The rarer kind's cycles are isolated: if it is the qualifying
        // one, each of its cycles is a run; otherwise every non-qualifying cycle before the last
        // starts a run after it, plus one if the first cycle qualifies.
        bool busierIsolated = 2 * (UInt128)remainder <= cycles;
        bool firstIsBusier = Busier(1) == 1;
        if (busierCount)
        {
            return busierIsolated ? busier : (elapsed - 1 - Busier(elapsed - 1)) + (firstIsBusier ? 1UL : 0UL);
        }

        return !busierIsolated ? elapsed - busier : Busier(elapsed - 1) + (firstIsBusier ? 0UL : 1UL);
    }

    /// <summary>The event an event-select value asks for.</summary>
    public static ulong FromEventSelect(ulong eventSelect, CpuVendor vendor) =>
        vendor == CpuVendor.Amd ? eventSelect & IdentityMask : eventSelect & 0xFFFFUL;
}
