using System;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Mediated;

/// <summary>
/// The run-loop switch replayed: an optimisation of the simulator, not a change to what it models.
///
/// With the default placement every slow exit runs kvm_mediated_pmu_put() and, before the next
/// VM-entry, kvm_mediated_pmu_load() (arch/x86/kvm/pmu.c), about 25 register operations each.
/// When host perf has no event on the CPU, nothing but the vCPU's own exit handling runs between
/// the two, and that handling works on the saved copies the put leaves, never on the hardware.
/// So the put's register moves are deferred: the values it saves are copied at once (without an
/// access), the LVTPC and perf's guest-context put happen as usual, and the PMU is told that
/// moves are pending. If anything touches the PMU before the load, the PMU first has the put
/// performed, with the vCPU's switch inputs as they were at the put, so it counts and stores
/// exactly what it would have at the exit. If nothing does, the load finds the put still pending
/// and replays the pair: what a put + load does is a function of a few inputs (the saved global
/// status, FIXED_CTR_CTRL, which counters and selects were non-zero at the put and the load, the
/// guest's status and GLOBAL_CTL at the load). The first time an input set is seen the pair is
/// performed access by access and its counts and the global registers it leaves are recorded;
/// after that the pair is applied at once: the same stores, the same counts per register and in
/// total, the same PmuAccess counts. Never while a switch trace records the order of accesses.
/// </summary>
public sealed partial class MediatedVpmu : IPendingPmuMoves
{
    /// <summary>A pending put and the inputs its decisions used (saved when it was deferred).</summary>
    private bool _putPending;
    private ulong _putStatus, _putFixedCtrlHw, _putHwFixedCtrl, _putGp, _putSelectMask, _putFixed;
    // Whose counts the put's accesses were going to (the vCPU's VM), should the PMU settle them from elsewhere.
    private HardwareAccessCounters? _putAttribution;

    /// <summary>The input sets last performed access by access, with what each pair counted and left (a few, reused in turn).</summary>
    private readonly SwitchRecording?[] _recordings = new SwitchRecording?[4];
    private int _nextRecording;

    private sealed record SwitchRecording(SwitchInputs Inputs, SwitchCounts Counts, PmuOpCounts Ops, ulong Status, ulong FixedCtrl, ulong GlobalCtrl);

    // Every register instance the register moves of a put + load count (null: some cannot be
    // counted by slot, so nothing is deferred), and scratch copies of their counts and of the
    // vCPU's switch inputs, allocated once.
    private readonly int[]? _switchSlots;
    private long[]? _slotReadsBefore, _slotWritesBefore;
    private ulong[]? _putSelects, _stashCounter, _stashFixed, _stashSelects;

    /// <summary>
    /// Whether an unchanged run-loop switch is replayed (default) or always performed access by
    /// access. Both give the same registers, counts and costs; tests compare them.
    /// </summary>
    public bool ReplayUnchangedSwitches { get; set; } = true;

    /// <summary>The put + load pairs applied from a recording (diagnostics; not part of any report).</summary>
    public long ReplayedSwitches { get; private set; }

    private readonly record struct SwitchInputs(
        ulong PutStatus, ulong LoadStatus, ulong PutFixedCtrlHw, ulong LoadFixedCtrlHw, ulong PutHwFixedCtrl, ulong LoadGlobalCtrl,
        ulong PutGp, ulong PutSelects, ulong PutFixed, ulong LoadGp, ulong LoadFixed, bool Elide);

    /// <summary>
    /// kvm_mediated_pmu_put() at a run-loop exit, with its register moves deferred; false (and
    /// nothing done) when the put must be performed now: replay off, a trace attached, host perf
    /// with events, state not fully loaded, or hardware whose selects differ from the vCPU's.
    /// </summary>
    internal bool TryDeferPut()
    {
        if (!ReplayUnchangedSwitches || !HostPerfIdle || !Loaded || _switchSlots is null || _hw.BulkPmu is not { } pmu || pmu.HasPendingMoves
            || !FullyResident())
        {
            return false;
        }

        for (int i = 0; i < _eventselHw.Length; i++)
        {
            if (pmu.RawSelect(i) != _eventselHw[i])
            {
                return false;
            }
        }

        Puts++;
        _putStatus = _globalStatus = pmu.RawGlobalStatus;
        _putFixedCtrlHw = _fixedCtrlHw;
        _putHwFixedCtrl = pmu.RawFixedCtrl;
        for (int i = 0; i < _counter.Length; i++)
        {
            _counter[i] = pmu.RawGp(i);
        }

        for (int i = 0; i < _fixedCounter.Length; i++)
        {
            _fixedCounter[i] = pmu.RawFixed(i);
        }

        _putGp = NonZero(_counter);
        _putSelectMask = NonZero(_eventselHw);
        _putFixed = NonZero(_fixedCounter);

        _eventselHw.AsSpan().CopyTo(_putSelects);
        _hw.WriteLvtpc(LvtpcValues.DeliveryNmi);
        _residentGp = _residentFixed = 0;
        _fixedCtrlResident = _statusResident = _lvtpcResident = _globalCtrlResident = false;
        Loaded = false;
        _perf.PutGuestContext();
        _putAttribution = pmu.Attribution;
        _putPending = true;
        pmu.DeferMoves(this);
        return true;
    }

