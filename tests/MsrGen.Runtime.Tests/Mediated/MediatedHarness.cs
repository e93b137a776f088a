using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>
/// One mediated vCPU on the real runtime: a <see cref="HostMachine"/> with enable_mediated_pmu on,
/// a <c>vpmu=mediated</c> VM with the placement and host-callback options a <c>vm</c> line would
/// carry, and short names for what the tests look at (the vCPU, its mediated state, the physical
/// PMU and host perf of its CPU).
/// </summary>
internal sealed class MediatedHarness
{
    /// <summary>An Intel host of PMU version 5 with 8 GP and 3 fixed counters, full-width writes.</summary>
    public static readonly PmuCaps IntelHost = new(
        CpuVendor.Intel, Version: 5, GpCounters: 8, FixedCounters: 3, GpWidth: 48, FixedWidth: 48,
        PerfCapabilities: PmuCaps.PerfCapFullWidthWrites | PmuCaps.PerfCapPebsBaseline | 0x400 | 0x5,
        LbrDepth: 32, Features: PmuFeatures.Pdcm);

    /// <summary>An AMD PerfMonV2 host with 6 core counters.</summary>
    public static readonly PmuCaps AmdHost = new(
        CpuVendor.Amd, Version: 2, GpCounters: 6, FixedCounters: 0, GpWidth: 48, FixedWidth: 0,
        PerfCapabilities: 0, LbrDepth: 0, Features: PmuFeatures.PerfctrCore | PmuFeatures.PerfmonV2);

    private readonly EventBatch _batch = new();

    public MediatedHarness(PmuCaps host, string placement = "run-loop", string hostCallback = "on", bool replaySwitches = true)
    {
        var model = PmuPresets.Get(host.IsIntel ? "sapphire-rapids" : "zen4") with { Caps = host };
        Host = new HostMachine(model, new KvmModuleParameters { EnableMediatedPmu = true }) { ReplaySwitches = replaySwitches };
        var request = new VmRequest
        {
            Mode = VpmuMode.Mediated,
            Options = new Dictionary<string, string> { ["placement"] = placement, ["host-callback"] = hostCallback },
        };
        Vm = TestSupport.Vm(Host, request);
        Vcpu = Vm.Vcpus[0];
    }

    public HostMachine Host { get; }
    public Vm Vm { get; }
    public Vcpu Vcpu { get; }
    public PhysicalPmu Cpu => Vcpu.Cpu.Pmu;
    public HostPerfContext Perf => Vcpu.Cpu.Perf;

    /// <summary>The mediated vPMU's state (re-read: a PERF_CAPABILITIES write rebuilds it).</summary>
    public MediatedVpmu Pmu => ((MediatedRuntimeVpmu)Vcpu.Pmu).State;

    public PmuCaps Guest => Vcpu.GuestCaps;
    public bool IsIntel => Host.Caps.IsIntel;

    public uint EventSelectAddress(int i) => IsIntel ? Ia32Perfevtsel.AddressOf(i) : MsrF15hPerfCtl.AddressOf(i);
    public uint CounterAddress(int i) => IsIntel ? Ia32APmc.AddressOf(i) : MsrF15hPerfCtr.AddressOf(i);

    /// <summary>The guest programs counter i to count instructions (USR+OS+EN, optionally INT): an intercepted WRMSR.</summary>
    public void GuestCountInstructions(int i, bool interrupt = false) =>
        Assert.IsFalse(Vcpu.GuestWrmsr(EventSelectAddress(i), PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, interrupt)).Faulted);

    /// <summary>The guest retires instructions (and branches) natively at its current CPL.</summary>
    public void GuestRun(ulong instructions, ulong branches = 0)
    {
        var vendor = Host.Caps.Vendor;
        _batch.Clear().Add(HardwareEvent.Encode(EventKind.Instructions, vendor), instructions);
        if (branches != 0)
        {
            _batch.Add(HardwareEvent.Encode(EventKind.Branches, vendor), branches);
        }

        Vcpu.GuestRun(_batch);
    }

    /// <summary>Host user code runs on the vCPU's CPU with the vCPU task back in userspace.</summary>
    public void HostRun(ulong instructions)
    {
        Vcpu.ExitToUserspace();
        _batch.Clear().Add(HardwareEvent.Encode(EventKind.Instructions, Host.Caps.Vendor), instructions);
        Perf.RunHost(_batch, cpl: 3);
    }

    /// <summary>A host exclude_guest instructions event on the vCPU's CPU, opened disabled.</summary>
    public PerfEvent OpenHostInstructions(string name, bool disabled = true, ulong samplePeriod = 0)
    {
        var attr = new PerfEventAttr
        {
            Config = HardwareEvent.EncodeForPerf(EventSpec.Named(EventKind.Instructions), Host.Caps.Vendor),
            ExcludeGuest = true,
            Disabled = disabled,
            SamplePeriod = samplePeriod,
            Cpu = Vcpu.Cpu.Index,
        };
        Assert.AreEqual(PerfError.None, Perf.Open(name, attr, null, null, null, out var perfEvent));
        return perfEvent!;
    }

    /// <summary>
    /// Host perf enables an event with the vCPU task at <paramref name="at"/>, as the scenario
    /// runner's <c>host perf enable NAME at=</c> does: in guest mode the enabling IPI exits first,
    /// in the run loop it lands between an exit and the next entry, outside KVM_RUN in userspace.
    /// </summary>
    public void EnableHostEvent(PerfEvent perfEvent, PerfEnablePoint at)
    {
        switch (at)
        {
            case PerfEnablePoint.GuestMode:
                Vcpu.InterruptGuest();
                break;
            case PerfEnablePoint.RunLoop:
                Vcpu.StopInRunLoop();
                break;
            default:
                Vcpu.ExitToUserspace();
                break;
        }

        Perf.Enable(perfEvent);
    }
}
