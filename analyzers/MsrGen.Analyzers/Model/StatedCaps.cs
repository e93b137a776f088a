using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace MsrGen.Analyzers.Model;

/// <summary>
/// The PMU capabilities code states with <c>[AssumePmuCaps]</c>, as a lookup of the definition
/// language's capability names. Without a statement every name is unknown, and only bits that are
/// reserved whatever the capabilities are judged.
/// </summary>
internal sealed class StatedCaps
{
    // The same bits and defaults as PmuFeatures, PmuCaps and AssumePmuCapsAttribute of the register library.
    private const uint Pdcm = 1u << 0, Tsx = 1u << 1, PerfctrCore = 1u << 2, PerfmonV2 = 1u << 3, PvLbrCtrl = 1u << 4,
        ArchLbr = 1u << 5, Ds = 1u << 6, BusLockDetect = 1u << 7, Rtm = 1u << 8, PollControl = 1u << 9;

    private const ulong FullWidthWritesBit = 1UL << 13, PebsBaselineBit = 1UL << 14, PerfMetricsBit = 1UL << 15;

    public static StatedCaps None { get; } = new(null, "no stated capabilities (only always-reserved bits are judged)");

    private readonly Values? _values;
    private readonly string _source;

    private StatedCaps(Values? values, string source)
    {
        _values = values;
        _source = source;
    }

    public bool IsStated => _values is not null;

    /// <summary>How the message names these capabilities (formatted only when a diagnostic needs it).</summary>
    public string Description => _values is { } v
        ? string.Format(
            CultureInfo.InvariantCulture,
            "{9} ({0}, version {1}, {2} GP x {3} bits, {4} fixed x {5} bits, PERF_CAPABILITIES 0x{6:X}, LBR depth {7}, features 0x{8:X})",
            v.Amd ? "AMD" : "Intel",
            v.Version,
            v.Gp,
            v.GpWidth,
            v.Fixed,
            v.FixedWidth,
            v.PerfCapabilities,
            v.LbrDepth,
            v.Features,
            _source)
        : _source;

    /// <summary>
    /// The nearest <c>[AssumePmuCaps]</c> (on the symbol, its containing types, then the assembly); without
    /// one, the only PmuCaps local of the enclosing body that is created from constants
    /// (<c>var caps = new PmuCaps(CpuVendor.Intel, 2, 4, 3, 48, 48, 0, 0, PmuFeatures.None)</c>).
    /// </summary>
    public static StatedCaps For(ISymbol? symbol, KnownSymbols symbols, IOperation? access = null)
    {
        var stated = FromAttributes(symbol, symbols);
        return stated.IsStated || access is null ? stated : FromConstantLocal(access, symbols) ?? stated;
    }

    private static StatedCaps FromAttributes(ISymbol? symbol, KnownSymbols symbols)
    {
        if (symbols.AssumePmuCapsAttribute is null || symbol is null)
        {
            return None;
        }

        for (ISymbol? current = symbol; current is not null; current = current.ContainingSymbol)
        {
            if (current is INamespaceSymbol)
            {
                break;
            }

            var data = KnownSymbols.FindAttribute(current.GetAttributes(), symbols.AssumePmuCapsAttribute);
            if (data is not null)
            {
                return FromAttribute(data);
            }
        }

        var assembly = KnownSymbols.FindAttribute(symbol.ContainingAssembly.GetAttributes(), symbols.AssumePmuCapsAttribute);
        return assembly is null ? None : FromAttribute(assembly);
    }

    private static StatedCaps? FromConstantLocal(IOperation access, KnownSymbols symbols)
    {
        var root = access;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        IObjectCreationOperation? found = null;
        string name = "";
        foreach (var op in root.Descendants())
        {
            if (op is not IVariableDeclaratorOperation declarator ||
                !SymbolEqualityComparer.Default.Equals(declarator.Symbol.Type, symbols.PmuCaps))
            {
                continue;
            }

            if (declarator.Initializer?.Value is not IObjectCreationOperation creation || creation.Initializer is not null ||
                creation.Arguments.Length == 0 || !AllConstant(creation))
            {
                continue;
            }

            if (found is not null)
            {
                return null; // two candidates: which one the access runs under is not stated
            }

            found = creation;
            name = declarator.Symbol.Name;
        }

        if (found is null)
        {
            return null;
        }

        var values = new Values();
        foreach (var argument in found.Arguments)
        {
            if (argument.Parameter is { } parameter)
            {
                Assign(values, parameter.Name, argument.Value.ConstantValue.Value);
            }
        }

        return Describe(values, "the constant PmuCaps '" + name + "'");
    }

