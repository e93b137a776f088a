using System;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Kvm.Pmu;

namespace MsrGen.Runtime.Legacy;

/// <summary>
/// KVM's perf-emulated vPMU (arch/x86/kvm/pmu.c, reprogram_counter() and kvm_pmu_handle_event()): every PMU MSR access and RDPMC exits; each
/// guest counter is backed by a pinned, exclude_host host perf event that is paused and resumed
/// or re-created (only when its configuration changed) in a deferred KVM_REQ_PMU pass before
/// the next VM-entry; overflows come back through perf's callback and become guest PMIs.
/// </summary>
public sealed partial class LegacyVpmu : IVpmu
{
    private readonly Vcpu _vcpu;
    private readonly LegacyPmc[] _gp;
    private readonly LegacyPmc[] _fixed;
    private ulong _reprogramPmi;
    private readonly KvmPmu _pmu;
    private bool _needCleanup;
    private int _eventCount;

    public LegacyVpmu(Vcpu vcpu)
    {
        _vcpu = vcpu;
        _pmu = new KvmPmu(this);
        var caps = vcpu.GuestCaps;
        int gp = caps.Version == 0 && caps.IsIntel ? 0 : caps.GpCounters;
        _gp = new LegacyPmc[gp];
        for (int i = 0; i < gp; i++)
        {
            _gp[i] = new LegacyPmc(i);
        }

        _fixed = new LegacyPmc[caps.IsIntel ? caps.FixedCounters : 0];
        for (int i = 0; i < _fixed.Length; i++)
        {
            _fixed[i] = new LegacyPmc(LegacyPmc.FixedBase + i) { Eventsel = HardwareEvent.KvmFixedEventSelect(i) };
        }

        // kvm_pmu_refresh: GLOBAL_CTRL resets to GENMASK(nr_gp - 1, 0) when the guest has it.
        GlobalCtrl = caps.IsIntel ? Ia32PerfGlobalCtrl.Reset(caps).Value : MsrAmd64PerfCntrGlobalCtl.Reset(caps).Value;
        if (!HasGlobalCtrl)
        {
            GlobalCtrl = 0;
        }
    }

    public VpmuMode Mode => VpmuMode.Emulated;
    public bool InterceptsRdpmc => true;
    public PmuCaps Caps => _vcpu.GuestCaps;

    /// <summary><see cref="Caps"/> by reference, for the per-access checks (no copy of the struct).</summary>
    private ref readonly PmuCaps GuestCaps => ref _vcpu.GuestCapsRef;
    public ulong GlobalCtrl { get; private set; }
    public ulong GlobalStatus { get; private set; }
    public ulong FixedCtrCtrl { get; private set; }
    public int EventCount => _eventCount;
    public ReadOnlySpan<LegacyPmc> GpCounters => _gp;
    public ReadOnlySpan<LegacyPmc> FixedCounters => _fixed;

    private bool HasGlobalCtrl => GuestCaps.Version > 1;
    private ulong GpMask => GuestCaps.GpCounterMask;
    private ulong FixedMask => GuestCaps.FixedCounterMask;
    private HostPerfContext Perf => _vcpu.Cpu.Perf;
    private bool GroupedMetrics => _vcpu.Vm.Config.Request.GroupedMetrics && GuestCaps.PerfMetrics;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private ulong MaskOf(LegacyPmc pmc) => pmc.IsFixed ? FixedMask : GpMask;

    private LegacyPmc? PmcByIdx(int idx) =>
        idx >= LegacyPmc.FixedBase ? (idx - LegacyPmc.FixedBase < _fixed.Length ? _fixed[idx - LegacyPmc.FixedBase] : null)
        : idx < _gp.Length ? _gp[idx] : null;

    /// <summary>
    /// pmc_read_counter: counter + emulated + the live perf count, masked (no time scaling). KVM
    /// calls it for a guest RDMSR or RDPMC of the counter, a counter write (pmc_write_counter) and
    /// pmc_stop_counter; the perf_event_read_value() it makes for a live, unpaused event is priced.
    /// </summary>
    public ulong ReadCounter(LegacyPmc pmc) => CounterValue(pmc, priced: true);

