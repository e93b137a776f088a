using System.Linq;
using MsrGen.Runtime.Runner;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>
/// Host events enabled while guest PMU state is loaded (Dapeng Mi, "Re: [RFC PATCH 23/41] KVM: x86/pmu: Implement the save/restore of PMU state for Intel CPU", LKML, 2024-04-25) through the runtime's scenario runner and host perf: <c>host-callback=on|defer|off</c>
/// at each enable point, under each placement, on both vendors; and dirty-only's precise hand-back.
/// </summary>
[TestClass]
public sealed class MediatedRuntimeHostCallbackTests
{
    private const int GuestBefore = 1000, GuestAfter = 1000, GuestBranches = 100, HostBranches = 300;

    /// <summary>Where the placement keeps the guest's PMU state when the enabling IPI is handled.</summary>
    private static bool LoadedAt(string placement, string at) => (placement, at) switch
    {
        (_, "outside") => false,
        ("exit", _) => false,
        ("vcpu-load", _) => true,
        (_, "run-loop") => true,
        _ => false,
    };

    private static string Scenario(string preset, string placement, string callback, string at, string? expectHost, string expectGuest, int callbacks)
    {
        bool amd = preset == "zen4";
        string select = amd ? "MSR_F15H_PERF_CTL0" : "IA32_PERFEVTSEL0";
        string counter = amd ? "MSR_F15H_PERF_CTR0" : "IA32_PMC0";
        return $"""
            host {preset} mediated=on
            vm vpmu=mediated placement={placement} host-callback={callback} => ok
            guest wrmsr {select} 0x4300c0 => ok
            guest wrmsr {counter} 0 => ok
            guest run instructions={GuestBefore} branches={GuestBranches}
            host perf open prof branches exclude-guest disabled => ok
            reset metrics
            host perf enable prof at={at} => ok
            expect exits.irq == {(at == "guest-mode" ? 1 : 0)}
            expect mediated.perf-callbacks == {callbacks}
            guest run instructions={GuestAfter} branches={GuestBranches}
            host run branches={HostBranches}
            host perf read prof{(expectHost is null ? "" : " => " + expectHost)}
            guest rdmsr {counter} => {expectGuest}
            """;
    }

    private static void AssertHolds(string name, string text)
    {
        var outcome = ScenarioRunner.RunText(name, text);
        Assert.IsFalse(outcome.Malformed, string.Join("\n", outcome.Errors));
        Assert.AreEqual(0, outcome.Failed, name + ":\n" + string.Join("\n", outcome.Expectations.Where(e => !e.Passed)));
    }

    [TestMethod]
    [DataRow("defer")]
    [DataRow("on")]
    public void With_the_callback_or_the_deferral_the_host_counts_host_work_and_the_guest_loses_nothing(string callback)
    {
        foreach (string preset in new[] { "sapphire-rapids", "zen4" })
        {
            foreach (string placement in new[] { "exit", "run-loop", "vcpu-load", "dirty-only" })
            {
                foreach (string at in new[] { "guest-mode", "run-loop", "outside" })
                {
                    // The guest's counter: its instructions plus the one WRMSR that zeroed it.
                    int callbacks = callback == "on" && LoadedAt(placement, at) ? 1 : 0;
                    string text = Scenario(preset, placement, callback, at, $"{HostBranches}", $"{GuestBefore + GuestAfter + 1}", callbacks);
                    AssertHolds($"{preset}/{placement}/{callback}/{at}", text);
                }
            }
        }
    }

    [TestMethod]
    public void Without_the_callback_a_host_event_enabled_over_loaded_guest_state_corrupts_both_counts()
    {
        foreach (string preset in new[] { "sapphire-rapids", "zen4" })
        {
            foreach (string placement in new[] { "exit", "run-loop", "vcpu-load", "dirty-only" })
            {
                foreach (string at in new[] { "guest-mode", "run-loop", "outside" })
                {
                    string? host = $"{HostBranches}";
                    string guest = $"{GuestBefore + GuestAfter + 1}";
                    if (placement == "dirty-only")
                    {
                        // Without any perf→KVM call, dirty-only's resident registers are overwritten wherever
                        // the vCPU is (its put leaves them in hardware even on the way to userspace): the
                        // guest's count is lost. The host's depends on the vendor (Intel's event also counts
                        // guest branches, AMD's HostOnly one does not), so it is not checked here.
                        host = LoadedAt(placement, at) ? null : host;
                        guest = "!= " + guest;
                    }
                    else if (LoadedAt(placement, at))
                    {
                        // KVM's put then zeroes the counter and select under perf: the host count is lost too.
                        host = "!= " + host;
                        guest = "!= " + guest;
                    }

                    AssertHolds($"{preset}/{placement}/off/{at}", Scenario(preset, placement, "off", at, host, guest, callbacks: 0));
                }
            }
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    public void Dirty_only_hands_back_only_the_counters_host_perf_programs(int hostEvents)
    {
        // The guest counts on PMC0-PMC5; perf gives its branches events PMC0, PMC1, ... Each put hands
        // back one counter per host event: one RDPMC to save it, next to perf's own update. The guest's
        // counts must equal what 7.0's exact switch (run-loop) gives for the same sequence.
        var reference = ScenarioRunner.RunText("reference", DirtyOnlyScenario("run-loop", hostEvents, null));
        Assert.IsFalse(reference.Malformed, string.Join("\n", reference.Errors));
        var guestCounts = reference.Expectations.Where(e => e.Statement == "GuestRdmsr").Select(e => e.Actual.Split(' ')[0]).ToList();
        Assert.AreEqual(6, guestCounts.Count);
        Assert.IsTrue(guestCounts.All(c => ulong.Parse(c, System.Globalization.CultureInfo.InvariantCulture) >= 2000), "the reference counted the guest's 2,000 instructions");
        AssertHolds($"dirty-only-{hostEvents}", DirtyOnlyScenario("dirty-only", hostEvents, guestCounts));
    }

    private static string DirtyOnlyScenario(string placement, int hostEvents, System.Collections.Generic.List<string>? guestCounts)
    {
        var lines = new System.Collections.Generic.List<string> { "host sapphire-rapids mediated=on gp=8 fixed=3", $"vm vpmu=mediated placement={placement} => ok" };
        for (int i = 0; i < 6; i++)
        {
            lines.Add($"guest wrmsr IA32_PERFEVTSEL{i} 0x4300c0 => ok");
        }

        lines.Add("guest run instructions=1000");
        for (int i = 0; i < hostEvents; i++)
        {
            lines.Add($"host perf open prof{i} branches exclude-guest => ok");
        }

        lines.Add("host run branches=700");
        lines.Add("guest run instructions=1000 branches=50");
        lines.Add("reset metrics");
        lines.Add("guest exits slow=10");
        if (guestCounts is not null)
        {
            lines.Add("expect mediated.host-reclaims == 10");
            lines.Add($"expect hw.rdpmc == {10 * 2 * hostEvents}");
        }

        lines.Add("host run branches=300");
        for (int i = 0; i < hostEvents; i++)
        {
            lines.Add($"host perf read prof{i} => 1000");
        }

        for (int i = 0; i < 6; i++)
        {
            lines.Add($"guest rdmsr IA32_PMC{i} => {guestCounts?[i] ?? "0"}");
        }

        return string.Join("\n", lines);
    }
}
