using System;
using CsCheck;
using MsrGen.Registers;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Tests.Properties;

/// <summary>
/// Random guest MSR / RDPMC sequences on every preset, both vendors, each vPMU mode the runtime
/// ships: nothing throws, every outcome is a value or a #GP, and a counter reads back what the
/// guest wrote plus what it counted.
/// </summary>
[TestClass]
public sealed class GuestAccessPropertyTests
{
    private static readonly string[] Presets = { "intel-v2", "skylake-server", "icelake-server", "sapphire-rapids", "zen4" };

    // Interesting addresses (every catalog register's first instances) plus anything at all.
    private static readonly Gen<uint> Address = Gen.OneOf(
        Gen.OneOf(CatalogAddresses()),
        Gen.UInt,
        Gen.UInt[0xC0, 0xC9],
        Gen.UInt[0x186, 0x190],
        Gen.UInt[0xC0010000, 0xC001020C]);

    private static readonly Gen<ulong> Value = Gen.OneOf(Gen.ULong, Gen.ULong[0, 0x1_0000_0000], Gen.OneOf(0UL, ulong.MaxValue, 0x4300C0UL, 0x5300C0UL, 0xFUL));

    private static readonly Gen<uint> Ecx = Gen.OneOf(Gen.UInt, Gen.UInt[0, 8], Gen.UInt[0x4000_0000, 0x4000_0004], Gen.OneOf(0x2000_0000u, 0x8000_0000u, 0x10000u));

    private static uint[] CatalogAddresses()
    {
        var addresses = new System.Collections.Generic.List<uint>();
        foreach (var id in MsrCatalog.Ids)
        {
            var d = MsrCatalog.Describe(id)!;
            for (int n = 0; n < Math.Min(d.MaxInstances, 9); n++)
            {
                addresses.Add(d.AddressOf(n));
            }
        }

        return addresses.ToArray();
    }

    private enum Op
    {
        Rdmsr,
        Wrmsr,
        Rdpmc,
        Run,
        HostWrmsr,
        Cpl,
        Emulate,
        Sched,
    }

    [TestMethod]
    public void RandomSequencesNeverThrowAndEveryOutcomeIsValueOrFault()
    {
        var step = Gen.Select(Gen.Enum<Op>(), Address, Value, Ecx);
        var scenario = Gen.Select(Gen.OneOf(Presets), Gen.OneOf(VpmuMode.Emulated, VpmuMode.Off), Gen.Bool, step.Array[1, 40]);
        scenario.Sample((preset, mode, grouped, steps) =>
        {
            var host = TestSupport.Host(preset);
            var creation = Vm.Create(host, new VmRequest { Mode = mode, GroupedMetrics = grouped && host.Caps.PerfMetrics });
            Assert.IsTrue(creation.Succeeded, creation.Message);
            var vcpu = creation.Vm!.Vcpus[0];
            vcpu.Lvtpc = 0xFE;
            foreach (var (op, address, value, ecx) in steps)
            {
                switch (op)
                {
                    case Op.Rdmsr:
                        var read = vcpu.GuestRdmsr(address);
                        Assert.IsTrue(!read.Faulted || read.Value == 0);
                        break;
                    case Op.Wrmsr:
                        vcpu.GuestWrmsr(address, value);
                        break;
                    case Op.Rdpmc:
                        vcpu.GuestRdpmc(ecx);
                        break;
                    case Op.Run:
                        vcpu.GuestRun(TestSupport.Batch((0xC0UL, value % 100_000), (0xC4UL, value % 7_000), (0x76UL, value % 50_000)));
                        break;
                    case Op.HostWrmsr:
                        vcpu.HostSetMsr(address, value);
                        break;
                    case Op.Cpl:
                        vcpu.Cpl = (int)(value & 1) * 3;
                        vcpu.Cr4Pce = (value & 2) != 0;
                        break;
                    case Op.Emulate:
                        vcpu.GuestEmulate(value % 4, value % 2);
                        break;
                    case Op.Sched:
                        vcpu.SchedOut();
                        vcpu.SchedIn();
                        break;
                }
            }

            creation.Vm.Destroy();
            Assert.AreEqual(0, host.Cpu(0).Perf.Events.Count, "destroying the VM releases every perf event");
        }, iter: 300);
    }

    [TestMethod]
    public void CounterReadsBackWhatWasWrittenPlusWhatWasCounted()
    {
        var gen = Gen.Select(Gen.OneOf(Presets), Gen.Int[0, 3], Gen.ULong, Gen.ULong[0, 5_000_000], Gen.Bool);
        gen.Sample((preset, index, written, retired, user) =>
        {
            var host = TestSupport.Host(preset);
            var vcpu = TestSupport.Vm(host, new VmRequest()).Vcpus[0];
            var caps = vcpu.GuestCaps;
            ulong mask = caps.GpCounterMask;
            bool intel = caps.IsIntel;
            ulong sel = intel
                ? Ia32Perfevtsel.Zero.WithEventSelect(0xC0).WithUsr(true).WithOs(true).WithEn(true).Value
                : MsrF15hPerfCtl.Zero.WithEventSelect(0xC0).WithUsr(true).WithOs(true).WithEn(true).Value;
            uint counter = intel ? (caps.FullWidthWrites ? Ia32APmc.AddressOf(index) : Ia32Pmc.AddressOf(index)) : MsrF15hPerfCtr.AddressOf(index);
            uint control = intel ? Ia32Perfevtsel.AddressOf(index) : MsrF15hPerfCtl.AddressOf(index);
            uint global = intel ? Ia32PerfGlobalCtrl.Address : MsrAmd64PerfCntrGlobalCtl.Address;
            ulong value = intel && !caps.FullWidthWrites ? (ulong)(long)(int)(uint)written & mask : written & mask;

            Assert.IsFalse(vcpu.GuestWrmsr(global, 0).Faulted);
            Assert.IsFalse(vcpu.GuestWrmsr(counter, value).Faulted);
            Assert.IsFalse(vcpu.GuestWrmsr(control, sel).Faulted);
            Assert.IsFalse(vcpu.GuestWrmsr(global, 1UL << index).Faulted);
            vcpu.Cpl = user ? 3 : 0;
            vcpu.GuestRun(TestSupport.Batch((0xC0UL, retired)));
            vcpu.Cpl = 0;
            Assert.IsFalse(vcpu.GuestWrmsr(global, 0).Faulted);
            var read = vcpu.GuestRdmsr(counter);
            Assert.IsFalse(read.Faulted);
            // +1: the WRMSR that enabled the counter retires (emulated) while the counter is enabled.
            Assert.AreEqual((value + retired + 1) & mask, read.Value);
        }, iter: 200);
    }
}
