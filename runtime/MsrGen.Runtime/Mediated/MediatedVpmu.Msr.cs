using MsrGen.Registers;
using MsrGen.Runtime.Kvm.Pmu;

namespace MsrGen.Runtime.Mediated;

/// <summary>
/// The mediated design behind the common PMU layer (<see cref="KvmPmu"/>): the guest's values live
/// in a register file, and each one that is currently resident in the hardware is read and written
/// there instead. Which MSRs exist, their reserved bits and widths are decided in the common layer
/// and the vendor ops.
/// </summary>
public sealed partial class MediatedVpmu : IPmuDesign
{
    /// <summary>The common PMU layer over this register file (arch/x86/kvm/pmu.c).</summary>
    internal KvmPmu Pmu { get; }

    /// <summary>
    /// KVM's handler for an intercepted guest RDMSR of a PMU register, starting from a raw address.
    /// A register the vCPU does not have is a #GP for the guest (never an exception), except the
    /// P6 aliases KVM tolerates.
    /// </summary>
    public MsrAccessResult HandleRdmsr(uint address, out ulong value)
    {
        value = 0;
        if (!MsrCatalog.TryFind(address, out var reg))
        {
            return MsrAccessResult.GeneralProtection;
        }

        return Pmu.IsValidMsr(reg, hostInitiated: false) ? Pmu.GetMsr(reg, out value) : AliasOrFault(reg);
    }

    /// <summary>KVM's handler for an intercepted guest WRMSR of a PMU register, starting from a raw address.</summary>
    public MsrAccessResult HandleWrmsr(uint address, ulong value)
    {
        if (!MsrCatalog.TryFind(address, out var reg))
        {
            return MsrAccessResult.GeneralProtection;
        }

        return Pmu.IsValidMsr(reg, hostInitiated: false) ? Pmu.SetMsr(reg, value, hostInitiated: false) : AliasOrFault(reg);
    }

    /// <summary>KVM's RDPMC emulation when RDPMC exits (kvm_pmu_rdpmc()).</summary>
    public MsrAccessResult HandleRdpmc(uint ecx, out ulong value) => Pmu.Rdpmc(ecx, out value);

    /// <summary>The P6/K7 counter MSRs without a backing counter read 0 and drop writes (kvm_get/set_msr_common()).</summary>
    private static MsrAccessResult AliasOrFault(MsrRef reg) =>
        Kvm.Vcpu.IsLegacyCounterAlias(reg) ? MsrAccessResult.Ok : MsrAccessResult.GeneralProtection;

    // ---- IPmuDesign: where the mediated values live ----------------------------------------------

    PmuCaps IPmuDesign.Caps => Guest;

    int IPmuDesign.GpCounters => _counter.Length;

    int IPmuDesign.FixedCounters => _fixedCounter.Length;

    ulong IPmuDesign.ReadCounter(PmuMsr pmc) => pmc.IsFixed ? ReadFixedForKvm(pmc.Index) : ReadGuestCounterForKvm(pmc.Index);

    void IPmuDesign.WriteCounter(PmuMsr pmc, ulong value)
    {
        if (pmc.IsFixed)
        {
            WriteFixedForKvm(pmc.Index, value);
        }
        else
        {
            WriteGuestCounterForKvm(pmc.Index, value);
        }
    }

    ulong IPmuDesign.ReadEventSelect(int index) => _eventsel[index];

    void IPmuDesign.WriteEventSelect(int index, ulong value) => SetEventSelect(index, value);

    ulong IPmuDesign.FixedCtrCtrl => _fixedCtrl;

    void IPmuDesign.WriteFixedCtrCtrl(ulong value)
    {
        _fixedCtrl = value;
        RefreshFixedCtrlHw();
        if (_fixedCtrlResident)
        {
            _hw.Wrmsr(_fixedCtrlReg, _fixedCtrlHw);
        }
    }

    ulong IPmuDesign.GlobalCtrl => _globalCtrl;

    void IPmuDesign.WriteGlobalCtrl(ulong value)
    {
        _globalCtrl = value;
        if (IsIntel)
        {
            // write_global_ctrl(): the VMCS guest field, loaded at the next VM-entry.
            _vmcsGuestGlobalCtrl = value;
        }
        else if (_globalCtrlResident)
        {
            _hw.Wrmsr(_globalCtrlReg, _globalCtrl);
        }
    }

    ulong IPmuDesign.GlobalStatus => ReadGuestStatusForKvm();

    void IPmuDesign.ClearGlobalStatus(ulong bits) => ClearGuestStatusBits(bits);

    void IPmuDesign.SetGlobalStatus(ulong bits) => SetGuestStatusBits(bits);

    void IPmuDesign.RestoreGlobalStatus(ulong value)
    {
        ClearGuestStatusBits(ReadGuestStatusForKvm() & ~value);
        SetGuestStatusBits(value & ~ReadGuestStatusForKvm());
    }

    /// <summary>The enables reach the hardware through the event selects: recompute those of the changed GP counters.</summary>
    void IPmuDesign.ReprogramCounters(ulong diff)
    {
        for (int i = 0; i < _eventsel.Length; i++)
        {
            if ((diff & (1UL << i)) != 0)
            {
                SetEventSelect(i, _eventsel[i]);
            }
        }
    }

    private void SetEventSelect(int i, ulong value)
    {
        _eventsel[i] = value;
        RefreshEventSelectHw(i);
        if (GpResident(i))
        {
            _hw.Wrmsr(_selectRegs[i], _eventselHw[i]);
        }
    }

    // ---- KVM's own reads and writes of guest state, wherever it lives -------------------------

    private ulong ReadGuestCounterForKvm(int i) => GpResident(i) ? _hw.Rdpmc((uint)i) : _counter[i];

    private void WriteGuestCounterForKvm(int i, ulong value)
    {
        _counter[i] = value;
        if (GpResident(i))
        {
            _hw.Wrmsr(_counterRegs[i], value);
        }
    }

    private ulong ReadFixedForKvm(int i) => FixedResident(i) ? _hw.Rdpmc(FixedRdpmc(i)) : _fixedCounter[i];

    private void WriteFixedForKvm(int i, ulong value)
    {
        _fixedCounter[i] = value;
        if (FixedResident(i))
        {
            _hw.Wrmsr(_fixedRegs[i], value);
        }
    }

    private ulong ReadGuestStatusForKvm() => _statusResident ? _hw.Rdmsr(_globalStatusReg) : _globalStatus;

    private void SetGuestStatusBits(ulong bits)
    {
        _globalStatus |= bits;
        if (_statusResident)
        {
            _hw.Wrmsr(_statusSetReg, bits);
        }
    }

    private void ClearGuestStatusBits(ulong bits)
    {
        _globalStatus &= ~bits;
        if (_statusResident)
        {
            _hw.Wrmsr(_statusClearReg, bits);
        }
    }
}
