using System;
using System.Collections.Generic;
using System.Globalization;
using MsrGen.Registers;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Lbr;

/// <summary>What running one scenario through <see cref="LbrScenarioDriver"/> gave.</summary>
public sealed record LbrScenarioResult(string Path, int Expectations, IReadOnlyList<string> Failures, LbrWorld? World)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// Runs the LBR statements of a parsed scenario on an <see cref="LbrWorld"/>: set-up (<c>host</c>,
/// <c>vm</c> with <c>lbr=</c>, <c>lbr-window=</c>, <c>pv-lbr=</c>, <c>lbr-depth=</c>, <c>profile=</c>),
/// guest LBR statements, DEBUGCTL/LBR MSR accesses, host threads, host perf LBR users
/// (<c>host perf open NAME EVENT lbr [pinned] [disabled] [cpu=N]</c>, <c>close</c>, <c>enable</c>,
/// <c>disable</c>), vCPU scheduling, <c>idle</c>, <c>expect lbr.*</c> and <c>reset metrics</c>. <c>guest pmi</c> starts the handler (DEBUGCTL.LBR
/// cleared); its stack read happens at the next <c>guest lbr read</c>, or before the next guest action.
/// Statements outside the LBR model are reported as failures, never thrown.
/// </summary>
public static class LbrScenarioDriver
{
    public static LbrScenarioResult Run(ScenarioFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var failures = new List<string>();
        int expectations = 0;
        PmuCaps host = LbrWorld.SkylakeServer;
        LbrWorld? world = null;
        var hostLbrUsers = new Dictionary<string, HostLbrUser>(StringComparer.Ordinal);

        foreach (var statement in file.Statements)
        {
            string at = file.Path + ":" + statement.Span.Line.ToString(CultureInfo.InvariantCulture);
            switch (statement)
            {
                case TitleStatement or DescribeStatement or ReportStatement:
                    break;
                case HostStatement h:
                    host = HostCaps(h);
                    break;
                case VmStatement vm:
                    world = CreateWorld(host, vm);
                    world.Vcpu.SetHostOwnsLbr(OwnsCpu0(hostLbrUsers));
                    break;
                case HostPerfOpen or HostPerfClose or HostPerfEnable or HostPerfDisable:
                    world ??= CreateWorld(host, null);
                    if (HostPerf(hostLbrUsers, statement, at, failures))
                    {
                        expectations++;
                    }

                    world.Vcpu.SetHostOwnsLbr(OwnsCpu0(hostLbrUsers));
                    break;
                default:
                    world ??= CreateWorld(host, null);
                    if (Execute(world, statement, at, failures))
                    {
                        expectations++;
                    }

                    break;
            }
        }

        return new LbrScenarioResult(file.Path, expectations, failures, world);
    }

    /// <summary>A host perf event with a branch stack: whether it outranks the guest LBR event, and whether it runs.</summary>
    private sealed class HostLbrUser(bool pinned, bool onCpu0, bool enabled)
    {
        public bool Pinned { get; } = pinned;

        public bool OnCpu0 { get; } = onCpu0;

        public bool Enabled { get; set; } = enabled;
    }

