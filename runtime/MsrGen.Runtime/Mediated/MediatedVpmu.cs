using System;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Mediated;

/// <summary>
/// perf's half of the world switch on one CPU: <c>perf_load_guest_context()</c> schedules host
/// exclude_guest events out, <c>perf_put_guest_context()</c> schedules them back in.
/// </summary>
public interface IGuestContextHost
{
    /// <summary>Schedules exclude_guest events out; true when any was active (host counters were live).</summary>
    bool LoadGuestContext();

    void PutGuestContext();
}

/// <summary>What the guest sees in its PMU, read without disturbing anything (tests, reports).</summary>
public sealed record GuestPmuView(ulong[] Counters, ulong[] EventSelects, ulong[] FixedCounters, ulong FixedCtrCtrl, ulong GlobalCtrl, ulong GlobalStatus);

/// <summary>
/// The mediated vPMU of one vCPU (arch/x86/kvm/pmu.c kvm_mediated_pmu_load/put, mediated vPMU series v6): the guest's values as plain stores
/// (<c>pmc-&gt;counter</c>, <c>eventsel</c>, <c>global_ctrl</c>, <c>global_status</c>), what is
/// programmed into hardware (<c>eventsel_hw</c>, <c>fixed_ctr_ctrl_hw</c>) with the event filter
/// applied through the enable bits, the world switch, emulated instruction counting and the
/// mediated PMI. Which of the guest's registers currently live in hardware is tracked per
/// register ("resident"): KVM's exact switch makes everything resident at load and nothing at
/// put; the <c>dirty-only</c> placement leaves state resident and moves only what was touched.
/// </summary>
public sealed partial class MediatedVpmu
{
    private readonly PmuAccess _hw;
    private readonly IGuestContextHost _perf;
    private readonly ulong[] _counter;
    private readonly ulong[] _eventsel;
    private readonly ulong[] _eventselHw;
    private readonly ulong[] _fixedCounter;
    private ulong _fixedCtrl;
    private ulong _fixedCtrlHw;
    private ulong _globalCtrl;
    private ulong _globalStatus;
    private ulong _vmcsGuestGlobalCtrl;
    private uint _guestLvtpc = LvtpcValues.Masked;
    private MediatedEventFilter? _filter;

    public MediatedVpmu(PmuCaps guest, PmuAccess hardware, IGuestContextHost perf, MediatedIntercepts intercepts)
    {
        Host = hardware.Hardware.Caps;
        if (guest.Vendor != Host.Vendor || guest.GpCounters > Host.GpCounters || guest.FixedCounters > Host.FixedCounters)
        {
            throw new ArgumentException("the guest PMU must be derived from this host (MediatedPmuSupport.DeriveGuest)", nameof(guest));
        }

        Guest = guest;
        _isIntel = Host.IsIntel;
        Intercepts = intercepts;
        _hw = hardware;
        _perf = perf;
        _globalCtrlReg = hardware.Resolve(GlobalCtrlAddress);
        _globalStatusReg = hardware.Resolve(GlobalStatusAddress);
        _statusClearReg = hardware.Resolve(_isIntel ? Ia32PerfGlobalOvfCtrl.Address : MsrAmd64PerfCntrGlobalStatusClr.Address);
        _statusSetReg = hardware.Resolve(_isIntel ? Ia32PerfGlobalStatusSet.Address : MsrAmd64PerfCntrGlobalStatusSet.Address);
        _fixedCtrlReg = hardware.Resolve(Ia32FixedCtrCtrl.Address);
        _counter = new ulong[guest.GpCounters];
        _eventsel = new ulong[guest.GpCounters];
        _eventselHw = new ulong[guest.GpCounters];
        _fixedCounter = new ulong[guest.FixedCounters];
        _globalCtrl = MediatedPmuSupport.ResetGlobalCtrl(guest, mediated: true);
        _vmcsGuestGlobalCtrl = _globalCtrl;
        _counterRegs = new PmuRegister[_counter.Length];
        _selectRegs = new PmuRegister[_counter.Length];
        _fixedRegs = new PmuRegister[_fixedCounter.Length];
        for (int i = 0; i < _counterRegs.Length; i++)
        {
            _counterRegs[i] = hardware.Resolve(CounterAddress(i));
            _selectRegs[i] = hardware.Resolve(EventSelectAddress(i));
        }

        for (int i = 0; i < _fixedRegs.Length; i++)
        {
            _fixedRegs[i] = hardware.Resolve(Ia32FixedCtr.AddressOf(i));
        }

        Pmu = new Kvm.Pmu.KvmPmu(this);
        _bank = PlanCounterBank();
        _switchSlots = PlanSwitchSlots();
        for (int i = 0; i < _eventselHw.Length; i++)
        {
            RefreshEventSelectHw(i);
        }
    }

