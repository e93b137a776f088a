using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Hardware;

/// <summary>Receives the PMIs a physical PMU raises through its LVTPC.</summary>
public interface IPmiSink
{
    /// <summary><paramref name="nmi"/>: delivered as NMI (host perf); otherwise as <paramref name="vector"/>.</summary>
    void OnPmi(PhysicalPmu pmu, bool nmi, byte vector);
}

/// <summary>Why <see cref="PhysicalPmu.Run"/> returned.</summary>
public enum RunStop : byte
{
    /// <summary>The stretch reached the requested step.</summary>
    Reached = 0,
    /// <summary>A counter overflowed with its interrupt enabled and the LVTPC delivered a PMI.</summary>
    Pmi = 1,
}

/// <summary>
/// One physical CPU's PMU as the capabilities describe it: GP and fixed counters with their
/// widths, event selects, fixed-counter control, global control/status, and the local APIC's
/// LVTPC. Counters advance from an <see cref="EventBatch"/> by event-select matching, privilege
/// filter, local and global enables (and AMD's Guest/HostOnly bits); overflow sets global status
/// and raises a PMI through the LVTPC. Every software access (host RDMSR/WRMSR/RDPMC) is counted.
/// </summary>
public sealed partial class PhysicalPmu
{
    private readonly ulong[] _gp;
    private readonly ulong[] _evtsel;
    private readonly ulong[] _fixed;
    private readonly ulong[] _topdown = new ulong[4];
    private ulong _fixedCtrl;
    private ulong _globalCtrl;
    private ulong _globalStatus;
    private ulong _hostGlobalCtrl;

    public PhysicalPmu(PmuCaps caps, SimClock clock, MsrProfile profile = MsrProfile.Upstream)
    {
        _caps = caps;
        GpMask = caps.GpCounterMask;
        FixedMask = caps.FixedCounterMask;
        Clock = clock;
        Profile = profile;
        _gp = new ulong[Math.Max(caps.GpCounters, 0)];
        _evtsel = new ulong[_gp.Length];
        _fixed = new ulong[caps.IsIntel ? Math.Max(caps.FixedCounters, 0) : 0];
        _globalCtrl = caps.IsIntel ? Ia32PerfGlobalCtrl.Reset(caps).Value : MsrAmd64PerfCntrGlobalCtl.Reset(caps).Value;
        Lvtpc = LvtpcValues.DeliveryNmi;
    }

    // Read by reference: PmuCaps is too large for the JIT to keep in registers, and every access checks it.
    private readonly PmuCaps _caps;

    public ref readonly PmuCaps Caps => ref _caps;

    /// <summary><see cref="PmuCaps.GpCounterMask"/> and <see cref="PmuCaps.FixedCounterMask"/> of the fixed capabilities, computed once.</summary>
    internal ulong GpMask { get; }
    internal ulong FixedMask { get; }
    public SimClock Clock { get; }
    public MsrProfile Profile { get; }
    public int GpCount => _gp.Length;
    public int FixedCount => _fixed.Length;

    /// <summary>Every host access, for the whole machine.</summary>
    public HardwareAccessCounters Accesses { get; } = new();

    /// <summary>When set, accesses are also counted here (the VM on whose behalf the host works).</summary>
    public HardwareAccessCounters? Attribution { get; set; }

    /// <summary>The local APIC LVTPC: delivery mode, vector and mask. Host perf keeps it at NMI.</summary>
    public uint Lvtpc { get; set; }

    public IPmiSink? PmiSink { get; set; }

    /// <summary>True between VM-entry and VM-exit.</summary>
    public bool InGuestMode { get; private set; }

    /// <summary>PMIs raised (delivered through an unmasked LVTPC).</summary>
    public long PmisRaised { get; private set; }

    /// <summary>
    /// VM-entry: the CPU loads GLOBAL_CTRL from the VMCS (or the MSR-load list), with no software
    /// WRMSR. <paramref name="guestGlobalCtrl"/> null keeps the current value (AMD: GuestOnly bits decide).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void EnterGuest(ulong? guestGlobalCtrl)
    {
        SettlePendingMoves();
        _hostGlobalCtrl = _globalCtrl;
        if (guestGlobalCtrl is ulong value)
        {
            _globalCtrl = value;
        }

        InGuestMode = true;
    }

