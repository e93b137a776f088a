using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm;

/// <summary>A guest or host MSR access after its one catalog lookup: the address, and the register when the catalog knows it.</summary>
public readonly record struct ResolvedMsr(uint Address, bool Known, MsrRef Register);

/// <summary>IA32_PERF_CAPABILITIES writes (arch/x86/kvm/x86.c kvm_set_msr_common(), vmx/vmx.c vmx_set_msr()).</summary>
public sealed partial class Vcpu
{
    /// <summary>
    /// Guest writes #GP; the host may set nothing outside kvm_caps.supported_perf_cap, needs PDCM
    /// for a non-zero value, cannot change it after the first KVM_RUN, may give LBR_FMT only as 0
    /// or KVM's, and PEBS only off or exactly KVM's PEBS bits with DS in the guest. An accepted
    /// change refreshes the vPMU (kvm_pmu_refresh()), which the design may refuse while its state
    /// is in the hardware.
    /// </summary>
    private MsrAccessResult SetPerfCapabilities(ulong value, bool hostInitiated)
    {
        var caps = GuestCaps;
        if (!hostInitiated || (!caps.Has(PmuFeatures.Pdcm) && value != 0))
        {
            return MsrAccessResult.GeneralProtection;
        }

        ulong supported = Vm.Config.Supported.SupportedPerfCapabilities;
        if ((value & ~supported) != 0)
        {
            return MsrAccessResult.GeneralProtection;
        }

        if (value == caps.PerfCapabilities)
        {
            return MsrAccessResult.Ok;
        }

        if (HasRun || !Pmu.CanRefresh)
        {
            return MsrAccessResult.GeneralProtection;
        }

        const ulong lbrFormat = 0x3F;
        ulong pebsMask = Ia32PerfCapabilities.Zero.WithPebsTrap(true).WithPebsArchReg(true).WithPebsFormat(0xF).WithPebsBaseline(true).Value;
        if ((value & lbrFormat) != 0 && (value & lbrFormat) != (supported & lbrFormat))
        {
            return MsrAccessResult.GeneralProtection;
        }

        if (Ia32PerfCapabilities.FromRawUnchecked(value).PebsFormat != 0 &&
            ((value & pebsMask) != (supported & pebsMask) || !caps.Has(PmuFeatures.Ds)))
        {
            return MsrAccessResult.GeneralProtection;
        }

        GuestCaps = caps with { PerfCapabilities = value };
        Pmu.Refresh();
        RebuildIntercepts();
        return MsrAccessResult.Ok;
    }
}
