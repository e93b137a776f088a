using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CsCheck;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Runner;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>
/// The simulator replays an unchanged run-loop world switch (MediatedVpmu.Replay.cs) instead of
/// performing kvm_mediated_pmu_put() and kvm_mediated_pmu_load() (arch/x86/kvm/pmu.c) register by
/// register. That is an optimisation of the simulator only: the hand-counted figures of one switch
/// are in <see cref="MediatedBulkSwitchTests"/> (which runs with replays and checks that they
/// happened); here every observable of the two ways is compared (registers, counts per register
/// and in total, PmuAccess counts, costs, the guest's view, host perf's state), so a replay that
/// drifts from the switch it stands for fails.
/// </summary>
[TestClass]
public sealed class MediatedSwitchReplayTests
{
    public static IEnumerable<object[]> ShippedScenarioFiles()
    {
        string root = Path.Combine(TestSupport.RepositoryRoot(), "scenarios");
        return Directory.EnumerateFiles(root, "*.pmu", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .Select(p => new object[] { p });
    }

    [TestMethod]
    [DynamicData(nameof(ShippedScenarioFiles))]
    public void A_shipped_scenario_gives_the_same_figures_with_switches_replayed_or_performed(string relative)
    {
        string path = Path.Combine(TestSupport.RepositoryRoot(), "scenarios", relative);
        var replayed = ScenarioRunner.RunFile(path, new ScenarioRunOptions());
        var performed = ScenarioRunner.RunFile(path, new ScenarioRunOptions { ReplaySwitches = false });
        Assert.AreEqual(Describe(performed), Describe(replayed));
    }

    /// <summary>Everything a run reports: each expectation's value, each VM's metrics, the report lines, diagnostics.</summary>
    internal static string Describe(ScenarioOutcome outcome)
    {
        var text = new StringBuilder();
        foreach (var e in outcome.Expectations)
        {
            text.Append(e.Line).Append(' ').Append(e.Statement).Append(" => ").Append(e.Actual).Append(' ').Append(e.Passed).AppendLine();
        }

        foreach (var vm in outcome.Vms)
        {
            text.Append(vm.Name).Append(':');
            foreach (var (name, value) in vm.Metrics)
            {
                text.Append(' ').Append(name).Append('=').Append(value);
            }

            text.AppendLine();
        }

        foreach (var (key, value) in outcome.ReportEntries)
        {
            text.Append(key).Append(" = ").Append(value).AppendLine();
        }

        foreach (var line in outcome.Errors.Select(e => e.ToString()).Concat(outcome.InternalErrors.Select(e => e.ToString())).Concat(outcome.Warnings))
        {
            text.AppendLine(line);
        }

        return text.Append("work ").Append(outcome.WorkUsed).ToString();
    }

    private enum Step
    {
        GuestRun, SlowExits, FastExits, GuestProgram, GuestWriteCounter, GuestReadCounter, GuestReadSelect,
        GuestWriteGlobalCtrl, GuestStatusWrite, GuestWriteFixedCtrl, GuestRdpmc, GuestUnknownMsr, GuestWideCounter,
        HostOpen, HostClose, Lvtpc, Userspace, Resched, Interrupt, StopInRunLoop,
    }

    private readonly record struct Action(Step Step, int Index, ulong Value);

    private static readonly Gen<Action> GenAction = Gen.Select(
        Gen.Int[0, (int)Step.StopInRunLoop], Gen.Int[0, 7], Gen.ULong,
        (s, i, v) => new Action((Step)s, i, v));

    /// <summary>Sequences per host (250; MSRGEN_FUZZ_SWITCHES=N for more).</summary>
    private static int Sequences =>
        int.TryParse(Environment.GetEnvironmentVariable("MSRGEN_FUZZ_SWITCHES"), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 250;

    [TestMethod]
    public void Random_guest_and_host_activity_sees_the_same_machine_with_switches_replayed_or_performed()
    {
        long replays = 0;
        // The Sapphire Rapids preset has a fourth fixed counter and PERF_METRICS: its writes reset the topdown slots.
        foreach (var host in new[] { MediatedHarness.IntelHost, MediatedHarness.AmdHost, PmuPresets.Get("sapphire-rapids").Caps })
        {
            GenAction.Array[1, 80].Sample(actions => replays += Run(host, actions), iter: Sequences, threads: 1);
        }

        Assert.IsTrue(replays > 1_000, $"only {replays} switches were replayed: the comparison would not test the replay");
    }

    /// <summary>Runs the actions on two identical vCPUs, one replaying switches and one not, comparing after every step.</summary>
    private static long Run(PmuCaps host, Action[] actions)
    {
        var replayed = new MediatedHarness(host, replaySwitches: true);
        var performed = new MediatedHarness(host, replaySwitches: false);
        var open = new List<(PerfEvent, PerfEvent)>();
        foreach (var a in actions)
        {
            Apply(replayed, performed, a, open);
            AssertSame(replayed, performed, $"{host.Vendor} after {a}");
        }

        replayed.Vm.Destroy();
        performed.Vm.Destroy();
        AssertSame(replayed, performed, $"{host.Vendor} after teardown");
        return replayed.Pmu.ReplayedSwitches;
    }

    private static void Apply(MediatedHarness r, MediatedHarness p, Action a, List<(PerfEvent, PerfEvent)> open)
    {
        // Every step does the same to both vCPUs; a guest access must also give both the same result.
        void Both(System.Action<MediatedHarness> step)
        {
            step(r);
            step(p);
        }

        void Access(Func<MediatedHarness, MsrGen.Runtime.Kvm.GuestAccess> access) => Same(access(r), access(p));

        int n = r.Guest.GpCounters;
        int i = a.Index % n;
        switch (a.Step)
        {
            case Step.GuestRun:
                Both(h => h.GuestRun(a.Value % 5_000, a.Value % 700));
                break;
            case Step.SlowExits:
                // One per call: a longer run takes the closed form, which steps two exits and adds the rest.
                Both(h => h.Vcpu.GuestExits(0, a.Value % 4 + 1));
                break;
            case Step.FastExits:
                Both(h => h.Vcpu.GuestExits(a.Value % 3 + 1, 0));
                break;
            case Step.GuestProgram:
                // Instructions or cycles, with or without INT, or off; sometimes a reserved bit (a #GP).
                ulong sel = (a.Value % 4) switch
                {
                    0 => 0,
                    1 => PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, (a.Value & 16) != 0),
                    2 => PmuEventSelect.Counting(PmuEventSelect.Events.Cycles, (a.Value & 16) != 0),
                    _ => PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, false) | 1UL << 21,
                };
                Access(h => h.Vcpu.GuestWrmsr(h.EventSelectAddress(i), sel));
                break;
            case Step.GuestWriteCounter:
                // Values near the top of the counter make the emulated instructions of later steps wrap it.
                ulong value = (a.Value & 1) == 0 ? a.Value % 100_000 : r.Guest.GpCounterMask - a.Value % 8;
                Access(h => h.Vcpu.GuestWrmsr(h.CounterAddress(i), value));
                break;
            case Step.GuestWideCounter:
                Access(h => h.Vcpu.GuestWrmsr(h.CounterAddress(i), a.Value));
                break;
            case Step.GuestReadCounter:
                Access(h => h.Vcpu.GuestRdmsr(h.CounterAddress(i)));
                break;
            case Step.GuestReadSelect:
                Access(h => h.Vcpu.GuestRdmsr(h.EventSelectAddress(i)));
                break;
            case Step.GuestWriteGlobalCtrl:
                uint ctrl = r.IsIntel ? Ia32PerfGlobalCtrl.Address : MsrAmd64PerfCntrGlobalCtl.Address;
                Access(h => h.Vcpu.GuestWrmsr(ctrl, a.Value & 0xF_0000_00FFUL));
                break;
            case Step.GuestStatusWrite:
                // Set or clear overflow bits through the status MSRs (some values with reserved bits: #GP).
                uint status = (a.Value & 1) == 0
                    ? (r.IsIntel ? Ia32PerfGlobalStatusSet.Address : MsrAmd64PerfCntrGlobalStatusSet.Address)
                    : (r.IsIntel ? Ia32PerfGlobalOvfCtrl.Address : MsrAmd64PerfCntrGlobalStatusClr.Address);
                ulong bits = (a.Value >> 1) & ((a.Value & 2) == 0 ? 0xF_0000_00FFUL : ulong.MaxValue);
                Access(h => h.Vcpu.GuestWrmsr(status, bits));
                break;
            case Step.GuestWriteFixedCtrl:
                if (r.IsIntel)
                {
                    Access(h => h.Vcpu.GuestWrmsr(Ia32FixedCtrCtrl.Address, a.Value & 0xBBBB));
                }

                break;
            case Step.GuestRdpmc:
                Access(h => h.Vcpu.GuestRdpmc((uint)(a.Value % 10)));
                break;
            case Step.GuestUnknownMsr:
                Access(h => h.Vcpu.GuestRdmsr(0x10 + (uint)(a.Value % 3)));
                break;
            case Step.HostOpen:
                // A host event makes host perf non-idle: switches are then performed, never replayed.
                var er = r.OpenHostInstructions($"h{open.Count}", disabled: (a.Value & 1) == 0);
                var ep = p.OpenHostInstructions($"h{open.Count}", disabled: (a.Value & 1) == 0);
                open.Add((er, ep));
                break;
            case Step.HostClose:
                if (open.Count > 0)
                {
                    var (cr, cp) = open[a.Index % open.Count];
                    open.Remove((cr, cp));
                    r.Perf.Release(cr);
                    p.Perf.Release(cp);
                }

                break;
            case Step.Lvtpc:
                Both(h => h.Vcpu.Lvtpc = (a.Value & 1) == 0 ? 0xFE : 0xFE | 1u << 16);
                break;
            case Step.Userspace:
                Both(h => h.Vcpu.ExitToUserspace());
                break;
            case Step.Resched:
                Both(h =>
                {
                    h.Vcpu.SchedOut();
                    h.Vcpu.SchedIn();
                });
                break;
            case Step.Interrupt:
                Both(h => h.Vcpu.InterruptGuest());
                break;
            case Step.StopInRunLoop:
                Both(h => h.Vcpu.StopInRunLoop());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(a));
        }
    }

    private static void Same(MsrGen.Runtime.Kvm.GuestAccess replayed, MsrGen.Runtime.Kvm.GuestAccess performed) => Assert.AreEqual(performed, replayed, "the guest's result");

    private static void AssertSame(MediatedHarness r, MediatedHarness p, string when)
    {
        Assert.AreEqual(Machine(p), Machine(r), when);
    }

    /// <summary>Every observable of the harness's machine, as text (so a failure shows the difference).</summary>
    private static string Machine(MediatedHarness h)
    {
        var text = new StringBuilder();
        var pmu = h.Pmu;
        text.Append("puts ").Append(pmu.Puts).Append(" loads ").Append(pmu.Loads).Append(" loaded ").Append(pmu.Loaded)
            .Append(" resident ").Append(pmu.AnyResident).Append(" ops ").Append(pmu.Hardware.Counts).AppendLine();
        var cpu = h.Cpu;
        text.Append("registers");
        for (int i = 0; i < cpu.GpCount; i++)
        {
            text.Append(' ').Append(cpu.RawGp(i)).Append('/').Append(cpu.RawSelect(i));
        }

        for (int i = 0; i < cpu.FixedCount; i++)
        {
            text.Append(" f").Append(cpu.RawFixed(i));
        }

        text.Append(" status ").Append(cpu.RawGlobalStatus).Append(" fixed-ctrl ").Append(cpu.RawFixedCtrl)
            .Append(" global-ctrl ").Append(cpu.RawGlobalCtrl).Append(" lvtpc ").Append(cpu.Lvtpc);
        if (cpu.Caps.PerfMetrics)
        {
            // The topdown slots behind PERF_METRICS (a counted read, the same on both machines).
            cpu.ReadMsr(MsrPerfMetrics.Address, out ulong metrics);
            text.Append(" perf-metrics ").Append(metrics);
        }

        text.AppendLine();
        text.Append("perf loaded ").Append(h.Perf.GuestContextLoaded).Append(" lvtpc-loaded ").Append(h.Perf.GuestLvtpcLoaded)
            .Append(" rotation ").Append(h.Perf.RotationPending).Append(' ').Append(h.Perf.NextRotationCycle).AppendLine();
        text.Append("clock ").Append(h.Host.Clock.Cycles).AppendLine();
        var view = pmu.View();
        text.Append("guest ").AppendJoin(',', view.Counters).Append(" | ").AppendJoin(',', view.EventSelects).Append(" | ")
            .AppendJoin(',', view.FixedCounters).Append(" | ").Append(view.FixedCtrCtrl).Append(' ').Append(view.GlobalCtrl)
            .Append(' ').Append(view.GlobalStatus).AppendLine();
        foreach (var counters in new[] { cpu.Accesses, h.Vcpu.Metrics.Hardware })
        {
            text.Append("counts ").Append(counters.MsrReads).Append(' ').Append(counters.MsrWrites).Append(' ').Append(counters.Rdpmcs)
                .Append(' ').Append(counters.UncataloguedAccesses);
            foreach (var (register, reads, writes) in counters.ByRegister())
            {
                text.Append(' ').Append(register).Append('=').Append(reads).Append('/').Append(writes);
            }

            text.AppendLine();
        }

        foreach (var (name, value) in h.Vcpu.Metrics.Snapshot())
        {
            text.Append(name).Append('=').Append(value).Append(' ');
        }

        return text.ToString();
    }

    /// <summary>
    /// The guard: a put whose register moves are pending is performed before anything else touches
    /// the PMU, with the same counts and registers as a put performed at once.
    /// </summary>
    [TestMethod]
    [DataRow(true, DisplayName = "Intel")]
    [DataRow(false, DisplayName = "AMD")]
    public void A_pending_put_is_performed_before_any_other_access_to_the_PMU(bool intel)
    {
        var host = intel ? MediatedHarness.IntelHost : MediatedHarness.AmdHost;
        var deferred = new MediatedHarness(host);
        var direct = new MediatedHarness(host);
        foreach (var h in new[] { deferred, direct })
        {
            h.GuestCountInstructions(0, interrupt: true);
            Assert.IsFalse(h.Vcpu.GuestWrmsr(h.CounterAddress(0), h.Guest.GpCounterMask - 1).Faulted);
            h.GuestRun(10);
            Assert.IsTrue(h.Pmu.Loaded, "the guest's PMU state is loaded while it runs");
        }

        // The put as the run loop performs it at a slow exit, once deferred and once at once.
        Assert.IsTrue(deferred.Pmu.TryDeferPut(), "an idle host lets the put wait");
        direct.Pmu.Put();
        Assert.IsTrue(deferred.Cpu.HasPendingMoves);

        // Host code reads the PMU: the pending moves happen first, so both machines read the same.
        var statusAddress = intel ? Ia32PerfGlobalStatus.Address : MsrAmd64PerfCntrGlobalStatus.Address;
        deferred.Cpu.ReadMsr(statusAddress, out ulong deferredStatus);
        direct.Cpu.ReadMsr(statusAddress, out ulong directStatus);
        Assert.IsFalse(deferred.Cpu.HasPendingMoves);
        Assert.AreEqual(directStatus, deferredStatus, "GLOBAL_STATUS after the put");
        Assert.AreEqual(Machine(direct), Machine(deferred), "after the put");

        deferred.Pmu.Load();
        direct.Pmu.Load();
        Assert.AreEqual(Machine(direct), Machine(deferred), "after the load");
        Assert.AreEqual(0L, deferred.Pmu.ReplayedSwitches, "a put performed by the guard is not replayed");
    }
}