    /// <summary>VM-exit: the CPU restores the host GLOBAL_CTRL (returned: the guest value it saved).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public ulong ExitGuest(ulong? hostGlobalCtrl)
    {
        SettlePendingMoves();
        ulong guest = _globalCtrl;
        _globalCtrl = hostGlobalCtrl ?? _hostGlobalCtrl;
        InGuestMode = false;
        return guest;
    }

    /// <summary>
    /// Retires the batch from <paramref name="step"/> towards <paramref name="limit"/> at privilege
    /// level <paramref name="cpl"/>. Stops early right after the step at which an overflow raised a
    /// PMI (the handler has run by then). Simulated time advances with the batch's cycles.
    /// </summary>
    public RunStop Run(EventBatch batch, ref ulong step, ulong limit, int cpl)
    {
        SettlePendingMoves();
        limit = Math.Min(limit, batch.Steps);
        while (step < limit)
        {
            // Each pass ends at an interrupting overflow (or the limit): per-PMI work is real, so it is metered.
            global::MsrGen.Runtime.Metrics.WorkMeter.Charge(1, "PMIs and timer stops while counting");
            ulong target = Math.Min(limit, FirstInterruptingOverflow(batch, step, limit, cpl));
            ulong overflowed = Advance(batch, step, target, cpl);
            Clock.Advance(batch.CyclesAt(target) - batch.CyclesAt(step));
            step = target;
            if (overflowed != 0 && RaisePmiFor(overflowed))
            {
                return RunStop.Pmi;
            }
        }

        return RunStop.Reached;
    }

    /// <summary>Retires a whole batch, handling every PMI on the way (host-side work).</summary>
    public void RunToEnd(EventBatch batch, int cpl)
    {
        ulong step = 0;
        while (Run(batch, ref step, batch.Steps, cpl) == RunStop.Pmi)
        {
        }
    }

    /// <summary>Bit i: GP counter i; bit 32+i: fixed counter i (the global-status layout).</summary>
    private ulong Advance(EventBatch batch, ulong from, ulong to, int cpl)
    {
        ulong overflowed = 0;
        for (int i = 0; i < _gp.Length; i++)
        {
            ulong inc = GpIncrement(i, batch, from, to, cpl);
            if (inc != 0 && AddWrapping(ref _gp[i], inc, GpMask))
            {
                overflowed |= 1UL << i;
            }
        }

        for (int i = 0; i < _fixed.Length; i++)
        {
            ulong inc = FixedIncrement(i, batch, from, to, cpl);
            if (inc == 0)
            {
                continue;
            }

            if (i == 3 && PerfMetricsEnabled)
            {
                CountTopdown(batch, from, to);
            }

            if (AddWrapping(ref _fixed[i], inc, FixedMask))
            {
                overflowed |= 1UL << (32 + i);
            }
        }

        _globalStatus |= overflowed;
        return overflowed;
    }

    private static bool AddWrapping(ref ulong counter, ulong inc, ulong mask)
    {
        ulong room = mask - counter;
        counter = (counter + inc) & mask;
        return inc > room;
    }

    private ulong FirstInterruptingOverflow(EventBatch batch, ulong from, ulong limit, int cpl)
    {
        ulong first = ulong.MaxValue;
        if ((Lvtpc & LvtpcValues.Masked) != 0 || PmiSink is null)
        {
            return first;
        }

        for (int i = 0; i < _gp.Length; i++)
        {
            if (GpRaisesPmi(i))
            {
                first = Math.Min(first, OverflowStep(batch, from, limit, GpMask - _gp[i] + 1, isFixed: false, i, cpl));
            }
        }

        for (int i = 0; i < _fixed.Length; i++)
        {
            if (Ia32FixedCtrCtrl.FromRawUnchecked(_fixedCtrl).FixedPmi(i))
            {
                first = Math.Min(first, OverflowStep(batch, from, limit, FixedMask - _fixed[i] + 1, isFixed: true, i, cpl));
            }
        }

        return first;
    }

