using System;
using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Traces;

/// <summary>
/// Turns the gaps between one CPU's accesses into guest execution: cycles from the trace's
/// timestamps at the current rate, instructions at the current IPC, both corrected by what the
/// trace's own counter values reveal. A counter counting instructions (or cycles) whose value is
/// known at one point (a write, or a read) and read again while it kept counting the same event
/// tells exactly how many ran in between: a shortfall of the replay over the interval is topped up
/// in the current gap, and the rate over the interval becomes the rate for the gaps that follow
/// (the first such interval of each quantity calibrates; later ones are measurements, see
/// <see cref="TraceStep.Revealed"/>). Counters stopped by the guest (perf's PMI
/// handler disables GLOBAL_CTRL before it reads) keep their counting interval until the read; such
/// a read only corrects the rate and any overshoot (the interval is over, so a top-up would land
/// where the counter no longer counts). The
/// state is per vCPU and per counter: constant in the trace's length.
/// </summary>
public sealed class TraceTimeline
{
    private readonly TraceRates _rates;
    private readonly PmuCaps _caps;
    private readonly Dictionary<int, int> _vcpuOf = new();
    private readonly List<VcpuState> _vcpus = new();
    private readonly ulong _gpMask;
    private readonly ulong _fixedMask;
    private readonly ulong _intelInstructions, _intelCycles, _amdInstructions, _amdCycles;

    public TraceTimeline(PmuCaps guest, TraceRates? rates = null, int maxVcpus = 64)
    {
        _rates = rates ?? new TraceRates();
        _caps = guest;
        MaxVcpus = Math.Max(1, maxVcpus);
        _gpMask = guest.GpCounterMask;
        _fixedMask = guest.FixedWidth == 0 ? guest.GpCounterMask : guest.FixedCounterMask;
        _intelInstructions = HardwareEvent.Encode(EventKind.Instructions, CpuVendor.Intel);
        _intelCycles = HardwareEvent.Encode(EventKind.Cycles, CpuVendor.Intel);
        _amdInstructions = HardwareEvent.Encode(EventKind.Instructions, CpuVendor.Amd);
        _amdCycles = HardwareEvent.Encode(EventKind.Cycles, CpuVendor.Amd);
    }

    public int MaxVcpus { get; }

    /// <summary>vCPUs seen so far (traced CPUs, or vCPU threads for kvm_msr traces).</summary>
    public int VcpuCount => _vcpus.Count;

    /// <summary>Traced CPUs (or threads) beyond <see cref="MaxVcpus"/>, folded onto existing vCPUs.</summary>
    public int FoldedSources { get; private set; }

    /// <summary>Instructions or cycles revealed by counter values (reads that checked the estimate).</summary>
    public long Reveals { get; private set; }

    /// <summary>
    /// The vCPU an access belongs to: msr tracepoints are per CPU; kvm:kvm_msr runs on the host, so
    /// its CPU column is a host CPU and the vCPU thread (the pid) identifies the vCPU.
    /// </summary>
    public static int SourceKey(in TraceAccess access) =>
        access.Source == TraceEventSource.KvmMsr && access.Pid >= 0 ? access.Pid + (1 << 16) : access.Cpu;

