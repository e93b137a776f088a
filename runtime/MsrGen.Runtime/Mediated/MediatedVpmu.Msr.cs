using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated;

public sealed partial class MediatedVpmu
{
    /// <summary>
    /// KVM's handler for an intercepted guest RDMSR of a PMU register. A register the vCPU does
    /// not have is a #GP for the guest (never an exception), except the P6 aliases KVM tolerates.
    /// </summary>
    public MsrAccessResult HandleRdmsr(uint address, out ulong value)
    {
        value = 0;
        if (!MsrCatalog.TryFind(address, out var reg))
        {
            return MsrAccessResult.GeneralProtection;
        }

        int i = reg.Index;
        if (!MsrCatalog.Exists(reg, Guest))
        {
            return IsP6Alias(reg) ? MsrAccessResult.Ok : MsrAccessResult.GeneralProtection;
        }

        switch (reg.Id)
        {
            case MsrId.Ia32Pmc or MsrId.Ia32APmc or MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr when i < _counter.Length:
                value = ReadGuestCounterForKvm(i);
                return MsrAccessResult.Ok;
            case MsrId.Ia32Perfevtsel or MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl when i < _eventsel.Length:
                value = _eventsel[i];
                return MsrAccessResult.Ok;
            case MsrId.Ia32FixedCtr:
                value = ReadFixedForKvm(i);
                return MsrAccessResult.Ok;
            case MsrId.Ia32FixedCtrCtrl:
                value = _fixedCtrl;
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalCtrl or MsrId.MsrAmd64PerfCntrGlobalCtl:
                value = _globalCtrl;
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalStatus or MsrId.MsrAmd64PerfCntrGlobalStatus:
                value = ReadGuestStatusForKvm();
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalOvfCtrl or MsrId.MsrAmd64PerfCntrGlobalStatusClr or MsrId.MsrAmd64PerfCntrGlobalStatusSet:
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfCapabilities:
                value = Guest.PerfCapabilities;
                return MsrAccessResult.Ok;
            default:
                // GLOBAL_STATUS_SET is KVM's own tool, PEBS and LBR are withheld: not guest registers.
                return MsrAccessResult.GeneralProtection;
        }
    }

