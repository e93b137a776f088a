using System;
using System.Collections.Generic;
using System.Globalization;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Runner;

/// <summary>Thrown inside one scenario when a statement cannot run (no VM, unknown name); ends the file as malformed.</summary>
internal sealed class ScenarioRuntimeError : Exception
{
    public ScenarioRuntimeError(string message) : base(message)
    {
    }
}

/// <summary>Stops a file after a failed <c>vm</c> line, as the contract requires.</summary>
internal sealed class ScenarioStop : Exception
{
}

/// <summary>Runs the statements of one scenario file against a fresh host.</summary>
internal sealed partial class ScenarioExecution
{
    private readonly ScenarioFile _file;
    private readonly ScenarioOutcome _outcome;
    private readonly CostTable _costs = new();
    private readonly Dictionary<string, Vm> _vms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PerfEvent> _perfEvents = new(StringComparer.Ordinal);
    private readonly Dictionary<PerfEvent, HostPerfContext> _perfContexts = new();
    private readonly List<Vm> _allVms = new();
    private readonly EventBatch _batch = new();
    private HostMachine? _host;
    private Vm? _vm;
    private int _vcpuIndex;

    public ScenarioExecution(ScenarioFile file)
    {
        _file = file;
        _outcome = new ScenarioOutcome(file.Path);
    }

    /// <summary>Sees every guest RDMSR / WRMSR / RDPMC (msrgen run --emit-trace).</summary>
    public Traces.IGuestAccessObserver? Observer { get; init; }

    public ScenarioOutcome Run()
    {
        foreach (var statement in _file.Statements)
        {
            try
            {
                Execute(statement);
            }
            catch (ScenarioStop)
            {
                break;
            }
            catch (ScenarioRuntimeError e)
            {
                _outcome.Errors.Add(new ScenarioDiagnostic(_file.Path, statement.Span.Line, statement.Span.Column, e.Message));
                break;
            }
        }

        foreach (var vm in _allVms)
        {
            _outcome.Vms.Add(new VmSummary(vm.Name, vm.Mode, Design(vm), vm.Metrics.Snapshot()));
        }

        return _outcome;
    }

    private static string Design(Vm vm)
    {
        string design = vm.Mode switch
        {
            VpmuMode.Off => "no vPMU",
            VpmuMode.Emulated => vm.Config.Request.GroupedMetrics ? "emulated+grouped" : "emulated",
            _ => vm.Config.Option("placement") is { } placement ? $"mediated ({placement})" : "mediated",
        };
        return vm.LbrStrategy is { } lbr ? $"{design}, lbr={lbr}" : design;
    }

    private HostMachine Host => _host ??= new HostMachine(PmuPresets.Get(PmuPresets.Default), costs: _costs);

    private Vm CurrentVm => _vm ?? throw new ScenarioRuntimeError("no VM: a 'vm' line must come first");

    private Vcpu CurrentVcpu
    {
        get
        {
            var vm = CurrentVm;
            if (vm.Destroyed)
            {
                throw new ScenarioRuntimeError($"VM '{vm.Name}' was destroyed");
            }

            return vm.Vcpus[_vcpuIndex];
        }
    }

