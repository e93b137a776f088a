using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Mediated;

public sealed partial class MediatedVpmu
{
    // Which guest registers hardware holds right now. KVM's exact switch sets all at load and
    // clears all at put; the lazy (dirty-only) switch clears only what the host reclaims.
    private ulong _residentGp;
    private ulong _residentFixed;
    private bool _fixedCtrlResident;
    private bool _statusResident;
    private bool _lvtpcResident;
    private bool _globalCtrlResident;

    /// <summary>
    /// "KVM: x86/pmu: Elide WRMSRs when loading guest PMCs if values already match" (mediated vPMU series v6, in 7.0): skip a counter WRMSR when RDPMC shows the value already; off models the
    /// series before that patch (the "before" figure of that patch: 4k cycles per CPUID exit on Emerald Rapids).
    /// </summary>
    public bool ElideMatchingCounterWrites { get; set; } = true;

    private bool GpResident(int i) => (_residentGp & (1UL << i)) != 0;
    private bool FixedResident(int i) => (_residentFixed & (1UL << i)) != 0;

    /// <summary>Anything of the guest's is still in hardware (only after a lazy put).</summary>
    public bool AnyResident => _residentGp != 0 || _residentFixed != 0 || _fixedCtrlResident || _statusResident || _lvtpcResident || _globalCtrlResident;

    /// <summary>
    /// <c>kvm_mediated_pmu_load()</c> in KVM's order: perf schedules its exclude_guest events out;
    /// GLOBAL_CTRL = 0; LVTPC to vector 0xF5 (masked if the guest's is); counters written only
    /// when RDPMC shows a different value, event selects always; then status via OVF_CTRL /
    /// STATUS_SET toggles and FIXED_CTR_CTRL (Intel; GLOBAL_CTRL then comes from the VMCS at
    /// VM-entry) or STATUS_CLR, STATUS_SET and GLOBAL_CTL (AMD).
    /// </summary>
    public void Load()
    {
        if (_putPending)
        {
            // The put before this load was deferred (MediatedVpmu.Replay.cs): replayed, or performed now.
            LoadAfterDeferredPut();
            return;
        }

        LoadNow();
    }

    private void LoadNow()
    {
        _perf.LoadGuestContext();
        Loaded = true;
        Loads++;
        _hw.Wrmsr(_globalCtrlReg, 0);
        _hw.WriteLvtpc(LvtpcValues.GuestLoaded(_guestLvtpc));
        _lvtpcResident = true;
        if (_bank is not null && _hw.BulkPmu is { } pmu)
        {
            // The same RDPMCs and WRMSRs in one operation over the registers resolved at creation.
            _hw.RestoreCounters(pmu, _bank, _counter, _eventselHw, _fixedCounter, ulong.MaxValue, ulong.MaxValue, ElideMatchingCounterWrites);
        }
        else
        {
            for (int i = 0; i < _counter.Length; i++)
            {
                if (!ElideMatchingCounterWrites || _hw.Rdpmc((uint)i) != _counter[i])
                {
                    _hw.Wrmsr(_counterRegs[i], _counter[i]);
                }

                _hw.Wrmsr(_selectRegs[i], _eventselHw[i]);
            }

            for (int i = 0; i < _fixedCounter.Length; i++)
            {
                if (!ElideMatchingCounterWrites || _hw.Rdpmc(FixedRdpmc(i)) != _fixedCounter[i])
                {
                    _hw.Wrmsr(_fixedRegs[i], _fixedCounter[i]);
                }
            }
        }

        _residentGp = Bits.LowOnes(_counter.Length);
        _residentFixed = Bits.LowOnes(_fixedCounter.Length);
        LoadStatusAndControls();
    }

    private void LoadStatusAndControls()
    {
        if (IsIntel)
        {
            ulong hwStatus = _hw.Rdmsr(_globalStatusReg);
            ulong toggle = _globalStatus ^ hwStatus;
            if ((hwStatus & toggle) != 0)
            {
                _hw.Wrmsr(_statusClearReg, hwStatus & toggle);
            }

            if ((_globalStatus & toggle) != 0)
            {
                _hw.Wrmsr(_statusSetReg, _globalStatus & toggle);
            }

            _hw.Wrmsr(_fixedCtrlReg, _fixedCtrlHw);
        }
        else
        {
            ulong hwStatus = _hw.Rdmsr(_globalStatusReg);
            if (hwStatus != 0)
            {
                _hw.Wrmsr(_statusClearReg, hwStatus);
            }

            _hw.Wrmsr(_statusSetReg, _globalStatus);
            _hw.Wrmsr(_globalCtrlReg, _globalCtrl);
            _globalCtrlResident = true;
        }

        _statusResident = true;
        _fixedCtrlResident = IsIntel;
    }