    public PmuCaps Guest { get; }
    public PmuCaps Host { get; }
    public MediatedIntercepts Intercepts { get; }
    public PmuAccess Hardware => _hw;
    public bool IsIntel => _isIntel;

    // The host's vendor, read once: every register address of a world switch depends on it.
    private readonly bool _isIntel;

    // The global registers of a switch (Intel: GLOBAL_CTRL, GLOBAL_STATUS, OVF_CTRL, STATUS_SET,
    // FIXED_CTR_CTRL; AMD: GLOBAL_CTL, GLOBAL_STATUS, STATUS_CLR, STATUS_SET), looked up once.
    private readonly PmuRegister _globalCtrlReg, _globalStatusReg, _statusClearReg, _statusSetReg, _fixedCtrlReg;

    // The guest's GP counters, event selects and fixed counters (instance i at index i), looked up once.
    private readonly PmuRegister[] _counterRegs, _selectRegs, _fixedRegs;

    // The guest's counters and event selects on the runtime's physical PMU, resolved once for the
    // bulk form of the switch (null on other hardware, or if any of them would fault).
    private readonly PhysicalPmu.CounterBank? _bank;

    private PhysicalPmu.CounterBank? PlanCounterBank()
    {
        if (_hw.PlanningPmu is not { } pmu)
        {
            return null;
        }

        var counters = new uint[_counter.Length];
        var selects = new uint[_counter.Length];
        var fixedCounters = new uint[_fixedCounter.Length];
        for (int i = 0; i < counters.Length; i++)
        {
            counters[i] = CounterAddress(i);
            selects[i] = EventSelectAddress(i);
        }

        for (int i = 0; i < fixedCounters.Length; i++)
        {
            fixedCounters[i] = Ia32FixedCtr.AddressOf(i);
        }

        return pmu.PlanCounterBank(counters, selects, fixedCounters);
    }

    /// <summary>perf's guest context is loaded (between load and put).</summary>
    public bool Loaded { get; private set; }

    /// <summary>KVM_REQ_PMI is pending: the guest's LVTPC vector goes in on the next entry.</summary>
    public bool PmiRequested { get; private set; }

    public long MediatedPmisReceived { get; private set; }
    public long PmisInjected { get; private set; }
    public long Loads { get; private set; }
    public long Puts { get; private set; }

    /// <summary>The guest's APIC LVTPC entry.</summary>
    public uint GuestLvtpc => _guestLvtpc;

    public ulong EventSelectHw(int i) => _eventselHw[i];
    public ulong FixedCtrCtrlHw => _fixedCtrlHw;

    // ---- addresses (all from the generated registers) -----------------------------------------

    internal uint CounterAddress(int i) => IsIntel ? Ia32APmc.AddressOf(i) : MsrF15hPerfCtr.AddressOf(i);
    internal uint EventSelectAddress(int i) => IsIntel ? Ia32Perfevtsel.AddressOf(i) : MsrF15hPerfCtl.AddressOf(i);
    internal uint GlobalCtrlAddress => IsIntel ? Ia32PerfGlobalCtrl.Address : MsrAmd64PerfCntrGlobalCtl.Address;
    internal uint GlobalStatusAddress => IsIntel ? Ia32PerfGlobalStatus.Address : MsrAmd64PerfCntrGlobalStatus.Address;
    /// <summary>RDPMC ECX bit 30 selects the fixed counters (INTEL_PMC_FIXED_RDPMC_BASE).</summary>
    internal const uint FixedRdpmcBase = PhysicalPmu.RdpmcFixed;
    internal static uint FixedRdpmc(int i) => FixedRdpmcBase | (uint)i;

    // ---- event filter ----------------------------------------------------------------------------