    private void Execute(Statement statement)
    {
        switch (statement)
        {
            case TitleStatement t:
                _outcome.Title = t.Text;
                break;
            case DescribeStatement d:
                _outcome.Descriptions.Add(d.Text);
                break;
            case ReportStatement r:
                foreach (var entry in r.Entries)
                {
                    _outcome.ReportEntries.Add(new(entry.Key, (entry.Value as WordValue)?.Word ?? entry.Value.ToString()));
                }

                break;
            case HostStatement h:
                SetUpHost(h);
                break;
            case VmStatement v:
                CreateVm(v);
                break;
            case VmDestroy:
                CurrentVm.Destroy();
                break;
            case VmUse use:
                _vm = _vms.TryGetValue(use.Name, out var named) ? named : throw new ScenarioRuntimeError($"no VM named '{use.Name}'");
                _vcpuIndex = 0;
                break;
            case CostStatement c:
                foreach (var entry in c.Entries)
                {
                    if (entry.Value is not NumberValue number || !_costs.TryOverride(entry.Key, number.Value))
                    {
                        throw new ScenarioRuntimeError($"unknown cost primitive '{entry.Key}'");
                    }
                }

                break;
            case VcpuSelect select:
                if (select.Index >= (ulong)CurrentVm.Vcpus.Count)
                {
                    throw new ScenarioRuntimeError($"VM '{CurrentVm.Name}' has {CurrentVm.Vcpus.Count} vCPU(s); there is no vCPU {select.Index}");
                }

                _vcpuIndex = (int)select.Index;
                break;
            case VcpuSchedOut:
                CurrentVcpu.SchedOut();
                break;
            case VcpuSchedIn:
                CurrentVcpu.SchedIn();
                break;
            case VcpuUserspace:
                CurrentVcpu.ExitToUserspace();
                break;
            case IdleStatement idle:
                CurrentVcpu.Idle(idle.Cycles);
                break;
            case ExpectMetric expect:
                CheckMetric(expect);
                break;
            case ResetMetrics:
                CurrentVm.Metrics.Reset();
                break;
            default:
                ExecuteAction(statement);
                break;
        }
    }

    private void SetUpHost(HostStatement h)
    {
        if (!PmuPresets.TryGet(h.Preset, out var model))
        {
            throw new ScenarioRuntimeError($"unknown preset '{h.Preset}'");
        }

        if (model.Warning is { } warning)
        {
            _outcome.Warnings.Add(string.Create(CultureInfo.InvariantCulture, $"{_file.Path}:{h.Span.Line}: warning: {warning}"));
        }

        var o = h.Overrides;
        var caps = model.Caps;
        var vendor = o.Word("vendor") switch
        {
            "amd" => CpuVendor.Amd,
            "intel" => CpuVendor.Intel,
            _ => caps.Vendor,
        };
        var features = caps.Features;
        if (vendor != caps.Vendor)
        {
            features = vendor == CpuVendor.Amd ? PmuFeatures.PerfctrCore | PmuFeatures.PerfmonV2 : PmuFeatures.Pdcm;
        }

        features = Toggle(features, PmuFeatures.Tsx | PmuFeatures.Rtm, o.Switch("tsx"));
        features = Toggle(features, PmuFeatures.ArchLbr, o.Switch("arch-lbr"));
        caps = caps with
        {
            Vendor = vendor,
            Version = (int?)o.Number("version") ?? caps.Version,
            GpCounters = (int?)o.Number("gp") ?? caps.GpCounters,
            FixedCounters = vendor == CpuVendor.Amd ? 0 : (int?)o.Number("fixed") ?? caps.FixedCounters,
            GpWidth = (int?)o.Number("gp-width") ?? caps.GpWidth,
            FixedWidth = (int?)o.Number("fixed-width") ?? caps.FixedWidth,
            PerfCapabilities = o.Number("perf-caps") ?? caps.PerfCapabilities,
            LbrDepth = (int?)o.Number("lbr-depth") ?? caps.LbrDepth,
            Features = features,
        };
        if (caps.GpCounters > 32 || caps.FixedCounters > 16 || caps.GpWidth is < 1 or > 64 || caps.FixedWidth > 64)
        {
            throw new ScenarioRuntimeError("host counter counts or widths are out of range");
        }

        var parameters = new KvmModuleParameters
        {
            EnablePmu = o.Switch("pmu") ?? true,
            EnableMediatedPmu = o.Switch("mediated") ?? false,
            VmwareBackdoor = o.Switch("vmware-backdoor") ?? false,
        };
        foreach (var vm in _allVms)
        {
            vm.Destroy();
        }

        _vms.Clear();
        _perfEvents.Clear();
        _perfContexts.Clear();
        _vm = null;
        _host = new HostMachine(model with { Caps = caps }, parameters, _costs);
    }

    private static PmuFeatures Toggle(PmuFeatures features, PmuFeatures bits, bool? on) =>
        on switch
        {
            true => features | bits,
            false => features & ~bits,
            null => features,
        };