    private static bool AllConstant(IObjectCreationOperation creation)
    {
        foreach (var argument in creation.Arguments)
        {
            if (!argument.Value.ConstantValue.HasValue)
            {
                return false;
            }
        }

        return true;
    }

    private static void Assign(Values v, string member, object? value)
    {
        switch (member)
        {
            case "Vendor":
                v.Amd = System.Convert.ToInt32(value, CultureInfo.InvariantCulture) == 1;
                break;
            case "Version" when value is int i:
                v.Version = i;
                break;
            case "GpCounters" when value is int i:
                v.Gp = i;
                break;
            case "FixedCounters" when value is int i:
                v.Fixed = i;
                break;
            case "GpWidth" when value is int i:
                v.GpWidth = i;
                break;
            case "FixedWidth" when value is int i:
                v.FixedWidth = i;
                break;
            case "PerfCapabilities" when value is ulong u:
                v.PerfCapabilities = u;
                break;
            case "LbrDepth" when value is int i:
                v.LbrDepth = i;
                break;
            case "Features":
                v.Features = System.Convert.ToUInt32(value, CultureInfo.InvariantCulture);
                break;
        }
    }

    private static StatedCaps FromAttribute(AttributeData data)
    {
        var v = new Values();
        foreach (var named in data.NamedArguments)
        {
            Assign(v, named.Key, named.Value.Value);
        }

        return Describe(v, "[AssumePmuCaps]");
    }

    private static StatedCaps Describe(Values v, string source) => new(v, source);

    /// <summary>A capability's value (booleans as 0/1), or null when nothing is stated or the name is unknown.</summary>
    public long? Lookup(string name)
    {
        if (_values is not { } v)
        {
            return null;
        }

        bool Has(uint bit) => (v.Features & bit) == bit;
        bool lbr = v.LbrDepth > 0 && !v.Amd;
        return name switch
        {
            "intel" => B(!v.Amd),
            "amd" => B(v.Amd),
            "version" => v.Version,
            "gp" => v.Gp,
            "fixed" => v.Fixed,
            "gp-width" => v.GpWidth,
            "fixed-width" => v.FixedWidth,
            "lbr-depth" => v.LbrDepth,
            "pebs-format" => (long)((v.PerfCapabilities >> 8) & 0xF),
            "lbr-format" => (long)(v.PerfCapabilities & 0x3F),
            "pdcm" => B(Has(Pdcm)),
            "tsx" => B(Has(Tsx)),
            "rtm" => B(Has(Rtm)),
            "perfctr-core" => B(Has(PerfctrCore)),
            "perfmon-v2" => B(Has(PerfmonV2)),
            "pv-lbr-ctrl" => B(Has(PvLbrCtrl)),
            "poll-control" => B(Has(PollControl)),
            "arch-lbr" => B(Has(ArchLbr)),
            "ds" => B(Has(Ds)),
            "bus-lock-detect" => B(Has(BusLockDetect)),
            "fw-writes" => B(Has(Pdcm) && (v.PerfCapabilities & FullWidthWritesBit) != 0),
            "pebs-baseline" => B((v.PerfCapabilities & PebsBaselineBit) != 0),
            "perf-metrics" => B((v.PerfCapabilities & PerfMetricsBit) != 0),
            "lbr" => B(lbr),
            "lbr-info" => B(lbr && (v.PerfCapabilities & 0x3F) >= 5),
            _ => null,
        };
    }

    private static long B(bool value) => value ? 1 : 0;

    private sealed class Values
    {
        public bool Amd;
        public int Version = 2;
        public int Gp = 4;
        public int Fixed = 3;
        public int GpWidth = 48;
        public int FixedWidth = 48;
        public ulong PerfCapabilities;
        public int LbrDepth;
        public uint Features;
    }
}