    /// <summary>KVM_SET_PMU_EVENT_FILTER: recomputes what goes into hardware; the guest's values stay.</summary>
    public void SetEventFilter(MediatedEventFilter? filter)
    {
        _filter = filter;
        for (int i = 0; i < _eventsel.Length; i++)
        {
            RefreshEventSelectHw(i);
            if (GpResident(i))
            {
                _hw.Wrmsr(_selectRegs[i], _eventselHw[i]);
            }
        }

        RefreshFixedCtrlHw();
        if (_fixedCtrlResident && IsIntel && Guest.Version > 1)
        {
            _hw.Wrmsr(_fixedCtrlReg, _fixedCtrlHw);
        }
    }

    private void RefreshEventSelectHw(int i)
    {
        ulong sel = _eventsel[i];
        if (!IsIntel)
        {
            sel = (sel & ~PmuEventSelect.AmdHostOnly) | PmuEventSelect.AmdGuestOnly;
        }

        if (_filter is not null && !_filter.AllowsGp(_eventsel[i], Host.Vendor))
        {
            sel &= ~PmuEventSelect.EnableBit;
        }

        _eventselHw[i] = sel;
    }

    private void RefreshFixedCtrlHw()
    {
        ulong value = _fixedCtrl;
        for (int i = 0; i < _fixedCounter.Length; i++)
        {
            if (_filter is not null && !_filter.AllowsFixed(i))
            {
                value &= ~PmuEventSelect.FixedField(i);
            }
        }

        _fixedCtrlHw = value;
    }

    // ---- emulated instructions, fastpath, PMIs ---------------------------------------------------

    /// <summary>
    /// Mediated vPMU series v6, patch 28/44: fastpath emulation is refused when any globally enabled counter counts
    /// instructions, because skipping the instruction would have to bump a loaded counter.
    /// </summary>
    public bool FastpathEmulationAllowed()
    {
        for (int i = 0; i < _eventselHw.Length; i++)
        {
            if (CountsInstructions(i))
            {
                return false;
            }
        }

        return !(_fixedCounter.Length > 0 && (_globalCtrl & (1UL << 32)) != 0 && PmuEventSelect.FixedEnabled(_fixedCtrlHw, 0));
    }

    private bool CountsInstructions(int i) => CountsEvent(i, PmuEventSelect.Events.Instructions);

    private bool CountsEvent(int i, ulong eventIdentity)
    {
        ulong identity = IsIntel ? PmuEventSelect.IntelIdentityMask : PmuEventSelect.AmdIdentityMask;
        return (_globalCtrl & (1UL << i)) != 0 && PmuEventSelect.IsEnabled(_eventselHw[i]) &&
               (_eventselHw[i] & identity) == eventIdentity;
    }

    /// <summary>
    /// <c>kvm_pmu_instruction_retired()</c> for the mediated PMU: every counter that counts
    /// instructions at this privilege level goes up by one; wrapping to zero sets its status bit
    /// and, with the interrupt bit, requests a PMI. Values resident in hardware are read and
    /// written there (counted), the rest in the software state. True when kvm_pmu_trigger_event()
    /// had a counter to walk (see <see cref="InEmulationWalk"/>).
    /// </summary>
    public bool RetireEmulatedInstruction(bool kernelMode)
    {
        bool walked = RetireEmulated(PmuEventSelect.Events.Instructions, kernelMode);
        bool fixedGlobal = _fixedCounter.Length > 0 && (_globalCtrl & (1UL << 32)) != 0;
        walked |= fixedGlobal && PmuEventSelect.FixedEnabled(_fixedCtrl, 0);
        if (fixedGlobal && PmuEventSelect.FixedCountsAtPrivilege(_fixedCtrlHw, 0, kernelMode))
        {
            ulong value = (ReadFixedForKvm(0) + 1) & Guest.FixedCounterMask;
            WriteFixedForKvm(0, value);
            if (value == 0)
            {
                SetGuestStatusBits(1UL << 32);
                PmiRequested |= PmuEventSelect.FixedWantsInterrupt(_fixedCtrlHw, 0);
            }
        }

        return walked;
    }

    /// <summary><c>kvm_pmu_branch_retired()</c>: the same for counters that count branch instructions.</summary>
    public bool RetireEmulatedBranch(bool kernelMode) =>
        RetireEmulated(IsIntel ? PmuEventSelect.Events.Branches : PmuEventSelect.Events.AmdBranches, kernelMode);