    private void CreateVm(VmStatement v)
    {
        var k = v.Keys;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in k)
        {
            options[setting.Key] = setting.Value switch
            {
                NumberValue n => n.Value.ToString(CultureInfo.InvariantCulture),
                SwitchValue s => s.On ? "on" : "off",
                WordValue w => w.Word,
                _ => setting.Value.ToString() ?? "",
            };
        }

        var request = new VmRequest
        {
            Mode = v.Vpmu switch
            {
                Vpmu.Off => VpmuMode.Off,
                Vpmu.Mediated => VpmuMode.Mediated,
                _ => VpmuMode.Emulated,
            },
            Name = k.Word("name"),
            Vcpus = (int)Math.Clamp(k.Number("vcpus") ?? 1, 1, 64),
            Version = ToInt(k.Number("version")),
            GpCounters = ToInt(k.Number("gp")),
            FixedCounters = ToInt(k.Number("fixed")),
            GpWidth = ToInt(k.Number("gp-width")),
            FixedWidth = ToInt(k.Number("fixed-width")),
            PerfCapabilities = k.Number("perf-caps"),
            Pdcm = k.Switch("pdcm"),
            Tsx = k.Switch("tsx"),
            EventsMaskLength = ToInt(k.Number("events-mask-len")),
            EventsUnavailable = k.Number("events-unavailable"),
            PerfctrCore = k.Switch("perfctr-core"),
            GroupedMetrics = k.Switch("grouped-metrics") ?? false,
            PvLbr = k.Switch("pv-lbr") ?? false,
            LbrDepth = ToInt(k.Number("lbr-depth")),
            Lbr = k.Word("lbr"),
            Profile = k.Word("profile") == "pv-lbr-2018" ? MsrProfile.PvLbr2018 : MsrProfile.Upstream,
            Options = options,
        };

        var creation = Vm.Create(Host, request);
        string actual = creation.Succeeded ? "ok" : ErrnoName(creation.Error) ?? "error";
        if (v.Expect is not null)
        {
            bool passed = v.Expect switch
            {
                OkExpectation => creation.Succeeded,
                HostErrorExpectation => !creation.Succeeded,
                ErrnoExpectation e => !creation.Succeeded && ErrnoName(creation.Error) == e.Errno.ToName(),
                _ => false,
            };
            Record(v, Describe(v.Expect), creation.Succeeded ? "ok" : $"{actual} ({creation.Message})", passed);
        }

        if (!creation.Succeeded || creation.Vm is null)
        {
            throw new ScenarioStop();
        }

        var vm = creation.Vm;
        _vm = vm;
        _vcpuIndex = 0;
        _allVms.Add(vm);
        _vms[vm.Name] = vm;
        SyncHostLbrUsers();
    }

    private static int? ToInt(ulong? value) => value is ulong v ? (int)Math.Min(v, int.MaxValue) : null;

    internal static string? ErrnoName(PerfError error) => error switch
    {
        PerfError.Ebusy => "EBUSY",
        PerfError.Eopnotsupp => "EOPNOTSUPP",
        PerfError.Einval => "EINVAL",
        PerfError.E2big => "E2BIG",
        PerfError.Enoent => "ENOENT",
        _ => null,
    };

    private void CheckMetric(ExpectMetric expect)
    {
        var metrics = CurrentVm.Metrics;
        if (!metrics.TryGet(expect.Metric.Name, out ulong value))
        {
            if (!metrics.Knows(expect.Metric.Name))
            {
                throw new ScenarioRuntimeError($"unknown metric '{expect.Metric.Name}'");
            }

            value = 0;
        }

        bool passed = expect.Operator.Holds(value, expect.Value);
        Record(expect, $"{expect.Metric.Name} {expect.Operator.ToSymbol()} {Number(expect.Value)}", Number(value), passed);
    }

    private void Record(Statement statement, string expected, string actual, bool passed)
    {
        _outcome.Expectations.Add(new ExpectationOutcome(statement.Span.Line, statement.GetType().Name, expected, actual, passed));
    }

    /// <summary>A count or metric: decimal.</summary>
    internal static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A value read from a register: decimal, with hex alongside when that reads differently.</summary>
    internal static string Value(ulong value) =>
        value < 10 ? value.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{value} (0x{value:x})");
}
