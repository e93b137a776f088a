using System;
using System.Collections.Generic;
using System.Linq;

namespace MsrGen.Scenarios;

/// <summary>What the parser validates against: register names, host presets, cost primitives.</summary>
public sealed record ScenarioParserOptions
{
    /// <summary>The presets the scenario language requires (<c>host PRESET</c>).</summary>
    public static IReadOnlyList<string> DefaultPresets { get; } =
        ["intel-v2", "skylake-server", "icelake-server", "sapphire-rapids", "zen4", "native"];

    public static ScenarioParserOptions Default { get; } = new();

    /// <summary>Resolves MSR operands written as names. Default: no names are known.</summary>
    public IRegisterNameResolver Registers { get; init; } = NoRegisterNames.Instance;

    /// <summary>Accepted <c>host</c> presets, compared case-insensitively.</summary>
    public IReadOnlyCollection<string> Presets { get; init; } = DefaultPresets;

    /// <summary>
    /// Accepted <c>cost</c> primitive names, compared case-insensitively. When null, any name made
    /// of <c>[a-z0-9.-]</c> is accepted and the runtime checks it.
    /// </summary>
    public IReadOnlyCollection<string>? CostPrimitives { get; init; }

    /// <summary>A copy whose preset list is the current one plus <paramref name="presets"/>.</summary>
    public ScenarioParserOptions WithExtraPresets(params string[] presets)
    {
        ArgumentNullException.ThrowIfNull(presets);
        return this with { Presets = Presets.Concat(presets).Distinct(StringComparer.OrdinalIgnoreCase).ToArray() };
    }
}