    /// <summary>The step for <paramref name="access"/>: its vCPU and the execution since that vCPU's previous access.</summary>
    public TraceStep Next(in TraceAccess access)
    {
        int key = SourceKey(access);
        if (!_vcpuOf.TryGetValue(key, out int v))
        {
            if (_vcpus.Count < MaxVcpus)
            {
                v = _vcpus.Count;
                _vcpus.Add(new VcpuState(_rates, _caps));
            }
            else
            {
                v = _vcpuOf.Count % MaxVcpus;
                FoldedSources++;
            }

            _vcpuOf[key] = v;
        }

        var s = _vcpus[v];
        ulong gapNs = 0;
        if (s.Started && access.Timestamp > s.LastTimestamp)
        {
            ulong ticks = access.Timestamp - s.LastTimestamp;
            gapNs = access.RawClock ? (ulong)(ticks * _rates.CyclesPerRawTick / _rates.CyclesPerNanosecond) : ticks;
        }

        s.Started = true;
        s.LastTimestamp = Math.Max(s.LastTimestamp, access.Timestamp);
        ulong runNs = Math.Min(gapNs, _rates.MaxRunNanoseconds);
        ulong idleNs = gapNs - runNs;
        ulong cycles = s.Cycles.Take(runNs);
        ulong instructions = s.Instructions.Take(runNs);

        // A read of a counter can reveal what ran since its value was last known: top up this gap.
        bool isCounter = CounterOf(access, out int counter, out bool fixedCounter) && !access.Faulted;
        bool revealed = false;
        ulong traceDelta = 0;
        if (isCounter && access.Kind != TraceAccessKind.Wrmsr)
        {
            ref var anchor = ref s.Anchor(counter, fixedCounter);
            var kind = anchor.Counting ? s.CountedKind(counter, fixedCounter, this) : anchor.Kind;
            if (anchor.Valid && kind != CountedKind.Other)
            {
                ulong mask = fixedCounter ? _fixedMask : _gpMask;
                ulong delta = (access.Value - anchor.Value) & mask;
                var channel = kind == CountedKind.Instructions ? s.Instructions : s.Cycles;
                ulong now = s.Time + runNs;
                ulong givenNow = channel.Given + (kind == CountedKind.Instructions ? instructions : cycles);
                ulong countingNs = anchor.CountedNs + (anchor.Counting ? now - anchor.SegmentStart : 0);
                ulong given = anchor.CountedGiven + (anchor.Counting ? givenNow - anchor.SegmentGiven : 0);

                // The first interval of a quantity ran at the default rate: it calibrates, it is not a measurement.
                revealed = anchor.Since >= channel.LearntAt;
                traceDelta = delta;
                channel.Learn(delta, countingNs, given, now, out ulong topUp);

                // A stopped counter's interval is over: execution added now would count nowhere it did.
                topUp = anchor.Counting ? topUp : 0;
                if (kind == CountedKind.Instructions)
                {
                    instructions += topUp;
                }
                else
                {
                    cycles += topUp;
                }

                Reveals++;
            }
        }

        s.Time += runNs + idleNs;
        s.Instructions.Given += instructions;
        s.Cycles.Given += cycles;
        ulong idleCycles = (ulong)(idleNs * _rates.CyclesPerNanosecond);
        s.Observe(access, this);
        return isCounter
            ? new TraceStep(v, cycles, instructions, idleCycles, access, counter, fixedCounter, revealed, traceDelta)
            : new TraceStep(v, cycles, instructions, idleCycles, access);
    }

    /// <summary>The counter an access reads or writes (GP index, or fixed index with <paramref name="fixedCounter"/>).</summary>
    internal static bool CounterOf(in TraceAccess access, out int counter, out bool fixedCounter)
    {
        counter = -1;
        fixedCounter = false;
        if (access.Kind == TraceAccessKind.Rdpmc)
        {
            uint type = access.Index & 0xFFFF_0000;
            counter = (int)(access.Index & 0xFFFF);
            fixedCounter = type == PhysicalPmu.RdpmcFixed;
            return (type == 0 || fixedCounter) && counter < 32;
        }

        if (!MsrCatalog.TryFind(access.Index, MsrProfile.Upstream, out var register))
        {
            return false;
        }

        counter = register.Index;
        switch (register.Id)
        {
            case MsrId.Ia32Pmc or MsrId.Ia32APmc or MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr:
                return counter < 32;
            case MsrId.Ia32FixedCtr:
                fixedCounter = true;
                return counter < 32;
            default:
                return false;
        }
    }

    /// <summary>
    /// The counter value a write leaves: IA32_PMCn takes the low 32 bits sign-extended (SDM Vol. 3B
    /// 20.2.6; full-width writes go through IA32_A_PMCn); other counters take the value as written.
    /// </summary>
    public static ulong WrittenCounterValue(in TraceAccess access)
    {
        bool legacyPmc = access.Kind == TraceAccessKind.Wrmsr && MsrCatalog.TryFind(access.Index, MsrProfile.Upstream, out var register) && register.Id == MsrId.Ia32Pmc;
        return legacyPmc ? (ulong)(long)(int)(uint)access.Value : access.Value;
    }

