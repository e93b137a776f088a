using MsrGen.Registers;
using MsrGen.Runtime.Mediated;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>A host CPU, its physical PMU, host perf and one mediated vCPU, wired as KVM would.</summary>
internal sealed class MediatedRig
{
    public static readonly PmuCaps IntelHost = new(
        CpuVendor.Intel, Version: 5, GpCounters: 8, FixedCounters: 3, GpWidth: 48, FixedWidth: 48,
        PerfCapabilities: PmuCaps.PerfCapFullWidthWrites | PmuCaps.PerfCapPebsBaseline | 0x400 | 0x5,
        LbrDepth: 32, Features: PmuFeatures.Pdcm);

    public static readonly PmuCaps AmdHost = new(
        CpuVendor.Amd, Version: 2, GpCounters: 6, FixedCounters: 0, GpWidth: 48, FixedWidth: 0,
        PerfCapabilities: 0, LbrDepth: 0, Features: PmuFeatures.PerfctrCore | PmuFeatures.PerfmonV2);

    public MediatedRig(PmuCaps host, SwitchPlacement placement = SwitchPlacement.RunLoop, PmuCaps? requestedGuest = null,
        HostEventCallbackMode mode = HostEventCallbackMode.Callback, bool trace = false)
    {
        Cpu = new RegisterFilePmu(host);
        Access = new PmuAccess(Cpu);
        if (trace)
        {
            Access.Trace = new System.Collections.Generic.List<PmuAccessRecord>();
        }

        Guest = MediatedPmuSupport.DeriveGuest(requestedGuest ?? host, host, mediated: true);
        Intercepts = new MediatedIntercepts(Guest, host, mediated: true, vmwareBackdoor: false);
        Perf = new HostPerfCpu(Access, mode);
        Pmu = new MediatedVpmu(Guest, Access, Perf, Intercepts);
        Vcpu = new MediatedVcpu(Pmu, Cpu, Perf, placement);
    }

    public RegisterFilePmu Cpu { get; }
    public PmuAccess Access { get; }
    public PmuCaps Guest { get; }
    public MediatedIntercepts Intercepts { get; }
    public HostPerfCpu Perf { get; }
    public MediatedVpmu Pmu { get; }
    public MediatedVcpu Vcpu { get; }

    public bool IsIntel => Cpu.Caps.IsIntel;

    public uint EventSelectAddress(int i) => IsIntel ? Ia32Perfevtsel.AddressOf(i) : MsrF15hPerfCtl.AddressOf(i);
    public uint CounterAddress(int i) => IsIntel ? Ia32APmc.AddressOf(i) : MsrF15hPerfCtr.AddressOf(i);
    public uint GlobalCtrlAddress => IsIntel ? Ia32PerfGlobalCtrl.Address : MsrAmd64PerfCntrGlobalCtl.Address;
    public uint GlobalStatusAddress => IsIntel ? Ia32PerfGlobalStatus.Address : MsrAmd64PerfCntrGlobalStatus.Address;

    /// <summary>The guest programs counter i to count instructions (USR+OS+EN, optionally INT).</summary>
    public void GuestCountInstructions(int i, bool interrupt = false) =>
        Assert.AreEqual(MsrAccessResult.Ok, Vcpu.GuestWrmsr(EventSelectAddress(i), PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, interrupt)));
}