    /// <summary>Host perf has no event on this CPU: its guest-context put and load write no register.</summary>
    private bool HostPerfIdle => _perf is Integration.HostPerfContextBridge { HostIdle: true };

    /// <summary>Bit i set where <paramref name="values"/>[i] is non-zero.</summary>
    private static ulong NonZero(ReadOnlySpan<ulong> values)
    {
        ulong mask = 0;
        for (int i = 0; i < values.Length; i++)
        {
            mask |= values[i] != 0 ? 1UL << i : 0;
        }

        return mask;
    }

    private bool FullyResident() =>
        _residentGp == Bits.LowOnes(_counter.Length) && _residentFixed == Bits.LowOnes(_fixedCounter.Length)
        && _statusResident && _lvtpcResident && _fixedCtrlResident == IsIntel && _globalCtrlResident == !IsIntel;

    /// <summary>The PMU is about to be touched: the deferred put's register moves happen now, as at the exit.</summary>
    void IPendingPmuMoves.Settle()
    {
        if (_putPending && _hw.PlanningPmu is { } pmu)
        {
            // Counted for the VM whose exit it was, whoever touches the PMU first.
            _putPending = false;
            var attribution = pmu.Attribution;
            pmu.Attribution = _putAttribution;
            PerformDeferredPutMoves();
            pmu.Attribution = attribution;
        }
    }

    /// <summary>
    /// The put's register moves with the inputs it had at the exit (the selects and
    /// FIXED_CTR_CTRL the vCPU programmed then); what the vCPU changed since (its saved counters
    /// and status, its selects) is kept: those changes came after the put.
    /// </summary>
    private void PerformDeferredPutMoves()
    {
        _counter.AsSpan().CopyTo(_stashCounter);
        _fixedCounter.AsSpan().CopyTo(_stashFixed);
        _eventselHw.AsSpan().CopyTo(_stashSelects);
        ulong status = _globalStatus, fixedCtrlHw = _fixedCtrlHw;
        _putSelects.AsSpan().CopyTo(_eventselHw);
        _fixedCtrlHw = _putFixedCtrlHw;
        PutRegisterMoves();
        _stashCounter.AsSpan().CopyTo(_counter);
        _stashFixed.AsSpan().CopyTo(_fixedCounter);
        _stashSelects.AsSpan().CopyTo(_eventselHw);
        _globalStatus = status;
        _fixedCtrlHw = fixedCtrlHw;
    }

    /// <summary>kvm_mediated_pmu_load() after a deferred put: the pair replayed from a recording, or performed (and recorded).</summary>
    private void LoadAfterDeferredPut()
    {
        _putPending = false;
        var pmu = _hw.PlanningPmu!;
        pmu.ForgetPendingMoves();
        var inputs = CurrentInputs();
        bool hostIdle = HostPerfIdle;
        if (hostIdle && _hw.BulkPmu is not null)
        {
            foreach (var recording in _recordings)
            {
                if (recording is not null && recording.Inputs == inputs)
                {
                    Replay(pmu, recording);
                    return;
                }
            }
        }

        // Performed access by access: recorded unless host perf or a trace took part, or a count is near saturation.
        var accesses = pmu.Accesses;
        bool record = hostIdle && _hw.BulkPmu is not null && accesses.MsrWrites < long.MaxValue / 2
            && accesses.MsrReads < long.MaxValue / 2 && accesses.Rdpmcs < long.MaxValue / 2;
        long reads = accesses.MsrReads, writes = accesses.MsrWrites, rdpmcs = accesses.Rdpmcs;
        var ops = _hw.Counts;
        if (record)
        {
            long[] readCounts = accesses.ReadCountsComplete, writeCounts = accesses.WriteCountsComplete;
            for (int k = 0; k < _switchSlots!.Length; k++)
            {
                _slotReadsBefore![k] = readCounts[_switchSlots[k]];
                _slotWritesBefore![k] = writeCounts[_switchSlots[k]];
            }
        }

        PerformDeferredPutMoves();
        LoadNow();
        if (record)
        {
            Record(pmu, inputs, reads, writes, rdpmcs, ops);
        }
    }

