namespace MsrGen.Analyzers;

/// <summary>Keys of the diagnostic properties the code fixes read; the analyzer decides, the fixes only edit.</summary>
internal static class FixProperties
{
    /// <summary>MSR1002: how to clear the bits (one of the values below).</summary>
    public const string ClearKind = "ClearKind";
    /// <summary>Replace the flagged constant with <see cref="Replacement"/>.</summary>
    public const string ReplaceConstant = "ReplaceConstant";
    /// <summary>Drop the flagged <c>With…</c> call from its chain.</summary>
    public const string RemoveSetter = "RemoveSetter";
    /// <summary>Replace the value argument of the flagged <c>With…</c> call with <see cref="Replacement"/>.</summary>
    public const string ReplaceSetterValue = "ReplaceSetterValue";

    /// <summary>C# text that replaces the flagged expression (MSR1002 constant, MSR1004 named register).</summary>
    public const string Replacement = "Replacement";

    /// <summary>MSR1006: the C# condition that guards the access (absent when no PmuCaps is in scope).</summary>
    public const string Guard = "Guard";
}
