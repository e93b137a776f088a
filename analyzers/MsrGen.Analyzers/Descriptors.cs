using Microsoft.CodeAnalysis;

namespace MsrGen.Analyzers;

/// <summary>
/// Every rule the analyzers report. Ids never change meaning: 1xxx are correctness rules (the access
/// would fault, be ignored or corrupt state), 2xxx are style rules. Messages say what is wrong first,
/// then how to fix it.
/// </summary>
internal static class Descriptors
{
    public enum Category
    {
        /// <summary>1xxx: the access faults, is dropped, or touches the wrong PMU.</summary>
        Correctness,
        /// <summary>2xxx: legal but risky or unclear code.</summary>
        Style,
    }

    /// <summary>
    /// Help pages: docs/rules/ID.md at the project's published docs location (the MsrGenDocsUrl
    /// MSBuild property), so an IDE opens them from a rule id.
    /// </summary>
    public const string HelpLinkBase = DocsLocation.Url + "rules/";

    public const string WriteToReadOnlyId = "MSR1001";
    public const string ReservedBitsId = "MSR1002";
    public const string MeaninglessReadId = "MSR1003";
    public const string RawKnownAddressId = "MSR1004";
    public const string UnknownAddressId = "MSR1005";
    public const string UnguardedGatedRegisterId = "MSR1006";
    public const string HostPmuInGuestRegionId = "MSR1007";
    public const string IndexBeyondMaximumId = "MSR1008";
    public const string RawAccessPathId = "MSR2001";

    private static DiagnosticDescriptor Rule(string id, string title, Category category, DiagnosticSeverity severity, string messageFormat) =>
        new(
            id,
            title,
            messageFormat,
            category == Category.Correctness ? "MsrGen.Correctness" : "MsrGen.Style",
            severity,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + id + ".md");

    public static DiagnosticDescriptor MSR1001_WriteToReadOnly { get; } = Rule(
        WriteToReadOnlyId,
        "Write to a read-only register or field",
        Category.Correctness,
        DiagnosticSeverity.Error,
        "{0} is read-only {1}; the write raises #GP or is ignored. Remove the write, or write it from host userspace outside the guest's context.");

    public static DiagnosticDescriptor MSR1002_ReservedBits { get; } = Rule(
        ReservedBitsId,
        "Constant value sets reserved bits",
        Category.Correctness,
        DiagnosticSeverity.Warning,
        "This value sets reserved {0} of {1} (0x{2}) under {3}; writing it raises #GP on Intel or is dropped on AMD. Clear those bits, or state the capabilities that make them exist with [AssumePmuCaps].");

    public static DiagnosticDescriptor MSR1003_MeaninglessRead { get; } = Rule(
        MeaninglessReadId,
        "Read of a register whose read has no meaning",
        Category.Correctness,
        DiagnosticSeverity.Warning,
        "{0} {1}, so this read tells nothing. Read the register that holds the state instead{2}.");

    public static DiagnosticDescriptor MSR1004_RawKnownAddress { get; } = Rule(
        RawKnownAddressId,
        "Raw address of a known register",
        Category.Correctness,
        DiagnosticSeverity.Warning,
        "Address 0x{0} is {1}; a raw number hides which register is meant and skips its access checks. Use {2} (or the typed Read/Write of the register).");

    public static DiagnosticDescriptor MSR1005_UnknownAddress { get; } = Rule(
        UnknownAddressId,
        "Constant address that no definition knows",
        Category.Correctness,
        DiagnosticSeverity.Warning,
        "No register definition has address 0x{0}; the access raises #GP on a vCPU. Check the number, or add the register to a .msr definition file and use the generated type.");

    public static DiagnosticDescriptor MSR1006_UnguardedGatedRegister { get; } = Rule(
        UnguardedGatedRegisterId,
        "Capability-gated register used without a guard",
        Category.Correctness,
        DiagnosticSeverity.Warning,
        "{0} exists only when '{1}', but no check that dominates this access establishes {2}; on a vCPU without it the access raises #GP. Guard the access with {3}.");

    public static DiagnosticDescriptor MSR1007_HostPmuInGuestRegion { get; } = Rule(
        HostPmuInGuestRegionId,
        "Host PMU register accessed while the guest's PMU state is loaded",
        Category.Correctness,
        DiagnosticSeverity.Warning,
        "{0} belongs to the PMU, which holds the guest's state {1}; this access reads or clobbers guest state instead of the host's. Move it before the load or after the put of the guest PMU state.");

    public static DiagnosticDescriptor MSR1008_IndexBeyondMaximum { get; } = Rule(
        IndexBeyondMaximumId,
        "Constant index beyond the architectural maximum",
        Category.Correctness,
        DiagnosticSeverity.Error,
        "Index {0} is outside {1}, which has {2} architectural {3} (0..{4}); no CPU has this instance. Use an index below {2}.");

    public static DiagnosticDescriptor MSR2001_RawAccessPath { get; } = Rule(
        RawAccessPathId,
        "Use of the unchecked raw access path",
        Category.Style,
        DiagnosticSeverity.Info,
        "{0} skips the type, access and reserved-bit checks. Prefer the typed Read/Write of a generated register; keep raw access for decoding tools and tests.");
}
