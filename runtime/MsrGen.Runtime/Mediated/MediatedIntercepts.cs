using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated;

/// <summary>The VMX controls KVM sets for a mediated vCPU so GLOBAL_CTRL switches with the transition.</summary>
public readonly record struct GlobalCtrlTransitionControls(bool EntryLoad, bool ExitLoad, bool ExitSave, ulong HostValue);

/// <summary>
/// The mediated vPMU's intercept decisions for one vCPU: the MSR bitmap (VMX) or permission map
/// (SVM) in hardware layout, built by the generated catalog from the definitions' policies, and
/// the RDPMC and GLOBAL_CTRL rules of arch/x86/kvm/vmx/vmx.c vmx_recalc_pmu_msr_intercepts().
/// </summary>
public sealed class MediatedIntercepts
{
    private readonly VmxMsrBitmap? _vmx;
    private readonly SvmMsrPermissionMap? _svm;

    public MediatedIntercepts(in PmuCaps guest, in PmuCaps host, bool mediated, bool vmwareBackdoor, MsrProfile profile = MsrProfile.Upstream)
    {
        Guest = guest;
        Host = host;
        Mediated = mediated;
        var mode = mediated ? VpmuMode.Mediated : VpmuMode.Emulated;
        if (host.IsIntel)
        {
            _vmx = MsrCatalog.BuildVmxBitmap(mode, guest, host, profile);
        }
        else
        {
            _svm = MsrCatalog.BuildSvmPermissionMap(mode, guest, host, profile);
        }

        RdpmcIntercepted = NeedRdpmcIntercept(guest, host, mediated, vmwareBackdoor);
        GlobalCtrlIntercepted = NeedGlobalCtrlIntercept(guest, host, mediated);
    }

    public PmuCaps Guest { get; }
    public PmuCaps Host { get; }
    public bool Mediated { get; }
    public VmxMsrBitmap? VmxBitmap => _vmx;
    public SvmMsrPermissionMap? SvmPermissionMap => _svm;

    /// <summary>RDPMC exiting (VMX) / the RDPMC intercept (SVM).</summary>
    public bool RdpmcIntercepted { get; }

    /// <summary><c>kvm_need_perf_global_ctrl_intercept()</c>.</summary>
    public bool GlobalCtrlIntercepted { get; }

    /// <summary>Whether a guest RDMSR/WRMSR of <paramref name="address"/> exits.</summary>
    public bool Intercepts(uint address, bool write) =>
        _vmx?.Intercepts(address, write) ?? _svm!.Intercepts(address, write);

    /// <summary>
    /// Intel: GLOBAL_CTRL is loaded at VM-entry from the VMCS guest field, and at VM-exit saved
    /// there and replaced by the host value 0 (AMD has no such controls: KVM uses WRMSR/RDMSR).
    /// </summary>
    public GlobalCtrlTransitionControls TransitionControls =>
        Host.IsIntel && Mediated ? new GlobalCtrlTransitionControls(true, true, true, 0) : default;

    /// <summary>
    /// <c>!kvm_need_rdpmc_intercept()</c>: RDPMC passes through only for a mediated vCPU, without
    /// the VMware backdoor pseudo-PMCs, whose counter counts and widths equal the host's.
    /// </summary>
    public static bool NeedRdpmcIntercept(in PmuCaps guest, in PmuCaps host, bool mediated, bool vmwareBackdoor)
    {
        if (!mediated || guest.Version == 0)
        {
            return true;
        }

        if (vmwareBackdoor || guest.GpCounters != host.GpCounters || guest.GpWidth != host.GpWidth)
        {
            return true;
        }

        return host.IsIntel && (guest.FixedCounters != host.FixedCounters || guest.FixedWidth != host.FixedWidth);
    }

    /// <summary>
    /// <c>kvm_need_perf_global_ctrl_intercept()</c>: the global MSRs pass through only for a
    /// mediated vCPU with version &gt; 1 whose GP and fixed counts equal the host's, as the
    /// generated GLOBAL_CTRL policy states it.
    /// </summary>
    public static bool NeedGlobalCtrlIntercept(in PmuCaps guest, in PmuCaps host, bool mediated)
    {
        if (!mediated)
        {
            return true;
        }

        var policy = host.IsIntel
            ? Ia32PerfGlobalCtrl.InterceptPolicy(VpmuMode.Mediated, guest, host)
            : MsrAmd64PerfCntrGlobalCtl.InterceptPolicy(VpmuMode.Mediated, guest, host);
        return policy != MsrIntercept.None;
    }
}
