using System.Collections.Generic;
using CsCheck;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Lbr;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Tests.Lbr;

/// <summary>
/// The vCPU's exit pipeline against the LBR model: the MSR bitmap entries of the stack MSRs follow
/// the strategy, so passed-through accesses are not VM-exits; the model runs on the host clock.
/// </summary>
[TestClass]
public sealed class LbrInterceptPipelineTests
{
    private static readonly ulong DebugctlLbr = Ia32Debugctl.Zero.WithLbr(true).Value;

    private static (Vm Vm, Vcpu Vcpu, KvmGuestLbrModel Model) Create(string strategy, string? window = null)
    {
        var host = new HostMachine(PmuPresets.Get("skylake-server"));
        var options = new Dictionary<string, string>();
        if (window is not null)
        {
            options["lbr-window"] = window;
        }

        var created = Vm.Create(host, new VmRequest { Mode = VpmuMode.Emulated, Lbr = strategy, Options = options });
        Assert.IsTrue(created.Succeeded, created.Message);
        var vcpu = created.Vm!.Vcpus[0];
        return (created.Vm, vcpu, (KvmGuestLbrModel)vcpu.Lbr!);
    }

    private static ulong Metric(Vm vm, string name) => vm.Metrics.TryGet(name, out ulong value) ? value : 0;

    [TestMethod]
    public void KvmPassesTheStackThroughWhileTheGuestEventIsActive()
    {
        var (vm, vcpu, model) = Create("kvm");
        Assert.IsTrue(model.StackMsrsIntercepted, "no guest LBR event yet");
        Assert.IsFalse(vcpu.GuestWrmsr(Ia32Debugctl.Address, DebugctlLbr).Faulted);
        Assert.AreEqual(1UL, Metric(vm, "exits.msr"), "DEBUGCTL is always intercepted");
        Assert.IsFalse(model.StackMsrsIntercepted);
        foreach (uint address in model.StackMsrAddresses)
        {
            Assert.IsFalse(vcpu.Intercepts(address, write: false), $"0x{address:x} read");
            Assert.IsFalse(vcpu.Intercepts(address, write: true), $"0x{address:x} write");
        }

        for (int i = 0; i < 10; i++)
        {
            Assert.IsFalse(vcpu.GuestRdmsr(MsrLbrTos.Address).Faulted);
        }

        Assert.IsFalse(vcpu.GuestWrmsr(MsrLbrSelect.Address, 0).Faulted);
        Assert.AreEqual(1UL, Metric(vm, "exits.msr"), "passed-through LBR accesses are not exits");
        Assert.AreEqual(11UL, Metric(vm, "lbr.guest-accesses"));
        Assert.AreEqual(0UL, Metric(vm, "lbr.exits"));
        Assert.IsTrue(vcpu.Intercepts(Ia32Debugctl.Address, write: true), "DEBUGCTL stays intercepted");
    }

    [TestMethod]
    public void AHostLbrUserMakesTheStackIntercepted_ReadsZero_DropsWrites_AndGivesItBack()
    {
        var (vm, vcpu, model) = Create("kvm");
        vcpu.GuestWrmsr(Ia32Debugctl.Address, DebugctlLbr);
        vcpu.Lbr!.GuestBranches(40, elapsedCycles: 0);
        ulong tos = vcpu.GuestRdmsr(MsrLbrTos.Address).Value;
        ulong from = vcpu.GuestRdmsr(LbrRegister.FromAddress(32, 3)).Value;
        Assert.AreNotEqual(0UL, from);
        ulong exitsBefore = Metric(vm, "exits.msr");

        vcpu.Lbr.SetHostLbrUser(true);
        Assert.IsTrue(vcpu.Intercepts(MsrLbrTos.Address, write: false));
        Assert.AreEqual(0UL, vcpu.GuestRdmsr(MsrLbrTos.Address).Value);
        Assert.AreEqual(0UL, vcpu.GuestRdmsr(LbrRegister.FromAddress(32, 3)).Value);
        Assert.IsFalse(vcpu.GuestWrmsr(LbrRegister.FromAddress(32, 3), 0x1234).Faulted);
        Assert.AreEqual(exitsBefore + 3, Metric(vm, "exits.msr"));
        Assert.AreEqual(3UL, Metric(vm, "lbr.exits"));

        vcpu.Lbr.SetHostLbrUser(false);
        Assert.IsFalse(vcpu.Intercepts(MsrLbrTos.Address, write: false));
        Assert.AreEqual(tos, vcpu.GuestRdmsr(MsrLbrTos.Address).Value);
        Assert.AreEqual(from, vcpu.GuestRdmsr(LbrRegister.FromAddress(32, 3)).Value, "the dropped write left no trace");
        Assert.AreEqual(exitsBefore + 3, Metric(vm, "exits.msr"));
        Assert.IsFalse(model.StackMsrsIntercepted);
    }

