using System;
using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Scenarios;

namespace MsrGen.Benchmarks.Runtime;

/// <summary>
/// A one-vCPU guest of either design on an Intel or AMD preset, with the vendor's counter
/// addresses (architectural MSRs on Intel, the F15h core counters on AMD) for the benchmarks.
/// </summary>
internal sealed class BenchmarkGuest
{
    private BenchmarkGuest(Vcpu vcpu) => Vcpu = vcpu;

    public Vcpu Vcpu { get; }

    private bool Amd => Vcpu.GuestCaps.IsAmd;

    /// <summary>
    /// A guest of <paramref name="design"/> on <paramref name="preset"/>; <paramref name="placement"/>
    /// is the mediated design's <c>placement=</c> option (null: the default, <c>run-loop</c>).
    /// </summary>
    public static BenchmarkGuest Create(string preset, VpmuMode design, string? placement = null)
    {
        var parameters = new KvmModuleParameters { EnableMediatedPmu = design == VpmuMode.Mediated };
        var host = new HostMachine(PmuPresets.Get(preset), parameters);
        var options = new Dictionary<string, string>();
        if (placement is not null)
        {
            options["placement"] = placement;
        }

        var creation = Vm.Create(host, new VmRequest { Mode = design, Options = options });
        if (creation.Vm is null)
        {
            throw new InvalidOperationException($"{preset} {design}: {creation.Message}");
        }

        return new BenchmarkGuest(creation.Vm.Vcpus[0]);
    }

    public uint EventSelect(int n) => Amd ? MsrF15hPerfCtl.AddressOf(n) : Ia32Perfevtsel.AddressOf(n);

    public uint Counter(int n) => Amd ? MsrF15hPerfCtr.AddressOf(n) : Ia32APmc.AddressOf(n);

    private uint GlobalCtrl => Amd ? MsrAmd64PerfCntrGlobalCtl.Address : Ia32PerfGlobalCtrl.Address;

    /// <summary>
    /// Counters 0.. count instructions (counter 0) and branches (counter 1) at CPL 0 and 3, with
    /// the PMI bit when sampling; GLOBAL_CTRL enables exactly them.
    /// </summary>
    public void Program(int counters, bool sampling)
    {
        Vcpu.Lvtpc = 0xFE;
        ulong instructions = HardwareEvent.Encode(EventKind.Instructions, Vcpu.GuestCaps.Vendor);
        ulong branches = HardwareEvent.Encode(EventKind.Branches, Vcpu.GuestCaps.Vendor);
        Check(Vcpu.GuestWrmsr(GlobalCtrl, 0));
        for (int i = 0; i < counters; i++)
        {
            ulong select = Select(i == 0 ? instructions : branches, sampling);
            Check(Vcpu.GuestWrmsr(EventSelect(i), select));
        }

        Check(Vcpu.GuestWrmsr(GlobalCtrl, (1UL << counters) - 1));
    }

    /// <summary>An event select word: the event (with AMD's extended event bits), USR, OS, INT, EN.</summary>
    private static ulong Select(ulong encodedEvent, bool sampling)
    {
        ulong select = (encodedEvent & HardwareEvent.IdentityMask) | 1UL << 16 | 1UL << 17 | 1UL << 22;
        return sampling ? select | 1UL << 20 : select;
    }

    private static void Check(GuestAccess access)
    {
        if (access.Faulted)
        {
            throw new InvalidOperationException("benchmark set-up: a guest MSR write faulted");
        }
    }
}
