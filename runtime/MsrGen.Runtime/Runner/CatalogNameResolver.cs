using MsrGen.Registers;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Runner;

/// <summary>Register names of scenarios resolved through the generated catalog (any profile).</summary>
public sealed class CatalogNameResolver : IRegisterNameResolver
{
    public static CatalogNameResolver Instance { get; } = new();

    public bool TryResolve(string name, out uint address)
    {
        if (MsrCatalog.TryFindByName(name, MsrProfile.All, out var register))
        {
            address = register.Address;
            return true;
        }

        address = 0;
        return false;
    }

    /// <summary>Parser options for the runtime: catalog names, the presets this runtime knows.</summary>
    public static ScenarioParserOptions ParserOptions { get; } = ScenarioParserOptions.Default with { Registers = Instance };
}