    [TestMethod]
    public void LazyInterceptsTheFirstAccessAfterEverySwitchOnly()
    {
        var (vm, vcpu, _) = Create("lazy");
        vcpu.GuestRdmsr(MsrLbrTos.Address);
        vcpu.GuestRdmsr(MsrLbrTos.Address);
        Assert.AreEqual(1UL, Metric(vm, "exits.msr"));
        vcpu.SchedOut();
        vcpu.SchedIn();
        Assert.IsTrue(vcpu.Intercepts(MsrLbrTos.Address, write: false), "intercepted again after the switch");
        vcpu.GuestRdmsr(MsrLbrTos.Address);
        vcpu.GuestRdmsr(MsrLbrTos.Address);
        Assert.AreEqual(2UL, Metric(vm, "exits.msr"));
        Assert.AreEqual(2UL, Metric(vm, "lbr.exits"));
    }

    [TestMethod]
    public void MsrExitsAreExactlyTheModelsInterceptedAccesses()
    {
        var strategies = new[] { "pv", "lazy", "timer", "kvm", "always", "none" };
        var stack = new[] { MsrLbrTos.Address, MsrLbrSelect.Address, LbrRegister.FromAddress(32, 5), LbrRegister.ToAddress(32, 31), MsrLbrInfo.AddressOf(2) };
        Gen.Select(Gen.Int[0, strategies.Length - 1], Gen.Select(Gen.Int[0, 7], Gen.Int[0, stack.Length - 1], Gen.Bool).Array[1, 60])
            .Sample((strategy, ops) =>
            {
                var (vm, vcpu, _) = Create(strategies[strategy]);
                foreach (var (kind, register, flag) in ops)
                {
                    switch (kind)
                    {
                        case 0: vcpu.GuestRdmsr(stack[register]); break;
                        case 1: vcpu.GuestWrmsr(stack[register], 0); break;
                        case 2: vcpu.GuestWrmsr(Ia32Debugctl.Address, flag ? DebugctlLbr : 0); break;
                        case 3: vcpu.SchedOut(); vcpu.SchedIn(); break;
                        case 4: vcpu.Lbr!.SetHostLbrUser(flag); break;
                        case 5: vcpu.Lbr!.GuestBranches((ulong)register * 7, 0); break;
                        case 6: vcpu.Idle(flag ? 40_000_000UL : 1000UL); break;
                        default: vcpu.Lbr!.HostThreadBranches((ulong)register * 100); break;
                    }
                }

                ulong exits = Metric(vm, "exits.msr");
                ulong model = Metric(vm, "lbr.exits") + Metric(vm, "lbr.debugctl-exits");
                return exits == model;
            }, iter: 200);
    }

    [TestMethod]
    public void TheTimerWindowRunsOnTheHostClock()
    {
        var (vm, vcpu, model) = Create("timer", window: "1000000");
        vcpu.GuestWrmsr(Ia32Debugctl.Address, DebugctlLbr);
        vcpu.GuestWrmsr(Ia32Debugctl.Address, 0);
        var batch = new EventBatch().Add(HardwareEvent.Encode(EventKind.Instructions, CpuVendor.Intel), 1000).WithCycles(999_000);
        vcpu.GuestRun(batch);
        Assert.AreEqual((long)vm.Host.Clock.Cycles, model.World.Vcpu.Now, "one clock");
        Assert.AreEqual(0UL, Metric(vm, "lbr.timer-fires"), "still inside the window");
        vcpu.Idle(2000);
        Assert.AreEqual(1UL, Metric(vm, "lbr.timer-fires"), "idle time counts toward the window");
        Assert.AreEqual((long)vm.Host.Clock.Cycles, model.World.Vcpu.Now);
    }

    [TestMethod]
    public void GuestBranchesAndHostThreadsAdvanceTheHostClock()
    {
        var (vm, vcpu, _) = Create("kvm");
        ulong start = vm.Host.Clock.Cycles;
        vcpu.Lbr!.GuestBranches(100, elapsedCycles: 0);
        Assert.AreEqual(start + 100 * (ulong)LbrVmOptions.DefaultCyclesPerBranch, vm.Host.Clock.Cycles);
        vcpu.Lbr.GuestBranches(100, elapsedCycles: 10_000);
        Assert.AreEqual(start + 100 * (ulong)LbrVmOptions.DefaultCyclesPerBranch, vm.Host.Clock.Cycles, "the stretch already took longer");
        vcpu.Lbr.HostThreadBranches(1000);
        Assert.AreEqual(start + 1100 * (ulong)LbrVmOptions.DefaultCyclesPerBranch, vm.Host.Clock.Cycles);
    }
}