    internal CountedKind KindOf(ulong select, bool amd)
    {
        ulong id = HardwareEvent.FromEventSelect(select, amd ? CpuVendor.Amd : CpuVendor.Intel);
        return id == (amd ? _amdInstructions : _intelInstructions) ? CountedKind.Instructions
            : id == (amd ? _amdCycles : _intelCycles) ? CountedKind.Cycles
            : CountedKind.Other;
    }

    internal enum CountedKind : byte
    {
        Other,
        Instructions,
        Cycles,
    }

    /// <summary>
    /// A counter's last known value and, since then, how long it counted and what the replay gave
    /// while it did (closed segments, plus the open one while <see cref="Counting"/>).
    /// </summary>
    internal struct Anchor
    {
        public bool Valid;
        public ulong Value;
        public ulong Since;
        public bool Counting;
        public CountedKind Kind;
        public ulong SegmentStart;
        public ulong SegmentGiven;
        public ulong CountedNs;
        public ulong CountedGiven;
    }

    /// <summary>One quantity (instructions or cycles) of one vCPU: its rate, what was given, and since when the rate is learnt.</summary>
    internal sealed class Channel(double perNanosecond)
    {
        private double _perNanosecond = perNanosecond;
        private double _carry;

        public ulong Given;

        /// <summary>Trace time (ns) at which a counter first revealed this quantity; ulong.MaxValue until then.</summary>
        public ulong LearntAt = ulong.MaxValue;

        public ulong Take(ulong nanoseconds)
        {
            double exact = nanoseconds * _perNanosecond + _carry;
            ulong whole = (ulong)Math.Min(exact, 1e18);
            _carry = exact - whole;
            return whole;
        }

        /// <summary>The interval ran <paramref name="actual"/> while <paramref name="given"/> was replayed: the shortfall, and the new rate.</summary>
        public void Learn(ulong actual, ulong nanoseconds, ulong given, ulong now, out ulong topUp)
        {
            topUp = actual > given ? actual - given : 0;
            if (nanoseconds > 0)
            {
                _perNanosecond = (double)actual / nanoseconds;
                LearntAt = Math.Min(LearntAt, now);
            }
        }
    }

    private sealed class VcpuState
    {
        private readonly Anchor[] _gp = new Anchor[32];
        private readonly Anchor[] _fixed = new Anchor[32];
        private readonly ulong[] _select = new ulong[32];
        private readonly bool[] _amdSelect = new bool[32];
        private ulong _fixedCtrl;
        private ulong _globalCtrl;
        private bool _globalSeen;

        public VcpuState(TraceRates rates, PmuCaps caps)
        {
            Cycles = new Channel(rates.CyclesPerNanosecond);
            Instructions = new Channel(rates.CyclesPerNanosecond * rates.InstructionsPerCycle);
            Caps = caps;
        }

        public PmuCaps Caps { get; }
        public bool Started;
        public ulong LastTimestamp;
        public ulong Time;
        public Channel Cycles { get; }
        public Channel Instructions { get; }

        public ref Anchor Anchor(int counter, bool fixedCounter) => ref (fixedCounter ? _fixed : _gp)[counter];

        public CountedKind CountedKind(int counter, bool fixedCounter, TraceTimeline timeline)
        {
            if (!Enabled(counter, fixedCounter))
            {
                return TraceTimeline.CountedKind.Other;
            }

            if (fixedCounter)
            {
                return counter switch
                {
                    0 => TraceTimeline.CountedKind.Instructions,
                    1 => TraceTimeline.CountedKind.Cycles,
                    _ => TraceTimeline.CountedKind.Other,
                };
            }

            return timeline.KindOf(_select[counter], _amdSelect[counter]);
        }

        /// <summary>Counting now: the select's (or fixed field's) enable, and GLOBAL_CTRL's bit once the trace has written it.</summary>
        private bool Enabled(int counter, bool fixedCounter)
        {
            bool local = fixedCounter ? ((_fixedCtrl >> (4 * counter)) & 0x3) != 0 : (_select[counter] & (1UL << 22)) != 0;
            int bit = fixedCounter ? 32 + counter : counter;
            return local && (!_globalSeen || bit >= 64 || (_globalCtrl & (1UL << bit)) != 0);
        }