    private bool RetireEmulated(ulong eventIdentity, bool kernelMode)
    {
        bool walked = false;
        for (int i = 0; i < _eventselHw.Length; i++)
        {
            walked |= InEmulationWalk(i, eventIdentity);
            if (CountsEvent(i, eventIdentity) && PmuEventSelect.CountsAtPrivilege(_eventselHw[i], kernelMode))
            {
                ulong value = (ReadGuestCounterForKvm(i) + 1) & Guest.GpCounterMask;
                WriteGuestCounterForKvm(i, value);
                if (value == 0)
                {
                    SetGuestStatusBits(1UL << i);
                    PmiRequested |= PmuEventSelect.WantsInterrupt(_eventselHw[i]);
                }
            }
        }

        return walked;
    }

    /// <summary>
    /// GP counter i is in kvm_pmu_trigger_event()'s walk for the event: globally enabled, and the
    /// guest's own event select (<c>pmc-&gt;eventsel</c>, before the filter clears the enable bit
    /// in the hardware value) is enabled and selects it, as kvm_pmu_recalc_pmc_emulation() builds
    /// the emulation bitmap without consulting the filter.
    /// </summary>
    private bool InEmulationWalk(int i, ulong eventIdentity)
    {
        ulong identity = IsIntel ? PmuEventSelect.IntelIdentityMask : PmuEventSelect.AmdIdentityMask;
        return (_globalCtrl & (1UL << i)) != 0 && PmuEventSelect.IsEnabled(_eventsel[i]) && (_eventsel[i] & identity) == eventIdentity;
    }

    /// <summary>
    /// <c>kvm_handle_guest_mediated_pmi()</c>: the host took an interrupt on vector 0xF5 while
    /// this vCPU's PMU state was loaded; the overflow status is in hardware and reaches
    /// <c>global_status</c> at put. The PMI goes to the guest on the next entry.
    /// </summary>
    public void HandleMediatedPmi()
    {
        MediatedPmisReceived++;
        PmiRequested = true;
    }

    /// <summary>
    /// On entry with KVM_REQ_PMI pending: deliver through the guest's LVTPC unless it is masked;
    /// Intel-compatible guests get LVTPC masked on delivery (as the local APIC does).
    /// </summary>
    public bool DeliverPendingPmi()
    {
        if (!PmiRequested)
        {
            return false;
        }

        PmiRequested = false;
        if (LvtpcValues.IsMasked(_guestLvtpc))
        {
            return false;
        }

        PmisInjected++;
        if (IsIntel)
        {
            _guestLvtpc |= LvtpcValues.Masked;
            if (Loaded)
            {
                _hw.WriteLvtpc(LvtpcValues.GuestLoaded(_guestLvtpc));
            }
        }

        return true;
    }

    /// <summary>Takes KVM_REQ_PMI for a caller that injects through its own LVTPC model.</summary>
    public bool ConsumePmiRequest()
    {
        bool pending = PmiRequested;
        PmiRequested = false;
        return pending;
    }

    /// <summary>The guest's LVTPC as another APIC model holds it (used at the next load).</summary>
    public void SyncGuestLvtpc(uint value) => _guestLvtpc = value;

    /// <summary>The guest writes its APIC LVTPC (e.g. to unmask it in its PMI handler).</summary>
    public void WriteGuestLvtpc(uint value)
    {
        _guestLvtpc = value;
        if (_lvtpcResident)
        {
            _hw.WriteLvtpc(LvtpcValues.GuestLoaded(_guestLvtpc));
        }
    }

    /// <summary>The guest's PMU as the guest would read it now (hardware read without counting where resident).</summary>
    public GuestPmuView View()
    {
        var hw = _hw.Hardware;
        var counters = new ulong[_counter.Length];
        var selects = new ulong[_eventsel.Length];
        for (int i = 0; i < counters.Length; i++)
        {
            counters[i] = GpResident(i) && hw.TryRdpmc((uint)i, out ulong v) ? v : _counter[i];
            selects[i] = _eventsel[i];
        }

        var fixedCounters = new ulong[_fixedCounter.Length];
        for (int i = 0; i < fixedCounters.Length; i++)
        {
            fixedCounters[i] = FixedResident(i) && hw.TryRdpmc(FixedRdpmc(i), out ulong v) ? v : _fixedCounter[i];
        }

        ulong status = _statusResident ? hw.ReadMsr(GlobalStatusAddress) : _globalStatus;
        return new GuestPmuView(counters, selects, fixedCounters, _fixedCtrl, _globalCtrl, status);
    }
}
