using System;
using System.Collections.Generic;
using System.Globalization;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Traces;

/// <summary>
/// The vCPU a trace is judged against: a host CPU preset and the guest keys of a scenario's
/// <c>vm</c> line (<c>version=</c>, <c>gp=</c>, <c>fixed=</c>, <c>gp-width=</c>, <c>fixed-width=</c>,
/// <c>perf-caps=</c>, <c>pdcm=</c>, <c>tsx=</c>, <c>perfctr-core=</c>, <c>lbr-depth=</c>,
/// <c>pv-lbr=</c>, <c>profile=</c>). KVM derives the guest PMU from them exactly as for a scenario
/// (its clamps apply), so the reserved bits and counter counts are the ones a real vCPU would get.
/// </summary>
public sealed record TraceGuest(HostCpuModel Host, VmRequest Request, PmuCaps Caps)
{
    public static readonly IReadOnlyList<string> Keys =
        ["version", "gp", "fixed", "gp-width", "fixed-width", "perf-caps", "pdcm", "tsx", "perfctr-core", "lbr-depth", "pv-lbr", "profile"];

    public MsrProfile Profile => Request.Profile;

    /// <summary>Builds the guest; null and an error message when the preset, a key or the VM is refused.</summary>
    public static TraceGuest? Create(string preset, IEnumerable<string> keyValues, out string? error)
    {
        error = null;
        if (!PmuPresets.TryGet(preset, out var model))
        {
            error = $"unknown CPU preset '{preset}'; expected one of {string.Join(", ", PmuPresets.Names)}";
            return null;
        }

        var request = new VmRequest { Mode = VpmuMode.Emulated, Lbr = "none" };
        foreach (var pair in keyValues)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = eq > 0 ? pair[..eq].ToLowerInvariant() : pair;
            string value = eq > 0 ? pair[(eq + 1)..] : "";
            if (eq <= 0 || !TryApply(ref request, key, value.ToLowerInvariant(), out error))
            {
                error ??= $"expected KEY=VALUE with KEY one of {string.Join(", ", Keys)}; found '{pair}'";
                return null;
            }
        }

        var creation = Vm.Create(new HostMachine(model), request);
        if (creation.Vm is null)
        {
            error = $"KVM refuses this guest on {model.Name}: {creation.Message}";
            return null;
        }

        var caps = creation.Vm.Vcpus[0].GuestCaps;
        creation.Vm.Destroy();
        return new TraceGuest(model, request, caps);
    }

    private static bool TryApply(ref VmRequest request, string key, string value, out string? error)
    {
        error = null;
        bool? onOff = value switch { "on" => true, "off" => false, _ => null };
        ulong number = 0;
        bool isNumber = TryParseNumber(value, out number);
        int small = (int)Math.Min(number, int.MaxValue);
        switch (key)
        {
            case "version" when isNumber: request = request with { Version = small }; return true;
            case "gp" when isNumber: request = request with { GpCounters = small }; return true;
            case "fixed" when isNumber: request = request with { FixedCounters = small }; return true;
            case "gp-width" when isNumber: request = request with { GpWidth = small }; return true;
            case "fixed-width" when isNumber: request = request with { FixedWidth = small }; return true;
            case "perf-caps" when isNumber: request = request with { PerfCapabilities = number }; return true;
            case "lbr-depth" when isNumber: request = request with { LbrDepth = small }; return true;
            case "pdcm" when onOff is bool b: request = request with { Pdcm = b }; return true;
            case "tsx" when onOff is bool b: request = request with { Tsx = b }; return true;
            case "perfctr-core" when onOff is bool b: request = request with { PerfctrCore = b }; return true;
            case "pv-lbr" when onOff is bool b: request = request with { PvLbr = b }; return true;
            case "profile" when value is "upstream" or "pv-lbr-2018":
                request = request with { Profile = value == "upstream" ? MsrProfile.Upstream : MsrProfile.PvLbr2018 };
                return true;
            default:
                error = Array.IndexOf(["version", "gp", "fixed", "gp-width", "fixed-width", "perf-caps", "lbr-depth"], key) >= 0
                    ? $"'{key}' needs a number (decimal or 0x hex); found '{value}'"
                    : Array.IndexOf(["pdcm", "tsx", "perfctr-core", "pv-lbr"], key) >= 0
                        ? $"'{key}' needs on or off; found '{value}'"
                        : key == "profile" ? $"'profile' needs upstream or pv-lbr-2018; found '{value}'" : null;
                return false;
        }
    }

    /// <summary>Decimal or 0x hex, _ allowed between digits.</summary>
    internal static bool TryParseNumber(string text, out ulong value)
    {
        string digits = text.Replace("_", "", StringComparison.Ordinal);
        return digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && digits.Length > 2
            : ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
