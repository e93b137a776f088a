using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Metrics;

/// <summary>
/// What a VM cost and how well its counters counted, since creation or the last reset: exits by
/// reason, physical accesses by register, perf calls, PMIs, #GPs, modeled cycles, and the guest's
/// count error against the workload's ground truth. Designs add their own through <see cref="Add"/>.
/// </summary>
public sealed partial class VmMetrics
{
    private readonly long[] _exitsByReason = new long[Enum.GetValues<ExitReason>().Length];
    private readonly SortedDictionary<string, long> _custom = new(StringComparer.Ordinal);
    // Cycles charged per cost primitive, indexed by CostPrimitive.Id; "charged" marks the primitives
    // charged at least once (a zero-cycle override still shows up in CostByPrimitive).
    private ulong[] _costById = new ulong[CostPrimitive.Count];
    private bool[] _charged = new bool[CostPrimitive.Count];

    public long Entries { get; private set; }
    public long Exits { get; private set; }
    public long FastpathExits { get; private set; }
    public long GuestFaults { get; private set; }
    public long Pmis { get; private set; }
    public long PerfCreates { get; private set; }
    public long PerfReleases { get; private set; }
    /// <summary>Pause/resume and period changes of existing perf events (no re-creation).</summary>
    public long PerfReprograms { get; private set; }
    public long PmuRequests { get; private set; }
    public ulong Cost { get; private set; }

    /// <summary>Guest events a counter should have counted (KVM's semantics, no contention) / did count.</summary>
    public ulong CountExpected { get; private set; }
    public ulong CountObserved { get; private set; }

    /// <summary>Physical accesses the host performed for this VM.</summary>
    public HardwareAccessCounters Hardware { get; } = new();