    /// <summary>KVM's handler for an intercepted guest WRMSR of a PMU register.</summary>
    public MsrAccessResult HandleWrmsr(uint address, ulong value)
    {
        if (!MsrCatalog.TryFind(address, out var reg))
        {
            return MsrAccessResult.GeneralProtection;
        }

        int i = reg.Index;
        if (!MsrCatalog.Exists(reg, Guest))
        {
            return IsP6Alias(reg) ? MsrAccessResult.Ok : MsrAccessResult.GeneralProtection;
        }

        switch (reg.Id)
        {
            case MsrId.Ia32Pmc when i < _counter.Length:
                WriteGuestCounterForKvm(i, (ulong)(long)(int)(uint)value & Guest.GpCounterMask);
                return MsrAccessResult.Ok;
            case MsrId.Ia32APmc when i < _counter.Length:
                if ((value & ~Guest.GpCounterMask) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                WriteGuestCounterForKvm(i, value);
                return MsrAccessResult.Ok;
            case MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr when i < _counter.Length:
                WriteGuestCounterForKvm(i, value & Guest.GpCounterMask);
                return MsrAccessResult.Ok;
            case MsrId.Ia32Perfevtsel when i < _eventsel.Length:
                if ((value & Ia32Perfevtsel.ReservedMask(Guest, i)) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                SetEventSelect(i, value);
                return MsrAccessResult.Ok;
            case MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl when i < _eventsel.Length:
                // AMD drops reserved bits silently (including Guest/Host-only for the guest's view).
                SetEventSelect(i, value & ~MsrF15hPerfCtl.ReservedMask(Guest, i));
                return MsrAccessResult.Ok;
            case MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr or MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl:
                // K7 aliases beyond the guest's counters: KVM finds no PMC for them.
                return MsrAccessResult.GeneralProtection;
            case MsrId.Ia32FixedCtr:
                WriteFixedForKvm(i, value & Guest.FixedCounterMask);
                return MsrAccessResult.Ok;
            case MsrId.Ia32FixedCtrCtrl:
                if ((value & Ia32FixedCtrCtrl.ReservedMask(Guest)) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                _fixedCtrl = value;
                RefreshFixedCtrlHw();
                if (_fixedCtrlResident)
                {
                    _hw.Wrmsr(Ia32FixedCtrCtrl.Address, _fixedCtrlHw);
                }

                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalCtrl:
                if ((value & Ia32PerfGlobalCtrl.ReservedMask(Guest)) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                // write_global_ctrl(): software copy and, for a mediated vCPU, the VMCS guest field.
                _globalCtrl = value;
                _vmcsGuestGlobalCtrl = value;
                return MsrAccessResult.Ok;
            case MsrId.MsrAmd64PerfCntrGlobalCtl:
                _globalCtrl = value & ~MsrAmd64PerfCntrGlobalCtl.ReservedMask(Guest);
                if (_globalCtrlResident)
                {
                    _hw.Wrmsr(MsrAmd64PerfCntrGlobalCtl.Address, _globalCtrl);
                }

                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalOvfCtrl:
                if ((value & Ia32PerfGlobalOvfCtrl.ReservedMask(Guest)) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                ClearGuestStatusBits(value);
                return MsrAccessResult.Ok;
            case MsrId.MsrAmd64PerfCntrGlobalStatus:
                return MsrAccessResult.Ok;
            case MsrId.MsrAmd64PerfCntrGlobalStatusClr:
                ClearGuestStatusBits(value);
                return MsrAccessResult.Ok;
            case MsrId.MsrAmd64PerfCntrGlobalStatusSet:
                SetGuestStatusBits(value & ~MsrAmd64PerfCntrGlobalStatus.ReservedMask(Guest));
                return MsrAccessResult.Ok;
            default:
                // Read-only (GLOBAL_STATUS, PERF_CAPABILITIES) or not offered (STATUS_SET, PEBS, LBR).
                return MsrAccessResult.GeneralProtection;
        }
    }

    /// <summary>
    /// KVM's RDPMC emulation when RDPMC exits. Intel: ECX[31:16] is the counter type (0 GP,
    /// 0x4000 fixed; anything else, the old "fast" bit included, is a #GP), ECX[15:0] the index.
    /// </summary>
    public MsrAccessResult HandleRdpmc(uint ecx, out ulong value)
    {
        value = 0;
        if (IsIntel && (ecx >> 16) is not 0 and not (FixedRdpmcBase >> 16))
        {
            return MsrAccessResult.GeneralProtection;
        }

        uint index = IsIntel ? ecx & 0xFFFF : ecx;
        if (IsIntel && (ecx & FixedRdpmcBase) != 0)
        {
            if (index >= (uint)_fixedCounter.Length)
            {
                return MsrAccessResult.GeneralProtection;
            }

            value = ReadFixedForKvm((int)index);
        }
        else if (index < (uint)_counter.Length)
        {
            value = ReadGuestCounterForKvm((int)index);
        }
        else
        {
            return MsrAccessResult.GeneralProtection;
        }

        return MsrAccessResult.Ok;
    }

    /// <summary>
    /// A host-initiated write (KVM_SET_MSRS): GLOBAL_STATUS may be restored (reserved bits
    /// refused), OVF_CTRL / STATUS_CLR / STATUS_SET are accepted with no effect, and the legacy
    /// counter alias takes the value unextended; everything else as for the guest.
    /// </summary>
    public MsrAccessResult HandleHostWrmsr(uint address, ulong value)
    {
        if (!MsrCatalog.TryFind(address, out var reg) || !MsrCatalog.Exists(reg, Guest))
        {
            return HandleWrmsr(address, value);
        }

        switch (reg.Id)
        {
            case MsrId.Ia32PerfGlobalStatus or MsrId.MsrAmd64PerfCntrGlobalStatus:
                if ((value & MsrCatalog.ReservedMask(reg, Guest)) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                ClearGuestStatusBits(ReadGuestStatusForKvm() & ~value);
                SetGuestStatusBits(value & ~ReadGuestStatusForKvm());
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalOvfCtrl or MsrId.MsrAmd64PerfCntrGlobalStatusClr or MsrId.MsrAmd64PerfCntrGlobalStatusSet:
                return MsrAccessResult.Ok;
            case MsrId.Ia32Pmc when reg.Index < _counter.Length:
                WriteGuestCounterForKvm(reg.Index, value & Guest.GpCounterMask);
                return MsrAccessResult.Ok;
            default:
                return HandleWrmsr(address, value);
        }
    }

    private void SetEventSelect(int i, ulong value)
    {
        _eventsel[i] = value;
        RefreshEventSelectHw(i);
        if (GpResident(i))
        {
            _hw.Wrmsr(EventSelectAddress(i), _eventselHw[i]);
        }
    }

    /// <summary>MSR_P6_PERFCTR0/1 and MSR_P6_EVNTSEL0/1 without a backing counter: reads 0, writes dropped.</summary>
    private bool IsP6Alias(MsrRef reg) =>
        IsIntel && reg.Index < 2 && reg.Id is MsrId.Ia32Pmc or MsrId.Ia32Perfevtsel;
}
