using System.Linq;
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
        lbr.GuestBranches(40);
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
}
