namespace MsrGen.Generator.Emit;

/// <summary>The version stamped into [GeneratedCode]; snapshot tests scrub it.</summary>
internal static class ThisAssembly
{
    public const string Version = "0.1.0.0";
}