    public long ExitsBy(ExitReason reason) => _exitsByReason[(int)reason];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void CountExit(ExitReason reason, VmExitKind kind)
    {
        Exits = Increment(Exits);
        _exitsByReason[(int)reason] = Increment(_exitsByReason[(int)reason]);
        if (kind == VmExitKind.Fastpath)
        {
            FastpathExits = Increment(FastpathExits);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void CountEntry() => Entries = Increment(Entries);

    public void CountGuestFault() => GuestFaults = Increment(GuestFaults);

    public void CountPmi() => Pmis = Increment(Pmis);

    public void CountPerfCreate() => PerfCreates = Increment(PerfCreates);

    public void CountPerfRelease() => PerfReleases = Increment(PerfReleases);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void CountPerfReprogram() => PerfReprograms = Increment(PerfReprograms);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void CountPmuRequest() => PmuRequests = Increment(PmuRequests);

    /// <summary>value + 1, saturating at long.MaxValue (2^64 - 1 exits in closed form reach it).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static long Increment(long value) => value == long.MaxValue ? value : value + 1;

    /// <summary>Charges <paramref name="times"/> × the table's cycles of <paramref name="primitive"/> (by name).</summary>
    public void AddCost(CostTable table, string primitive, long times = 1)
    {
        if (times <= 0)
        {
            return;
        }

        // The name must be one the table knows (its indexer throws otherwise) before it gets an id.
        ulong unit = table[primitive];
        Charge(CostPrimitive.Of(primitive).Id, unit, times);
    }

    /// <summary>Charges <paramref name="times"/> × the table's cycles of <paramref name="primitive"/>: two array updates.</summary>
    public void AddCost(CostTable table, CostPrimitive primitive, long times = 1)
    {
        if (times <= 0)
        {
            return;
        }

        Charge(primitive.Id, table[primitive], times);
    }

    private void Charge(int id, ulong unit, long times)
    {
        if (id >= _costById.Length)
        {
            int size = Math.Max(CostPrimitive.Count, id + 1);
            Array.Resize(ref _costById, size);
            Array.Resize(ref _charged, size);
        }

        // Cost saturates at 2^64-1 instead of wrapping (a cost override near 2^63 times two exits is not 0).
        ulong cycles = SaturatingMultiply(unit, (ulong)times);
        Cost = SaturatingAdd(Cost, cycles);
        _costById[id] = SaturatingAdd(_costById[id], cycles);
        _charged[id] = true;
    }

    /// <summary>Cycles charged to one primitive so far (0 when never charged).</summary>
    public ulong CostOf(CostPrimitive primitive) => (uint)primitive.Id < (uint)_costById.Length ? _costById[primitive.Id] : 0;

    public void AddCounting(ulong expected, ulong observed)
    {
        CountExpected = SaturatingAdd(CountExpected, expected);
        CountObserved = SaturatingAdd(CountObserved, observed);
    }

    /// <summary>a + b, or 2^64-1 when the sum does not fit.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    /// <summary>a × b, or 2^64-1 when the product does not fit (the full 128-bit product: one multiply, no division).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ulong SaturatingMultiply(ulong a, ulong b)
    {
        ulong high = Math.BigMul(a, b, out ulong low);
        return high != 0 ? ulong.MaxValue : low;
    }

    /// <summary>A design's own metric (lower-case dotted name, e.g. <c>lbr.entries-lost</c>).</summary>
    public void Add(string name, long delta = 1)
    {
        long current = _custom.GetValueOrDefault(name);
        // Saturates at long.MaxValue rather than wrapping negative.
        _custom[name] = delta > 0 && current > long.MaxValue - delta ? long.MaxValue : current + delta;
    }

    /// <summary>Cycles by primitive name, in ordinal name order, for every primitive charged so far (built on each call: for reports).</summary>
    public IReadOnlyDictionary<string, ulong> CostByPrimitive
    {
        get
        {
            var result = new SortedDictionary<string, ulong>(StringComparer.Ordinal);
            for (int id = 0; id < _charged.Length; id++)
            {
                if (_charged[id])
                {
                    result[CostPrimitive.NameOf(id)] = _costById[id];
                }
            }

            return result;
        }
    }

    /// <summary>The value of a metric by its scenario name; false when the name is unknown.</summary>
    public bool TryGet(string name, out ulong value)
    {
        long? v = name switch
        {
            "entries" => Entries,
            "exits" => Exits,
            "exits.msr" => ExitsBy(ExitReason.MsrRead) + ExitsBy(ExitReason.MsrWrite),
            "exits.msr-read" => ExitsBy(ExitReason.MsrRead),
            "exits.msr-write" => ExitsBy(ExitReason.MsrWrite),
            "exits.rdpmc" => ExitsBy(ExitReason.Rdpmc),
            "exits.nmi" => ExitsBy(ExitReason.Nmi),
            "exits.irq" => ExitsBy(ExitReason.ExternalInterrupt),
            "exits.other" => ExitsBy(ExitReason.Other),
            "exits.fastpath" => FastpathExits,
            "gp" => GuestFaults,
            "pmis" => Pmis,
            "hw.msr-reads" => Hardware.MsrReads,
            "hw.msr-writes" => Hardware.MsrWrites,
            "hw.rdpmc" => Hardware.Rdpmcs,
            "perf.creates" => PerfCreates,
            "perf.releases" => PerfReleases,
            "perf.reprograms" => PerfReprograms,
            "pmu.requests" => PmuRequests,
            "count.expected" => (long)CountExpected,
            "count.observed" => (long)CountObserved,
            "count.lost" => (long)(CountExpected > CountObserved ? CountExpected - CountObserved : 0),
            "count.error-ppm" => (long)ErrorPpm,
            _ => null,
        };
        if (v is long known)
        {
            value = (ulong)known;
            return true;
        }

        if (name == "cost")
        {
            value = Cost;
            return true;
        }

        if (name.StartsWith("cost.", StringComparison.Ordinal))
        {
            value = CostPrimitive.TryFind(name["cost.".Length..], out var primitive) ? CostOf(primitive) : 0;
            return true;
        }

        if (TryRegisterMetric(name, out value))
        {
            return true;
        }

        if (_custom.TryGetValue(name, out long custom))
        {
            value = (ulong)custom;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Whether a name is a metric whatever its current value (custom metrics once seen).</summary>
    public bool Knows(string name) => TryGet(name, out _) || name.StartsWith("lbr.", StringComparison.Ordinal) || name.StartsWith("mediated.", StringComparison.Ordinal);

    /// <summary>|expected - observed| / expected in parts per million.</summary>
    public ulong ErrorPpm
    {
        get
        {
            if (CountExpected == 0)
            {
                return 0;
            }

            ulong diff = CountExpected > CountObserved ? CountExpected - CountObserved : CountObserved - CountExpected;
            return (ulong)((UInt128)diff * 1_000_000 / CountExpected);
        }
    }

    /// <summary>Every non-zero metric, for reports.</summary>
    public IReadOnlyList<KeyValuePair<string, ulong>> Snapshot()
    {
        var names = new[]
        {
            "entries", "exits", "exits.msr", "exits.rdpmc", "exits.nmi", "exits.irq", "exits.other", "gp", "pmis",
            "hw.msr-reads", "hw.msr-writes", "hw.rdpmc", "perf.creates", "perf.releases", "perf.reprograms", "pmu.requests",
            "count.expected", "count.observed", "count.error-ppm", "cost",
        };
        var result = new List<KeyValuePair<string, ulong>>();
        foreach (var name in names.Concat(_custom.Keys))
        {
            if (TryGet(name, out ulong value))
            {
                result.Add(new(name, value));
            }
        }

        return result;
    }

    public void Reset()
    {
        Array.Clear(_exitsByReason);
        _custom.Clear();
        Array.Clear(_costById);
        Array.Clear(_charged);
        Entries = Exits = FastpathExits = GuestFaults = Pmis = PerfCreates = PerfReleases = PerfReprograms = PmuRequests = 0;
        Cost = 0;
        CountExpected = CountObserved = 0;
        Hardware.Reset();
    }

    /// <summary><c>hw.reads.NAME</c> / <c>hw.writes.NAME</c>: physical accesses to one register instance.</summary>
    private bool TryRegisterMetric(string name, out ulong value)
    {
        value = 0;
        bool reads = name.StartsWith("hw.reads.", StringComparison.Ordinal);
        bool writes = name.StartsWith("hw.writes.", StringComparison.Ordinal);
        if (!reads && !writes)
        {
            return false;
        }

        string register = name[(reads ? "hw.reads." : "hw.writes.").Length..].ToUpperInvariant();
        if (!MsrCatalog.TryFindByName(register, MsrProfile.All, out var reg))
        {
            return false;
        }

        value = (ulong)(reads ? Hardware.ReadsOf(reg) : Hardware.WritesOf(reg));
        return true;
    }
}