    /// <summary>The value pmc_read_counter would return; <paramref name="priced"/> false for the model's own look (closed form).</summary>
    private ulong CounterValue(LegacyPmc pmc, bool priced)
    {
        ulong value = pmc.Counter + pmc.EmulatedCounter;
        if (pmc.PerfEvent is not null && !pmc.IsPaused)
        {
            value += priced ? ReadPerfEvent(pmc.PerfEvent) : Perf.Read(pmc.PerfEvent);
        }

        return value & MaskOf(pmc);
    }

    /// <summary>
    /// perf_event_read_value() of one of this vCPU's events, the one place <c>perf.read</c> is
    /// charged (Xu 2019a measured kvm_pmu_rdpmc() around it at 200 ns).
    /// </summary>
    private ulong ReadPerfEvent(PerfEvent perfEvent)
    {
        _vcpu.Metrics.AddCost(_vcpu.Costs, CostTable.PerfRead);
        return Perf.Read(perfEvent);
    }

    /// <summary>pmc_write_counter: the base absorbs the difference; a running sampling event gets a new period.</summary>
    public void WriteCounter(LegacyPmc pmc, ulong value)
    {
        pmc.EmulatedCounter = 0;
        pmc.Counter = (pmc.Counter + value - ReadCounter(pmc)) & MaskOf(pmc);
        if (pmc.PerfEvent is { IsSampling: true } perfEvent && !pmc.IsPaused)
        {
            Perf.SetPeriod(perfEvent, SamplePeriod(pmc, pmc.Counter));
            CountReprogram(CostTable.PerfPeriod);
        }
    }

    /// <summary>get_sample_period: events until the guest counter wraps.</summary>
    public ulong SamplePeriod(LegacyPmc pmc, ulong counterValue)
    {
        ulong period = (0 - counterValue) & MaskOf(pmc);
        return period == 0 ? MaskOf(pmc) + 1 : period;
    }

    /// <summary>kvm_pmu_request_counter_reprogram.</summary>
    private void RequestReprogram(LegacyPmc pmc)
    {
        _reprogramPmi |= 1UL << pmc.Idx;
        _vcpu.RequestPmuEvent();
    }