    /// <summary>
    /// <c>kvm_mediated_pmu_put()</c> in KVM's order: vendor put (Intel: save status and clear it
    /// with OVF_CTRL, FIXED_CTR_CTRL = 0 when it was non-zero; AMD: GLOBAL_CTL = 0, save status,
    /// STATUS_CLR), then every counter saved by RDPMC and zeroed when non-zero, every non-zero
    /// event select zeroed, LVTPC back to NMI, and perf schedules its events back in.
    /// </summary>
    public void Put()
    {
        Puts++;
        PutRegisterMoves();
        _hw.WriteLvtpc(LvtpcValues.DeliveryNmi);
        _residentGp = _residentFixed = 0;
        _fixedCtrlResident = _statusResident = _lvtpcResident = _globalCtrlResident = false;
        Loaded = false;
        _perf.PutGuestContext();
    }

    /// <summary>
    /// The register half of <see cref="Put"/>: the vendor put (global status saved and cleared,
    /// FIXED_CTR_CTRL or GLOBAL_CTL zeroed), then every counter saved and zeroed and every
    /// non-zero event select zeroed.
    /// </summary>
    private void PutRegisterMoves()
    {
        if (IsIntel)
        {
            _globalStatus = _hw.Rdmsr(_globalStatusReg);
            if (_globalStatus != 0)
            {
                _hw.Wrmsr(_statusClearReg, _globalStatus);
            }

            if (_fixedCtrlHw != 0)
            {
                _hw.Wrmsr(_fixedCtrlReg, 0);
            }
        }
        else
        {
            _hw.Wrmsr(_globalCtrlReg, 0);
            _globalStatus = _hw.Rdmsr(_globalStatusReg);
            if (_globalStatus != 0)
            {
                _hw.Wrmsr(_statusClearReg, _globalStatus);
            }
        }

        if (_bank is not null && _hw.BulkPmu is { } pmu)
        {
            // The same RDPMCs and WRMSRs in one operation over the registers resolved at creation.
            _hw.SaveAndClearCounters(pmu, _bank, _counter, _eventselHw, _fixedCounter);
        }
        else
        {
            for (int i = 0; i < _counter.Length; i++)
            {
                _counter[i] = _hw.Rdpmc((uint)i);
                if (_counter[i] != 0)
                {
                    _hw.Wrmsr(_counterRegs[i], 0);
                }

                if (_eventselHw[i] != 0)
                {
                    _hw.Wrmsr(_selectRegs[i], 0);
                }
            }

            for (int i = 0; i < _fixedCounter.Length; i++)
            {
                _fixedCounter[i] = _hw.Rdpmc(FixedRdpmc(i));
                if (_fixedCounter[i] != 0)
                {
                    _hw.Wrmsr(_fixedRegs[i], 0);
                }
            }
        }
    }

    /// <summary>
    /// The dirty-only load: restores only what the host reclaimed since the last switch (and
    /// writes GLOBAL_CTRL = 0 only when host counters were live); what is still resident is left.
    /// </summary>
    public void LoadLazy()
    {
        bool hostCounting = _perf.LoadGuestContext();
        Loaded = true;
        Loads++;
        if (hostCounting)
        {
            _hw.Wrmsr(_globalCtrlReg, 0);
        }

        if (!_lvtpcResident)
        {
            _hw.WriteLvtpc(LvtpcValues.GuestLoaded(_guestLvtpc));
            _lvtpcResident = true;
        }

        if (_bank is not null && _hw.BulkPmu is { } pmu)
        {
            // The non-resident counters' WRMSRs in one operation (no RDPMC: the lazy load does not elide).
            _hw.RestoreCounters(pmu, _bank, _counter, _eventselHw, _fixedCounter, ~_residentGp, ~_residentFixed, readFirst: false);
            _residentGp |= Bits.LowOnes(_counter.Length);
            _residentFixed |= Bits.LowOnes(_fixedCounter.Length);
        }
        else
        {
            for (int i = 0; i < _counter.Length; i++)
            {
                if (!GpResident(i))
                {
                    _hw.Wrmsr(_counterRegs[i], _counter[i]);
                    _hw.Wrmsr(_selectRegs[i], _eventselHw[i]);
                    _residentGp |= 1UL << i;
                }
            }

            for (int i = 0; i < _fixedCounter.Length; i++)
            {
                if (!FixedResident(i))
                {
                    _hw.Wrmsr(_fixedRegs[i], _fixedCounter[i]);
                    _residentFixed |= 1UL << i;
                }
            }
        }

        if (!_statusResident || (IsIntel && !_fixedCtrlResident) || (!IsIntel && !_globalCtrlResident))
        {
            LoadStatusAndControls();
        }
    }