    /// <summary>The first step at which the counter's increment reaches <paramref name="room"/> (binary search; increments are monotone).</summary>
    private ulong OverflowStep(EventBatch batch, ulong from, ulong limit, ulong room, bool isFixed, int i, int cpl)
    {
        ulong increment(EventBatch b, ulong f, ulong t) => isFixed ? FixedIncrement(i, b, f, t, cpl) : GpIncrement(i, b, f, t, cpl);

        if (increment(batch, from, limit) < room)
        {
            return ulong.MaxValue;
        }

        ulong lo = from + 1, hi = limit;
        while (lo < hi)
        {
            ulong mid = lo + (hi - lo) / 2;
            if (increment(batch, from, mid) >= room)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private bool RaisePmiFor(ulong overflowed)
    {
        bool wantsPmi = false;
        for (int i = 0; i < _gp.Length; i++)
        {
            wantsPmi |= (overflowed & (1UL << i)) != 0 && GpRaisesPmi(i);
        }

        var fixedCtrl = Ia32FixedCtrCtrl.FromRawUnchecked(_fixedCtrl);
        for (int i = 0; i < _fixed.Length; i++)
        {
            wantsPmi |= (overflowed & (1UL << (32 + i))) != 0 && fixedCtrl.FixedPmi(i);
        }

        if (!wantsPmi || (Lvtpc & LvtpcValues.Masked) != 0)
        {
            return false;
        }

        PmisRaised++;
        bool nmi = (Lvtpc & LvtpcValues.DeliveryModeMask) == LvtpcValues.DeliveryNmi;
        byte vector = (byte)Lvtpc;
        if (Caps.IsIntel)
        {
            // Intel CPUs set the LVTPC mask when they deliver a PMI; the handler unmasks it.
            Lvtpc |= LvtpcValues.Masked;
        }

        PmiSink?.OnPmi(this, nmi, vector);
        return true;
    }

    private bool GpRaisesPmi(int i) => Caps.IsIntel
        ? Ia32Perfevtsel.FromRawUnchecked(_evtsel[i]).Int
        : MsrF15hPerfCtl.FromRawUnchecked(_evtsel[i]).Int;

    private bool PerfMetricsEnabled => Caps.PerfMetrics && Ia32PerfGlobalCtrl.FromRawUnchecked(_globalCtrl).EnPerfMetrics;

    private ulong GpIncrement(int i, EventBatch batch, ulong from, ulong to, int cpl)
    {
        ulong sel = _evtsel[i];
        if (!GpCounts(i, sel, cpl))
        {
            return 0;
        }

        return HardwareEvent.GpCount(sel, Caps.Vendor, batch, from, to);
    }

    private bool GpCounts(int i, ulong sel, int cpl)
    {
        if (Caps.IsIntel)
        {
            var evt = Ia32Perfevtsel.FromRawUnchecked(sel);
            bool global = Caps.Version < 2 || Ia32PerfGlobalCtrl.FromRawUnchecked(_globalCtrl).EnPmc(i);
            return evt.En && global && (cpl == 0 ? evt.Os : evt.Usr);
        }

        var amd = MsrF15hPerfCtl.FromRawUnchecked(sel);
        bool amdGlobal = Caps.Version < 2 || MsrAmd64PerfCntrGlobalCtl.FromRawUnchecked(_globalCtrl).En(i);
        // APM 13.2.1.1: with both bits equal the counter counts in host and guest alike.
        bool mode = amd.GuestOnly == amd.HostOnly || (InGuestMode ? amd.GuestOnly : amd.HostOnly);
        return amd.En && amdGlobal && mode && (cpl == 0 ? amd.Os : amd.Usr);
    }

    private ulong FixedIncrement(int i, EventBatch batch, ulong from, ulong to, int cpl)
    {
        var ctrl = Ia32FixedCtrCtrl.FromRawUnchecked(_fixedCtrl);
        bool global = Ia32PerfGlobalCtrl.FromRawUnchecked(_globalCtrl).EnFixed(i);
        if (!global || !(cpl == 0 ? ctrl.FixedOs(i) : ctrl.FixedUsr(i)))
        {
            return 0;
        }

        return Matching(batch, HardwareEvent.FixedCounterEvent(i), from, to);
    }

    private static ulong Matching(EventBatch batch, ulong wanted, ulong from, ulong to)
    {
        ulong sum = 0;
        for (int e = 0; e < batch.Count; e++)
        {
            if (batch.EventAt(e) == wanted)
            {
                ulong total = batch.CountAt(e);
                sum += EventBatch.Portion(total, to, batch.Steps) - EventBatch.Portion(total, from, batch.Steps);
            }
        }

        return sum;
    }

    private void CountTopdown(EventBatch batch, ulong from, ulong to)
    {
        _topdown[0] += Matching(batch, HardwareEvent.TopdownRetiring, from, to);
        _topdown[1] += Matching(batch, HardwareEvent.TopdownBadSpeculation, from, to);
        _topdown[2] += Matching(batch, HardwareEvent.TopdownFrontendBound, from, to);
        _topdown[3] += Matching(batch, HardwareEvent.TopdownBackendBound, from, to);
    }
}
