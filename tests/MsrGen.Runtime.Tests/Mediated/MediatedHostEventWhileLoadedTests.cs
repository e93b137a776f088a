using MsrGen.Registers;
using MsrGen.Runtime.HostPerf;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>
/// Dapeng Mi, "Re: [RFC PATCH 23/41] KVM: x86/pmu: Implement the save/restore of PMU state for Intel CPU", LKML, 2024-04-25: host perf enables an exclude_guest event while the vCPU task is in guest mode, in
/// the run loop, or outside it. With perf's callback into KVM (<c>host-callback=on</c>) the host
/// event counts only host work and the guest loses nothing; with 7.0's deferral the event waits
/// for the put; without either, counts are corrupted. Runs on the runtime's vCPU and host perf.
/// </summary>
[TestClass]
public sealed class MediatedHostEventWhileLoadedTests
{
    private const ulong GuestWork = 5_000, HostWork = 7_000;

    /// <summary>
    /// The guest counts instructions on every counter (including the one host perf will take),
    /// then runs <see cref="GuestWork"/> instructions.
    /// </summary>
    private static (MediatedHarness H, PerfEvent Event) Prepare(PmuCaps host, string placement, string callback)
    {
        var h = new MediatedHarness(host, placement, callback);
        var ev = h.OpenHostInstructions("kvm-profiler");
        for (int i = 0; i < h.Guest.GpCounters; i++)
        {
            h.GuestCountInstructions(i);
        }

        h.GuestRun(GuestWork);
        return (h, ev);
    }

    /// <summary>
    /// What guest counter <paramref name="i"/> of <paramref name="n"/> holds after the guest
    /// programmed counters 0..n-1 in order and ran <paramref name="runs"/> stretches of
    /// <see cref="GuestWork"/>: each intercepted WRMSR of an event select retires one emulated
    /// instruction after it takes effect (kvm_pmu_instruction_retired() after the emulation), so
    /// counter i counts its own WRMSR and the n-1-i that follow it. Nothing else is emulated here:
    /// enabling IPIs, run-loop stops and returns to userspace retire no guest instruction.
    /// </summary>
    private static ulong ExpectedGuestCount(int i, int n, ulong runs) => (ulong)(n - i) + runs * GuestWork;

    [TestMethod]
    [DataRow("run-loop", PerfEnablePoint.GuestMode)]
    [DataRow("run-loop", PerfEnablePoint.RunLoop)]
    [DataRow("run-loop", PerfEnablePoint.Outside)]
    [DataRow("vcpu-load", PerfEnablePoint.GuestMode)]
    [DataRow("vcpu-load", PerfEnablePoint.RunLoop)]
    [DataRow("vcpu-load", PerfEnablePoint.Outside)]
    [DataRow("exit", PerfEnablePoint.RunLoop)]
    [DataRow("dirty-only", PerfEnablePoint.GuestMode)]
    [DataRow("dirty-only", PerfEnablePoint.RunLoop)]
    [DataRow("dirty-only", PerfEnablePoint.Outside)]
    public void With_the_callback_the_host_event_counts_host_work_only_and_the_guest_loses_nothing(string placement, PerfEnablePoint where)
    {
        foreach (var host in new[] { MediatedHarness.IntelHost, MediatedHarness.AmdHost })
        {
            var (h, ev) = Prepare(host, placement, "on");
            int n = h.Guest.GpCounters;
            for (int i = 0; i < n; i++)
            {
                Assert.AreEqual(ExpectedGuestCount(i, n, 1), h.Pmu.View().Counters[i], $"{host.Vendor}/{placement}/{where}: guest counter {i} before");
            }

            h.EnableHostEvent(ev, where);
            Assert.AreEqual(PerfEventState.Active, ev.State, $"{host.Vendor}/{placement}/{where}: the event runs once perf has the counter");

            h.HostRun(HostWork);
            h.GuestRun(GuestWork);
            h.HostRun(HostWork);

            Assert.AreEqual(2 * HostWork, h.Perf.Read(ev), $"{host.Vendor}/{placement}/{where}: host event = host work only");
            for (int i = 0; i < n; i++)
            {
                Assert.AreEqual(ExpectedGuestCount(i, n, 2), h.Pmu.View().Counters[i], $"{host.Vendor}/{placement}/{where}: guest counter {i}");
            }
        }
    }

    [TestMethod]
    public void In_7_0_as_merged_the_event_waits_for_put_instead_of_a_callback()
    {
        var (h, ev) = Prepare(MediatedHarness.IntelHost, "vcpu-load", "defer");
        h.EnableHostEvent(ev, PerfEnablePoint.RunLoop);
        Assert.AreNotEqual(PerfEventState.Active, ev.State, "guest context is loaded: perf does not schedule it in");
        Assert.AreEqual(0L, h.Perf.GuestPutCallbacks);
        h.HostRun(HostWork);
        Assert.AreEqual(PerfEventState.Active, ev.State, "scheduled in at put");
        Assert.AreEqual(HostWork, h.Perf.Read(ev));
        Assert.AreEqual(ExpectedGuestCount(0, h.Guest.GpCounters, 1), h.Pmu.View().Counters[0]);
    }

    [TestMethod]
    public void Without_the_callback_a_host_event_programmed_over_loaded_guest_state_corrupts_both_counts()
    {
        var good = Prepare(MediatedHarness.IntelHost, "vcpu-load", "on");
        var bad = Prepare(MediatedHarness.IntelHost, "vcpu-load", "off");
        // Host perf puts its instructions event on fixed counter 0 if it can, else on a GP counter:
        // either way a register that holds guest state while vcpu-load keeps it loaded. The guest's
        // fixed counters count nothing (FIXED_CTR_CTRL is 0), so they must stay 0.
        var taken = new int[2];
        int k = 0;
        foreach (var (h, ev) in new[] { good, bad })
        {
            h.EnableHostEvent(ev, PerfEnablePoint.RunLoop);
            taken[k++] = ev.Counter;
            h.GuestRun(GuestWork);
            h.HostRun(HostWork);
        }

        int n = good.H.Guest.GpCounters;
        Assert.AreEqual(HostWork, good.H.Perf.Read(good.Event));
        for (int i = 0; i < n; i++)
        {
            Assert.AreEqual(ExpectedGuestCount(i, n, 2), good.H.Pmu.View().Counters[i], $"with the callback guest counter {i} is intact");
        }

        Assert.IsTrue(System.Array.TrueForAll(good.H.Pmu.View().FixedCounters, v => v == 0), "with the callback the guest's fixed counters are intact");
        bool anyGuestCounterLost = !System.Array.TrueForAll(bad.H.Pmu.View().FixedCounters, v => v == 0);
        for (int i = 0; i < n; i++)
        {
            anyGuestCounterLost |= bad.H.Pmu.View().Counters[i] != ExpectedGuestCount(i, n, 2);
        }
        Assert.AreNotEqual(HostWork, bad.H.Perf.Read(bad.Event), $"the host event (counter {taken[1]}) lost or gained counts");
        Assert.IsTrue(anyGuestCounterLost, $"a guest counter was overwritten by host perf (counter {taken[1]})");
        Assert.AreEqual(0L, bad.H.Perf.GuestPutCallbacks);
        Assert.IsTrue(good.H.Perf.GuestPutCallbacks > 0);
    }
}
