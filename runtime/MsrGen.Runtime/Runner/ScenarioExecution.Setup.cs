using System;
using System.Collections.Generic;
using System.Globalization;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Runner;

/// <summary>The host and vm statements: the modelled machine and KVM's checks when a VM is created.</summary>
internal sealed partial class ScenarioExecution
{
    private void SetUpHost(HostStatement h)
    {
        if (!PmuPresets.TryGet(h.Preset, out var model))
        {
            throw new ScenarioRuntimeError($"unknown preset '{h.Preset}'");
        }

        if (model.Warning is { } warning)
        {
            _outcome.Warnings.Add(string.Create(CultureInfo.InvariantCulture, $"{_path}:{h.Span.Line}: warning: {warning}"));
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
        bool switched = vendor != model.Caps.Vendor;
        caps = caps with
        {
            Vendor = vendor,
            Version = HostNumber(o, "version", caps.Version),
            GpCounters = HostNumber(o, "gp", caps.GpCounters),
            // An AMD part has no fixed counters; switching an Intel preset to AMD drops its fixed ones.
            FixedCounters = HostNumber(o, "fixed", vendor == CpuVendor.Amd && switched ? 0 : caps.FixedCounters),
            GpWidth = HostNumber(o, "gp-width", caps.GpWidth),
            FixedWidth = HostNumber(o, "fixed-width", vendor == CpuVendor.Amd && switched ? 0 : caps.FixedWidth),
            PerfCapabilities = o.Number("perf-caps") ?? caps.PerfCapabilities,
            LbrDepth = HostNumber(o, "lbr-depth", caps.LbrDepth),
            Features = features,
        };
        CheckHostLimits(h, caps);

        var parameters = new KvmModuleParameters
        {
            EnablePmu = o.Switch("pmu") ?? ScenarioDefaultParameters.EnablePmu,
            EnableMediatedPmu = o.Switch("mediated") ?? ScenarioDefaultParameters.EnableMediatedPmu,
            VmwareBackdoor = o.Switch("vmware-backdoor") ?? ScenarioDefaultParameters.VmwareBackdoor,
            PtHostGuest = (o.Switch("pt-host-guest") ?? false) && vendor == CpuVendor.Intel,
        };
        foreach (var vm in _allVms)
        {
            vm.Destroy();
        }

        _vms.Clear();
        _perfEvents.Clear();
        _perfContexts.Clear();
        _vm = null;
        _host = new HostMachine(model with { Caps = caps }, parameters, _costs) { ReplaySwitches = _options.ReplaySwitches };
    }

    /// <summary>A host key's value; the front end has already bounded it to an int-sized range.</summary>
    private static int HostNumber(SettingList o, string key, int preset) => o.Number(key) is ulong v ? (int)v : preset;

    /// <summary>
    /// What each vendor allows (the front end checks what holds for both). A value out of range is
    /// an error at the key that set it, or at the preset (or <c>vendor=</c>) it came from.
    /// </summary>
    private static void CheckHostLimits(HostStatement h, PmuCaps caps)
    {
        bool amd = caps.IsAmd;
        string vendor = amd ? "an AMD host" : "an Intel host";
        Limit(h, "version", caps.Version, amd ? 1 : 0, amd ? 2 : ScenarioLimits.MaxHostVersion, vendor, amd ? "PerfMonV1 or PerfMonV2" : "architectural PMU versions, 0 for none");
        Limit(h, "gp", caps.GpCounters, amd ? 1 : 0, amd ? ScenarioLimits.MaxAmdGp : ScenarioLimits.MaxHostGp, vendor, amd ? "CPUID 0x80000022 EBX[3:0]" : "IA32_PERF_GLOBAL_CTRL bits 31:0");
        Limit(h, "fixed", caps.FixedCounters, 0, amd ? 0 : ScenarioLimits.MaxHostFixed, vendor, amd ? "AMD has no fixed counters" : "IA32_PERF_GLOBAL_CTRL bits 47:32");
        Limit(h, "gp-width", caps.GpWidth, amd ? ScenarioLimits.AmdCounterWidth : 1, amd ? ScenarioLimits.AmdCounterWidth : 64, vendor, amd ? "AMD counters are 48 bits wide" : "bits");
        Limit(h, "fixed-width", caps.FixedWidth, 0, amd ? 0 : 64, vendor, amd ? "AMD has no fixed counters" : "bits");
        Limit(h, "lbr-depth", caps.LbrDepth, 0, ScenarioLimits.MaxLbrDepth, vendor, "LBR entries");
    }

    private static void Limit(HostStatement h, string key, int value, int min, int max, string vendor, string meaning)
    {
        if (value >= min && value <= max)
        {
            return;
        }

        var o = h.Overrides;
        string range = min == max ? $"{min}" : $"{min}..{max}";
        if (o.Find(key) is { } written)
        {
            throw new ScenarioRuntimeError($"value '{value}' for '{key}' is out of range for {vendor}; allowed {range} ({meaning})", written.Span);
        }

        var at = o.Find("vendor")?.Span ?? h.Span;
        throw new ScenarioRuntimeError($"preset '{h.Preset}' has {key} {value}, out of range for {vendor}; allowed {range} ({meaning}): write {key}=", at);
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
            // The front end bounds vcpus to 1..ScenarioLimits.MaxVcpus; nothing is clamped here.
            Vcpus = (int)(k.Number("vcpus") ?? 1),
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

        if (Host.Caps.IsAmd && k.Find("gp") is { Value: NumberValue { Value: > ScenarioLimits.MaxAmdGp } gp } gpSetting)
        {
            throw new ScenarioRuntimeError($"value '{gp.Value}' for 'gp' is out of range for an AMD guest; allowed 0..{ScenarioLimits.MaxAmdGp} (CPUID 0x80000022 EBX[3:0])", gpSetting.Span);
        }

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
        else if (!creation.Succeeded)
        {
            // Without '=>' a refused VM is still a failure at its line: the file cannot go on.
            RecordUnexpectedFailure(v, $"{actual} ({creation.Message})");
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

    /// <summary>A host-side action without <c>=&gt;</c> failed: that is a failure at its line, never silence.</summary>
    private void RecordUnexpectedFailure(Statement statement, string actual) =>
        Record(statement, "success (the line has no '=>' result)", actual, passed: false);

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