    /// <summary>reprogram_counters: every changed GLOBAL_CTRL / PEBS_ENABLE bit.</summary>
    private void RequestReprogram(ulong diff)
    {
        for (int bit = 0; bit < 64; bit++)
        {
            if ((diff & (1UL << bit)) != 0 && PmcByIdx(bit) is not null)
            {
                _reprogramPmi |= 1UL << bit;
            }
        }

        if (diff != 0)
        {
            _vcpu.RequestPmuEvent();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool IsGloballyEnabled(LegacyPmc pmc) => !HasGlobalCtrl || (GlobalCtrl & (1UL << pmc.Idx)) != 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool IsLocallyEnabled(LegacyPmc pmc) => pmc.IsFixed
        ? (FixedNibble(pmc.Index) & 0x3) != 0
        : GuestCaps.IsIntel ? Ia32Perfevtsel.FromRawUnchecked(pmc.Eventsel).En : MsrF15hPerfCtl.FromRawUnchecked(pmc.Eventsel).En;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private ulong FixedNibble(int index) => (FixedCtrCtrl >> (4 * index)) & 0xF;

    // No filter (the common case) is decided inline; a filter is asked out of line.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool IsAllowedByFilter(LegacyPmc pmc) => _vcpu.Vm.EventFilter is not { } filter || IsAllowedBy(filter, pmc);

    private bool IsAllowedBy(PmuEventFilter filter, LegacyPmc pmc)
    {
        return pmc.IsFixed ? filter.AllowsFixed(pmc.Index) : filter.AllowsGp(pmc.Eventsel, GuestCaps.Vendor);
    }

    /// <summary>The event select this PMC asks perf for (fixed: the preset plus the nibble's OS/USR/INT).</summary>
    private ulong EffectiveEventsel(LegacyPmc pmc)
    {
        if (!pmc.IsFixed)
        {
            return pmc.Eventsel;
        }

        var nibble = Ia32FixedCtrCtrl.FromRawUnchecked(FixedNibble(pmc.Index));
        return Ia32Perfevtsel.FromRawUnchecked(HardwareEvent.KvmFixedEventSelect(pmc.Index))
            .WithOs(nibble.FixedOs(0)).WithUsr(nibble.FixedUsr(0)).WithInt(nibble.FixedPmi(0)).WithEn(true).Value;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void CountReprogram(CostPrimitive primitive)
    {
        _vcpu.Metrics.CountPerfReprogram();
        _vcpu.Metrics.AddCost(_vcpu.Costs, primitive);
    }

    public void HandlePmuRequest()
    {
        // kvm_pmu_handle_event: snapshot and clear the bitmap, reprogram each, keep failures for later.
        ulong pending = _reprogramPmi;
        _reprogramPmi = 0;
        // Set bits in ascending order (for_each_set_bit), without visiting the clear ones.
        for (ulong rest = pending; rest != 0; rest &= rest - 1)
        {
            int bit = System.Numerics.BitOperations.TrailingZeroCount(rest);
            if (PmcByIdx(bit) is { } pmc && !ReprogramCounter(pmc))
            {
                _reprogramPmi |= 1UL << bit;
            }
        }

        if (_needCleanup)
        {
            Cleanup();
        }
    }

    /// <summary>reprogram_counter; false when perf refused the event (retried on a later request).</summary>
    private bool ReprogramCounter(LegacyPmc pmc)
    {
        bool emulatedOverflow = PauseCounter(pmc);
        if (!IsGloballyEnabled(pmc) || !IsLocallyEnabled(pmc) || !IsAllowedByFilter(pmc))
        {
            return true;
        }

        if (emulatedOverflow)
        {
            Overflow(pmc, inPmi: false);
        }

        ulong eventsel = EffectiveEventsel(pmc);
        ulong newConfig = pmc.IsFixed ? FixedNibble(pmc.Index) : eventsel;
        if (pmc.CurrentConfig == newConfig && ResumeCounter(pmc))
        {
            return true;
        }

        ReleasePerfEvent(pmc);
        pmc.CurrentConfig = newConfig;
        return CreatePerfEvent(pmc, eventsel);
    }

    /// <summary>pmc_pause_counter: fold the perf count in, add pending emulated events; true if that wrapped the counter.</summary>
    private bool PauseCounter(LegacyPmc pmc)
    {
        ulong counter = pmc.Counter;
        if (pmc.PerfEvent is not null && !pmc.IsPaused)
        {
            if (pmc.Siblings is not null)
            {
                // As in Like Xu's grouped-events RFC (2022-12-12): perf_event_pause() does not suit a group; the group is stopped (read and released).
                counter += ReadPerfEvent(pmc.PerfEvent);
                ReleasePerfEvent(pmc);
            }
            else
            {
                counter += Perf.Pause(pmc.PerfEvent, reset: true);
                CountReprogram(CostTable.PerfPause);
            }
        }

        ulong previous = counter & MaskOf(pmc);
        counter = (counter + pmc.EmulatedCounter) & MaskOf(pmc);
        pmc.EmulatedCounter = 0;
        pmc.Counter = counter;
        pmc.IsPaused = true;
        return counter < previous;
    }

    /// <summary>pmc_resume_counter: same config, new period, enable.</summary>
    private bool ResumeCounter(LegacyPmc pmc)
    {
        if (pmc.PerfEvent is not { } perfEvent)
        {
            return false;
        }

        if (perfEvent.IsSampling && Perf.SetPeriod(perfEvent, SamplePeriod(pmc, pmc.Counter)) != PerfError.None)
        {
            return false;
        }

        CountReprogram(CostTable.PerfPeriod);
        Perf.Enable(perfEvent);
        _vcpu.Metrics.AddCost(_vcpu.Costs, CostTable.PerfEnable);
        pmc.IsPaused = false;
        return true;
    }

    /// <summary>pmc_reprogram_counter: a pinned, exclude_host raw event sampling at the wrap point.</summary>
    private bool CreatePerfEvent(LegacyPmc pmc, ulong eventsel)
    {
        ulong rawMask = GuestCaps.IsAmd ? 0xF_FF84_FFFFUL : 0xFF84_FFFFUL;
        if (GuestCaps.IsIntel && GuestCaps.Has(PmuFeatures.Tsx))
        {
            rawMask |= Ia32Perfevtsel.Zero.WithInTx(true).WithInTxcp(true).Value;
        }

        ulong config = eventsel & rawMask;
        bool checkpointed = GuestCaps.IsIntel && Ia32Perfevtsel.FromRawUnchecked(config).InTxcp && _vcpu.Host.Caps.Has(PmuFeatures.Tsx);
        bool user = GuestCaps.IsIntel ? Ia32Perfevtsel.FromRawUnchecked(eventsel).Usr : MsrF15hPerfCtl.FromRawUnchecked(eventsel).Usr;
        bool os = GuestCaps.IsIntel ? Ia32Perfevtsel.FromRawUnchecked(eventsel).Os : MsrF15hPerfCtl.FromRawUnchecked(eventsel).Os;
        bool intr = GuestCaps.IsIntel ? Ia32Perfevtsel.FromRawUnchecked(eventsel).Int : MsrF15hPerfCtl.FromRawUnchecked(eventsel).Int;
        bool pebs = (PebsEnable & (1UL << pmc.Idx)) != 0;
        var attr = new PerfEventAttr
        {
            Config = config,
            Pinned = true,
            ExcludeHost = true,
            ExcludeUser = !user,
            ExcludeKernel = !os,
            SamplePeriod = checkpointed ? 0 : SamplePeriod(pmc, pmc.Counter),
            PreciseIp = pebs ? 1 : 0,
            KernelCounter = true,
            Task = _vcpu,
        };

        bool grouped = GroupedMetrics && pmc.IsFixed && pmc.Index == 3;
        if (grouped)
        {
            return CreateMetricsGroup(pmc, attr, intr || pebs);
        }

        var error = Perf.Open($"kvm-{_vcpu.Vm.Name}-{pmc}", attr, null, OnPerfOverflow, pmc, out var perfEvent);
        if (error != PerfError.None || perfEvent is null)
        {
            return false;
        }

        pmc.PerfEvent = perfEvent;
        _eventCount++;
        _vcpu.Metrics.CountPerfCreate();
        _vcpu.Metrics.AddCost(_vcpu.Costs, CostTable.PerfCreate);
        pmc.IsPaused = false;
        pmc.Intr = intr || pebs;
        return true;
    }

    /// <summary>pmc_release_perf_event (the whole group for grouped events).</summary>
    private void ReleasePerfEvent(LegacyPmc pmc)
    {
        if (pmc.PerfEvent is null)
        {
            return;
        }

        if (pmc.Siblings is not null)
        {
            foreach (var sibling in pmc.Siblings)
            {
                Perf.Release(sibling);
                CountRelease();
            }

            pmc.Siblings = null;
        }

        Perf.Release(pmc.PerfEvent);
        CountRelease();
        pmc.PerfEvent = null;
        pmc.CurrentConfig = 0;
    }

    private void CountRelease()
    {
        _eventCount--;
        _vcpu.Metrics.CountPerfRelease();
        _vcpu.Metrics.AddCost(_vcpu.Costs, CostTable.PerfRelease);
    }

    /// <summary>pmc_stop_counter: fold the count in and release the event.</summary>
    private void StopCounter(LegacyPmc pmc)
    {
        if (pmc.PerfEvent is null)
        {
            return;
        }

        pmc.Counter = ReadCounter(pmc);
        pmc.EmulatedCounter = 0;
        ReleasePerfEvent(pmc);
        pmc.IsPaused = true;
    }
}