    /// <summary>
    /// The dirty-only put: nothing moves. The guest's counters stop by themselves (Intel: VM-exit
    /// loads GLOBAL_CTRL = 0; AMD: GuestOnly), and perf reclaims, through
    /// <see cref="ReclaimForHost"/>, exactly the registers its events are about to program.
    /// </summary>
    public void PutLazy()
    {
        Puts++;
        Loaded = false;
        _perf.PutGuestContext();
    }

    /// <summary>Bit of fixed counter 0 in a <see cref="ReclaimForHost"/> mask (perf's numbering: fixed counter i is bit 32 + i).</summary>
    public const int ReclaimFixedShift = 32;

    /// <summary>
    /// perf's callback before it programs PMU registers: saves the guest's values of the counters
    /// in <paramref name="counterMask"/> (GP counter i is bit i, fixed counter i is bit 32 + i; a
    /// fixed counter also takes FIXED_CTR_CTRL, whose other fields perf rewrites) and of the global
    /// status, LVTPC and, on AMD, GLOBAL_CTL, which host counting needs, so the host can overwrite
    /// them. Only what is resident costs anything.
    /// </summary>
    public void ReclaimForHost(ulong counterMask)
    {
        for (int i = 0; i < _counter.Length && i < ReclaimFixedShift; i++)
        {
            ulong bit = 1UL << i;
            if ((counterMask & bit) != 0 && (_residentGp & bit) != 0)
            {
                _counter[i] = _hw.Rdpmc((uint)i);
                if (_eventselHw[i] != 0)
                {
                    _hw.Wrmsr(_selectRegs[i], 0);
                }

                _residentGp &= ~bit;
            }
        }

        ulong fixedMask = counterMask >> ReclaimFixedShift;
        if ((fixedMask & _residentFixed) != 0 && _fixedCtrlResident)
        {
            if (_fixedCtrlHw != 0)
            {
                _hw.Wrmsr(_fixedCtrlReg, 0);
            }

            _fixedCtrlResident = false;
        }

        for (int i = 0; i < _fixedCounter.Length; i++)
        {
            ulong bit = 1UL << i;
            if ((fixedMask & bit) != 0 && (_residentFixed & bit) != 0)
            {
                _fixedCounter[i] = _hw.Rdpmc(FixedRdpmc(i));
                _residentFixed &= ~bit;
            }
        }

        if (_statusResident)
        {
            _globalStatus = _hw.Rdmsr(_globalStatusReg);
            if (_globalStatus != 0)
            {
                _hw.Wrmsr(_statusClearReg, _globalStatus);
            }

            _statusResident = false;
        }

        if (!IsIntel && _globalCtrlResident)
        {
            _hw.Wrmsr(_globalCtrlReg, 0);
            _globalCtrlResident = false;
        }

        if (_lvtpcResident)
        {
            _hw.WriteLvtpc(LvtpcValues.DeliveryNmi);
            _lvtpcResident = false;
        }
    }

    /// <summary>VM-entry: Intel loads the guest GLOBAL_CTRL from the VMCS guest field.</summary>
    public void OnVmEntry()
    {
        if (IsIntel)
        {
            _hw.VmEntryLoadGlobalCtrl(GlobalCtrlAddress, _vmcsGuestGlobalCtrl);
        }
    }

    /// <summary>
    /// After every VM-exit: Intel saves the guest GLOBAL_CTRL into the VMCS and loads the host's
    /// 0, and KVM refreshes <c>global_ctrl</c> from the field; AMD reads GLOBAL_CTL with RDMSR
    /// when the guest may write it directly.
    /// </summary>
    public void OnVmExit()
    {
        if (IsIntel)
        {
            _vmcsGuestGlobalCtrl = _hw.VmExitSwapGlobalCtrl(GlobalCtrlAddress, 0);
            _globalCtrl = _vmcsGuestGlobalCtrl;
        }
        else
        {
            RefreshAmdGlobalCtlAfterExit();
        }
    }

    /// <summary>AMD, after VMRUN: the guest may have written GLOBAL_CTL directly; KVM reads it back.</summary>
    public void RefreshAmdGlobalCtlAfterExit()
    {
        if (!IsIntel && !Intercepts.GlobalCtrlIntercepted && _globalCtrlResident)
        {
            _globalCtrl = _hw.Rdmsr(_globalCtrlReg);
        }
    }

    /// <summary>
    /// Intel, when the VM-entry/exit controls are performed by someone else (the runtime's vCPU):
    /// the value VM-entry loads from the VMCS guest field.
    /// </summary>
    public ulong GuestGlobalCtrlForEntry => _vmcsGuestGlobalCtrl;

    /// <summary>The guest wrote a passed-through GLOBAL_CTRL directly; VM-exit would save exactly this.</summary>
    public void ObserveGuestGlobalCtrl(ulong value)
    {
        _globalCtrl = value;
        _vmcsGuestGlobalCtrl = value;
    }
}