        /// <summary>Follows the trace's programming after an access (the step's execution already counted).</summary>
        public void Observe(in TraceAccess access, TraceTimeline timeline)
        {
            if (access.Faulted)
            {
                return;
            }

            if (CounterOf(access, out int counter, out bool fixedCounter))
            {
                // A write or a read pins the value down now.
                ref var anchor = ref Anchor(counter, fixedCounter);
                var kind = CountedKind(counter, fixedCounter, timeline);
                anchor = new Anchor
                {
                    Valid = true, Value = WrittenCounterValue(access), Since = Time, Counting = kind != TraceTimeline.CountedKind.Other && Enabled(counter, fixedCounter),
                    Kind = kind, SegmentStart = Time, SegmentGiven = GivenFor(counter, fixedCounter, timeline),
                };
                return;
            }

            if (access.Kind != TraceAccessKind.Wrmsr || !MsrCatalog.TryFind(access.Index, MsrProfile.Upstream, out var register))
            {
                return;
            }

            // Programming changes: remember which counters counted before, apply, compare.
            Span<bool> gpBefore = stackalloc bool[32];
            Span<bool> fixedBefore = stackalloc bool[32];
            for (int i = 0; i < 32; i++)
            {
                gpBefore[i] = Enabled(i, false);
                fixedBefore[i] = Enabled(i, true);
            }

            Span<ulong> selectsBefore = stackalloc ulong[32];
            _select.CopyTo(selectsBefore);
            switch (register.Id)
            {
                case MsrId.Ia32Perfevtsel or MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl when register.Index < 32:
                    _select[register.Index] = access.Value;
                    _amdSelect[register.Index] = register.Id != MsrId.Ia32Perfevtsel;
                    break;
                case MsrId.Ia32FixedCtrCtrl:
                    _fixedCtrl = access.Value;
                    break;
                case MsrId.Ia32PerfGlobalCtrl or MsrId.MsrAmd64PerfCntrGlobalCtl:
                    _globalCtrl = access.Value;
                    _globalSeen = true;
                    break;
                default:
                    return;
            }

            for (int i = 0; i < 32; i++)
            {
                var fixedKind = i == 0 ? TraceTimeline.CountedKind.Instructions : i == 1 ? TraceTimeline.CountedKind.Cycles : TraceTimeline.CountedKind.Other;
                Transition(ref _gp[i], gpBefore[i], Enabled(i, false), (selectsBefore[i] & HardwareEvent.IdentityMask) != (_select[i] & HardwareEvent.IdentityMask),
                    GivenFor(i, false, timeline), timeline.KindOf(selectsBefore[i], _amdSelect[i]), timeline.KindOf(_select[i], _amdSelect[i]));
                Transition(ref _fixed[i], fixedBefore[i], Enabled(i, true), false, GivenFor(i, true, timeline), fixedKind, fixedKind);
            }
        }

        /// <summary>
        /// Stopped counters hold their value: starting one opens a counting segment, stopping one
        /// closes it (the counted time and execution add up until a read reveals the value);
        /// switching a running counter to another event forgets its value.
        /// </summary>
        private void Transition(ref Anchor anchor, bool before, bool after, bool eventChanged, ulong given, CountedKind kindBefore, CountedKind kindAfter)
        {
            if (!anchor.Valid || (before == after && !eventChanged))
            {
                return;
            }

            if (eventChanged && before)
            {
                anchor.Valid = false;
            }
            else if (!before && after)
            {
                anchor.Counting = true;
                anchor.Kind = kindAfter;
                anchor.SegmentStart = Time;
                anchor.SegmentGiven = given;
            }
            else if (before && !after)
            {
                anchor.Counting = false;
                anchor.Kind = kindBefore;
                anchor.CountedNs += Time - anchor.SegmentStart;
                anchor.CountedGiven += given - anchor.SegmentGiven;
            }
        }

        /// <summary>What the replay had given the channel the counter's event belongs to (enabled or not).</summary>
        private ulong GivenFor(int counter, bool fixedCounter, TraceTimeline timeline)
        {
            bool cycles = fixedCounter ? counter == 1 : timeline.KindOf(_select[counter], _amdSelect[counter]) == TraceTimeline.CountedKind.Cycles;
            return cycles ? Cycles.Given : Instructions.Given;
        }
    }
}
