using System.Linq;
using CsCheck;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Lbr;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class KvmGuestLbrModelTests
{
    private static Vm CreateVm(VmRequest request)
    {
        var host = new HostMachine(PmuPresets.Get("skylake-server"));
        var created = Vm.Create(host, request);
        Assert.IsTrue(created.Succeeded, created.Message);
        return created.Vm!;
    }

    [TestMethod]
    public void TheRegistryFindsEveryStrategyAndDefaultsToKvmForAnEmulatedLbrGuest()
    {
        foreach (string name in new[] { "pv", "lazy", "timer", "kvm", "always", "none" })
        {
            Assert.IsInstanceOfType<KvmGuestLbrModelFactory>(VpmuRegistry.ForLbrStrategy(name), name);
        }

        var vm = CreateVm(new VmRequest { Mode = VpmuMode.Emulated });
        Assert.AreEqual("kvm", vm.LbrStrategy);
        var model = (KvmGuestLbrModel)vm.Vcpus[0].Lbr!;
        Assert.AreEqual(LbrStrategyKind.Kvm, model.World.Vcpu.Strategy.Kind);
    }

    [TestMethod]
    public void TheVcpuRoutesDebugctlAndLbrMsrsToTheModel()
    {
        var vm = CreateVm(new VmRequest { Mode = VpmuMode.Emulated, Lbr = "always" });
        var vcpu = vm.Vcpus[0];
        var model = (KvmGuestLbrModel)vcpu.Lbr!;
        Assert.IsTrue(!vcpu.GuestWrmsr(Ia32Debugctl.Address, Ia32Debugctl.Zero.WithLbr(true).Value).Faulted);
        Assert.IsTrue(model.World.Vcpu.GuestLbrBit);
        Assert.IsTrue(vcpu.GuestRdmsr(Ia32LbrCtl.Address).Faulted, "arch LBR #GPs through the vCPU too");
        Assert.IsTrue(vm.Metrics.TryGet("lbr.debugctl-exits", out ulong exits));
        Assert.AreEqual(1UL, exits);
    }

    [TestMethod]
    public void TheTimerPollutionCaseReproducesThroughTheRuntimeInterface()
    {
        var vm = CreateVm(new VmRequest
        {
            Mode = VpmuMode.Emulated,
            Lbr = "timer",
            Options = new System.Collections.Generic.Dictionary<string, string> { ["lbr-window"] = "1000000" },
        });
        var lbr = vm.Vcpus[0].Lbr!;
        lbr.SetCallstackMode(true);
        lbr.GuestBranches(40, elapsedCycles: 0);
        lbr.GuestPmi();
        lbr.SchedOut();
        lbr.HostThreadBranches(400_000);
        lbr.SchedIn();
        Assert.AreEqual(LbrReadResult.Polluted, lbr.ReadStack());
        Assert.IsTrue(vm.Metrics.TryGet("lbr.polluted-reads", out ulong polluted));
        Assert.AreEqual(1UL, polluted);
    }

    [TestMethod]
    public void TheDefaultFollowsTheVpmuModeTheProfileAndTheGuestCaps()
    {
        var factory = new KvmGuestLbrModelFactory();
        var supported = new KvmPmuCapabilities(4, 4, 3, 48, 48, 0);
        var lbrGuest = LbrWorld.SkylakeServer;
        Assert.AreEqual("kvm", factory.DefaultStrategy(new VmConfig(new VmRequest { Mode = VpmuMode.Emulated }, lbrGuest, supported)));
        Assert.AreEqual("pv", factory.DefaultStrategy(new VmConfig(new VmRequest { Mode = VpmuMode.Emulated, Profile = MsrProfile.PvLbr2018 }, lbrGuest, supported)));
        Assert.IsNull(factory.DefaultStrategy(new VmConfig(new VmRequest { Mode = VpmuMode.Mediated }, lbrGuest, supported)));
        Assert.IsNull(factory.DefaultStrategy(new VmConfig(new VmRequest { Mode = VpmuMode.Emulated }, lbrGuest with { LbrDepth = 0 }, supported)));
        Assert.IsNotNull(factory.Validate(null!, new VmConfig(new VmRequest(), lbrGuest, supported), "sometimes"));
    }

    [TestMethod]
    public void TheRuntimeModelNeverThrowsOnRandomHookSequences()
    {
        var registers = new[]
        {
            new MsrRef(MsrId.Ia32Debugctl, 0), new MsrRef(MsrId.MsrLbrSelect, 0), new MsrRef(MsrId.MsrLbrTos, 0),
            new MsrRef(MsrId.MsrLbrNhmFrom, 5), new MsrRef(MsrId.MsrLbrNhmTo, 31), new MsrRef(MsrId.MsrLbrInfo, 2),
            new MsrRef(MsrId.Ia32LbrCtl, 0), new MsrRef(MsrId.MsrKvmPvLbrCtrl, 0), new MsrRef(MsrId.MsrKvmPollControl, 0),
        };
        var strategies = new[] { "pv", "lazy", "timer", "kvm", "always", "none" };
        Gen.Select(Gen.Int[0, strategies.Length - 1], Gen.Bool, Gen.Select(Gen.Int[0, 15], Gen.ULong[0, 5000], Gen.Int[0, registers.Length - 1], Gen.ULong).Array[1, 40])
            .Sample((strategy, pv, ops) =>
            {
                var host = new HostMachine(PmuPresets.Get("skylake-server"));
                var created = Vm.Create(host, new VmRequest
                {
                    Mode = VpmuMode.Emulated,
                    Lbr = strategies[strategy],
                    PvLbr = pv,
                    Profile = pv ? MsrProfile.PvLbr2018 : MsrProfile.Upstream,
                });
                if (!created.Succeeded)
                {
                    return false;
                }

                var lbr = created.Vm!.Vcpus[0].Lbr!;
                foreach (var (kind, arg, register, value) in ops)
                {
                    switch (kind)
                    {
                        case 0: lbr.SetCallstackMode(arg % 2 == 0); break;
                        case 1: lbr.GuestContextSwitch(); break;
                        case 2: lbr.GuestBranches(arg % 300, arg % 7 * 100); break;
                        case 3: lbr.HostThreadBranches(arg); break;
                        case 4: lbr.ReadStack(); break;
                        case 5: lbr.GuestPmi(); break;
                        case 6: lbr.SchedOut(); break;
                        case 7: lbr.SchedIn(); break;
                        case 8: lbr.Idle(arg * 1000); break;
                        case 9: lbr.OnPmiDelivered(); break;
                        case 10: lbr.GetMsr(registers[register], arg % 2 == 0, out _); break;
                        case 11: lbr.SetMsr(registers[register], value, arg % 2 == 0); break;
                        case 12: lbr.SetHostLbrUser(arg % 2 == 0); break;
                        case 13: lbr.PassthroughRead(registers[register], out _); break;
                        case 14: lbr.PassthroughWrite(registers[register], value); break;
                        default: lbr.AfterVmExit(VmExitKind.Slow); lbr.BeforeVmEntry(); break;
                    }
                }

                lbr.Destroy();
                return created.Vm.Metrics.TryGet("lbr.reads", out _) || !((KvmGuestLbrModel)lbr).World.Vcpu.LbrEnabled || ((KvmGuestLbrModel)lbr).World.Metrics.GuestReads == 0;
            }, iter: 150);
    }
}