    /// <summary>Keeps what the pair just performed counted and left, for the next time these inputs come.</summary>
    private void Record(PhysicalPmu pmu, SwitchInputs inputs, long reads, long writes, long rdpmcs, PmuOpCounts ops)
    {
        var accesses = pmu.Accesses;
        long[] readCounts = accesses.ReadCountsComplete, writeCounts = accesses.WriteCountsComplete;
        // Only the instances the pair counted: a replay then touches no other count.
        var slots = new System.Collections.Generic.List<int>();
        var readDeltas = new System.Collections.Generic.List<long>();
        var writeDeltas = new System.Collections.Generic.List<long>();
        for (int k = 0; k < _switchSlots!.Length; k++)
        {
            long readDelta = readCounts[_switchSlots[k]] - _slotReadsBefore![k];
            long writeDelta = writeCounts[_switchSlots[k]] - _slotWritesBefore![k];
            if (readDelta != 0 || writeDelta != 0)
            {
                slots.Add(_switchSlots[k]);
                readDeltas.Add(readDelta);
                writeDeltas.Add(writeDelta);
            }
        }

        var counts = new SwitchCounts(slots.ToArray(), readDeltas.ToArray(), writeDeltas.ToArray(),
            accesses.MsrReads - reads, accesses.MsrWrites - writes, accesses.Rdpmcs - rdpmcs);
        // The LVTPC write and perf's guest-context load are performed on a replay too: not part of the recording.
        var delta = _hw.Counts - ops;
        _recordings[_nextRecording] = new SwitchRecording(inputs, counts, delta with { LvtpcWrites = 0 },
            pmu.RawGlobalStatus, pmu.RawFixedCtrl, pmu.RawGlobalCtrl);
        _nextRecording = (_nextRecording + 1) % _recordings.Length;
    }

    private SwitchInputs CurrentInputs() =>
        new(_putStatus, _globalStatus, _putFixedCtrlHw, _fixedCtrlHw, _putHwFixedCtrl, IsIntel ? 0 : _globalCtrl,
            _putGp, _putSelectMask, _putFixed, NonZero(_counter), NonZero(_fixedCounter), ElideMatchingCounterWrites);

    /// <summary>
    /// The recorded pair applied at once, in <see cref="Load"/>'s state: perf's guest context and
    /// the LVTPC loaded as usual, the registers stored as the pair leaves them, the counts added.
    /// </summary>
    private void Replay(PhysicalPmu pmu, SwitchRecording recording)
    {
        _perf.LoadGuestContext();
        Loaded = true;
        Loads++;
        ReplayedSwitches++;
        _hw.WriteLvtpc(LvtpcValues.GuestLoaded(_guestLvtpc));
        _lvtpcResident = true;
        // FIXED_CTR3 written by the put (non-zero then) or by the load (always without elision) resets the topdown slots.
        var inputs = recording.Inputs;
        bool resetsTopdown = _fixedCounter.Length > 3
            && (((inputs.PutFixed >> 3) & 1) != 0 || !inputs.Elide || ((inputs.LoadFixed >> 3) & 1) != 0);
        pmu.StoreReplayedSwitch(_bank!, _counter, _eventselHw, _fixedCounter, recording.Status, recording.FixedCtrl, recording.GlobalCtrl, resetsTopdown);
        pmu.CountReplayedSwitch(recording.Counts);
        _hw.AddReplayed(recording.Ops);
        _residentGp = Bits.LowOnes(_counter.Length);
        _residentFixed = Bits.LowOnes(_fixedCounter.Length);
        _statusResident = true;
        _fixedCtrlResident = IsIntel;
        _globalCtrlResident = !IsIntel;
    }

    /// <summary>
    /// The count slots of every register a put + load moves, distinct, resolved once with the
    /// bank (and the scratch space a deferred put needs); null when there is no bank or one of
    /// them is uncatalogued or has no slot (then its accesses count elsewhere and nothing is deferred).
    /// </summary>
    private int[]? PlanSwitchSlots()
    {
        if (_bank is null)
        {
            return null;
        }

        var slots = new System.Collections.Generic.List<int>();
        foreach (var register in IsIntel
            ? new[] { _globalCtrlReg, _globalStatusReg, _statusClearReg, _statusSetReg, _fixedCtrlReg }
            : new[] { _globalCtrlReg, _globalStatusReg, _statusClearReg, _statusSetReg })
        {
            if (!register.Known || (uint)register.Register.Index >= 64)
            {
                return null;
            }

            slots.Add(HardwareAccessCounters.SlotOf(register.Register));
        }

        slots.AddRange(_bank.CounterSlots);
        slots.AddRange(_bank.SelectSlots);
        slots.AddRange(_bank.FixedSlots);
        if (new System.Collections.Generic.HashSet<int>(slots).Count != slots.Count)
        {
            return null;
        }

        _slotReadsBefore = new long[slots.Count];
        _slotWritesBefore = new long[slots.Count];
        _putSelects = new ulong[_eventselHw.Length];
        _stashCounter = new ulong[_counter.Length];
        _stashFixed = new ulong[_fixedCounter.Length];
        _stashSelects = new ulong[_eventselHw.Length];
        return slots.ToArray();
    }
}