    /// <summary>
    /// Whether a CPU-pinned branch-stack event runs on the world's CPU: it outranks KVM's
    /// task-pinned guest LBR event, which is then not ACTIVE (the host owns the LBR).
    /// </summary>
    private static bool OwnsCpu0(Dictionary<string, HostLbrUser> users)
    {
        foreach (var user in users.Values)
        {
            if (user.Pinned && user.OnCpu0 && user.Enabled)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The host perf statements the LBR model knows: only branch-stack events (<c>lbr</c>).</summary>
    private static bool HostPerf(Dictionary<string, HostLbrUser> users, Statement statement, string at, List<string> failures)
    {
        switch (statement)
        {
            case HostPerfOpen open when (open.Flags & HostPerfFlags.Lbr) != 0:
                if (!users.TryAdd(open.Name, new HostLbrUser(
                        (open.Flags & HostPerfFlags.Pinned) != 0,
                        open.Cpu is null or 0,
                        (open.Flags & HostPerfFlags.Disabled) == 0)))
                {
                    failures.Add($"{at}: host perf event '{open.Name}' is already open");
                }

                if (open.Expect is not null and not OkExpectation)
                {
                    failures.Add($"{at}: the LBR model opens every branch-stack event; it can only expect ok");
                }

                return open.Expect is not null;
            case HostPerfOpen open:
                failures.Add($"{at}: host perf event '{open.Name}' has no branch stack ('lbr'); counting events are outside the LBR model");
                return false;
            case HostPerfClose close:
                if (!users.Remove(close.Name))
                {
                    failures.Add($"{at}: no host perf LBR event named '{close.Name}'");
                }

                return false;
            case HostPerfEnable enable:
                return Toggle(users, enable.Name, enabled: true, enable.Expect, at, failures);
            case HostPerfDisable disable:
                return Toggle(users, disable.Name, enabled: false, disable.Expect, at, failures);
            default:
                return false;
        }
    }

    private static bool Toggle(Dictionary<string, HostLbrUser> users, string name, bool enabled, Expectation? expect, string at, List<string> failures)
    {
        if (!users.TryGetValue(name, out var user))
        {
            failures.Add($"{at}: no host perf LBR event named '{name}'");
            return expect is not null;
        }

        user.Enabled = enabled;
        if (expect is not null and not OkExpectation)
        {
            failures.Add($"{at}: enabling or disabling a host perf LBR event can only expect ok");
        }

        return expect is not null;
    }

    /// <summary>The host CPU for a preset and its overrides (only the LBR-relevant parts).</summary>
    public static PmuCaps HostCaps(HostStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        PmuCaps caps = statement.Preset switch
        {
            "intel-v2" => LbrWorld.Core2,
            "sapphire-rapids" => LbrWorld.SkylakeServer with { Features = PmuFeatures.Pdcm | PmuFeatures.ArchLbr, Version = 5 },
            "zen4" => new PmuCaps(CpuVendor.Amd, 2, 6, 0, 48, 0, 0, 0, PmuFeatures.PerfctrCore | PmuFeatures.PerfmonV2),
            _ => LbrWorld.SkylakeServer,
        };
        var keys = statement.Overrides;
        if (keys.Number("version") is { } version)
        {
            caps = caps with { Version = (int)Math.Min(version, 255) };
        }

        if (keys.Number("perf-caps") is { } perfCaps)
        {
            caps = caps with { PerfCapabilities = perfCaps };
        }

        if (keys.Number("lbr-depth") is { } depth)
        {
            caps = caps with { LbrDepth = (int)Math.Min(depth, 64) };
        }

        if (keys.Switch("arch-lbr") is { } archLbr)
        {
            caps = caps with { Features = archLbr ? caps.Features | PmuFeatures.ArchLbr : caps.Features & ~PmuFeatures.ArchLbr };
        }

        return caps;
    }

    private static LbrWorld CreateWorld(PmuCaps host, VmStatement? vm)
    {
        var keys = vm?.Keys ?? SettingList.Empty;
        var profile = string.Equals(keys.Word("profile"), "pv-lbr-2018", StringComparison.OrdinalIgnoreCase)
            ? MsrProfile.PvLbr2018
            : MsrProfile.Upstream;
        var strategy = profile == MsrProfile.PvLbr2018 ? LbrStrategyKind.Pv : LbrStrategyKind.Kvm;
        if (keys.Word("lbr") is { } name && LbrStrategy.TryParse(name, out var chosen))
        {
            strategy = chosen;
        }

        var guest = host with { Features = host.Features & ~(PmuFeatures.PvLbrCtrl | PmuFeatures.PollControl) };
        if (keys.Switch("pv-lbr") == true)
        {
            guest = guest with { Features = guest.Features | (profile == MsrProfile.PvLbr2018 ? PmuFeatures.PvLbrCtrl : PmuFeatures.PollControl) };
        }

        if (keys.Number("lbr-depth") is { } depth)
        {
            guest = guest with { LbrDepth = (int)Math.Min(depth, 64) };
        }

        if (keys.Number("version") is { } version)
        {
            guest = guest with { Version = (int)Math.Min(version, 255) };
        }

        if (keys.Number("perf-caps") is { } perfCaps)
        {
            guest = guest with { PerfCapabilities = perfCaps };
        }

        var options = new LbrVmOptions
        {
            Strategy = strategy,
            Profile = profile,
            Mediated = vm?.Vpmu == Vpmu.Mediated,
        };
        if (keys.Number("lbr-window") is { } window)
        {
            options = options with { TimerWindow = (long)Math.Min(window, long.MaxValue) };
        }

        if (vm?.Vpmu == Vpmu.Off)
        {
            guest = guest with { LbrDepth = 0 };
        }

        return new LbrWorld(host, guest, options);
    }

    /// <summary>Runs one statement; returns whether it carried an expectation.</summary>
    private static bool Execute(LbrWorld world, Statement statement, string at, List<string> failures)
    {
        switch (statement)
        {
            case GuestWrmsr w:
            {
                world.Guest.CompletePending();
                world.SchedIn();
                var access = world.Vcpu.GuestWrmsr(w.Msr.Address, w.Value);
                return CheckAccess(w.Msr, access, w.Expect, at, failures);
            }

            case GuestRdmsr r:
            {
                world.Guest.CompletePending();
                world.SchedIn();
                var access = world.Vcpu.GuestRdmsr(r.Msr.Address);
                return CheckAccess(r.Msr, access, r.Expect, at, failures);
            }

            case GuestBranches b:
                world.GuestBranches(b.Count);
                return false;
            case GuestLbrCallstack c:
                world.SchedIn();
                if (c.Enabled)
                {
                    world.Guest.EnableUserCallstack();
                }
                else
                {
                    world.Guest.Disable();
                }

                return false;
            case GuestContextSwitch:
                world.SchedIn();
                world.Guest.ContextSwitch();
                return false;
            case GuestPmi:
                world.SchedIn();
                world.Guest.BeginPmi();
                return false;
            case GuestLbrRead read:
            {
                world.SchedIn();
                var verdict = world.Guest.Read();
                if (read.Expect is LbrContentExpectation expect)
                {
                    bool wantPolluted = expect.Content == LbrContent.Polluted;
                    if (verdict.Polluted != wantPolluted)
                    {
                        failures.Add($"{at}: expected {(wantPolluted ? "polluted" : "clean")}, got {Describe(verdict)}");
                    }

                    return true;
                }

                if (read.Expect is not null)
                {
                    failures.Add($"{at}: a guest LBR read can only expect clean or polluted");
                }

                return false;
            }

            case HostThreadBranches t:
                world.HostThreadBranches(t.Branches);
                return false;
            case VcpuSchedOut:
                world.SchedOut();
                return false;
            case VcpuSchedIn:
                world.SchedIn();
                return false;
            case IdleStatement idle:
                world.Idle((long)Math.Min(idle.Cycles, long.MaxValue));
                return false;
            case ResetMetrics:
                world.Metrics.Reset();
                return false;
            case ExpectMetric expect:
            {
                if (world.Metrics.Lookup(expect.Metric.Name) is not { } actual)
                {
                    failures.Add($"{at}: unknown metric '{expect.Metric.Name}' for the LBR model; known: {string.Join(", ", LbrMetrics.Names)}");
                    return true;
                }

                if (!expect.Operator.Holds((ulong)actual, expect.Value))
                {
                    failures.Add($"{at}: expected {expect.Metric.Name} {expect.Operator.ToSymbol()} {expect.Value.ToString(CultureInfo.InvariantCulture)}, got {actual.ToString(CultureInfo.InvariantCulture)}");
                }

                return true;
            }

            default:
                failures.Add($"{at}: '{statement.GetType().Name}' is outside the LBR model's statements");
                return false;
        }
    }

    private static bool CheckAccess(MsrOperand msr, LbrAccess access, Expectation? expect, string at, List<string> failures)
    {
        if (!access.Handled)
        {
            failures.Add($"{at}: {msr} is not an LBR-related register");
            return expect is not null;
        }

        string got = access.Faulted ? "#GP" : "0x" + access.Value.ToString("x", CultureInfo.InvariantCulture);
        bool held = expect switch
        {
            null => true,
            OkExpectation => !access.Faulted,
            GeneralProtectionExpectation => access.Faulted,
            ValueExpectation v => !access.Faulted && access.Value == v.Value,
            ComparisonExpectation c => !access.Faulted && c.Operator.Holds(access.Value, c.Value),
            _ => false,
        };
        if (!held)
        {
            failures.Add($"{at}: {msr}: expected {Describe(expect)}, got {got}");
        }

        return expect is not null;
    }

    private static string Describe(Expectation? expect) => expect switch
    {
        OkExpectation => "ok",
        GeneralProtectionExpectation => "#GP",
        ValueExpectation v => "0x" + v.Value.ToString("x", CultureInfo.InvariantCulture),
        ComparisonExpectation c => c.Operator.ToSymbol() + " " + c.Value.ToString(CultureInfo.InvariantCulture),
        _ => "a result this access cannot give",
    };

    private static string Describe(LbrReadVerdict verdict) => verdict.Polluted
        ? $"polluted ({verdict.PollutedEntries.ToString(CultureInfo.InvariantCulture)} of {verdict.Entries.ToString(CultureInfo.InvariantCulture)} entries written by a host thread)"
        : "clean";
}

/// <summary>Register names for scenario files, resolved by the generated catalog (both profiles).</summary>
public sealed class CatalogRegisterNames : IRegisterNameResolver
{
    public static CatalogRegisterNames Instance { get; } = new();

    /// <summary>Parser options that know the catalog's register names.</summary>
    public static ScenarioParserOptions ParserOptions { get; } = ScenarioParserOptions.Default with { Registers = Instance };

    public bool TryResolve(string name, out uint address)
    {
        if (name is not null && MsrCatalog.TryFindByName(name, MsrProfile.All, out MsrRef register))
        {
            address = register.Address;
            return true;
        }

        address = 0;
        return false;
    }
}
