using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace MsrGen.Generator.Model;

/// <summary>The MSRGEN9xxx diagnostics: everything the generator can say about a definition file.</summary>
internal static class GeneratorDiagnostics
{
    public const string Syntax = "MSRGEN9001";
    public const string UnknownKeyword = "MSRGEN9002";
    public const string OverlappingFields = "MSRGEN9003";
    public const string UnaccountedBits = "MSRGEN9004";
    public const string BitOutOfRange = "MSRGEN9005";
    public const string DuplicateName = "MSRGEN9006";
    public const string AddressClash = "MSRGEN9007";
    public const string ResetHasReservedBits = "MSRGEN9008";
    public const string UnknownCapability = "MSRGEN9009";
    public const string ArrayWithoutBound = "MSRGEN9010";
    public const string UnterminatedBlock = "MSRGEN9011";
    public const string BadNumber = "MSRGEN9012";
    public const string MissingProperty = "MSRGEN9013";
    public const string BadValue = "MSRGEN9014";
    public const string DuplicateFileName = "MSRGEN9015";
    public const string InternalError = "MSRGEN9099";

    private const string Category = "MsrGen.Definitions";

    private static readonly Dictionary<string, DiagnosticDescriptor> s_descriptors = new()
    {
        [Syntax] = Make(Syntax, "Definition syntax error"),
        [UnknownKeyword] = Make(UnknownKeyword, "Unknown keyword or key"),
        [OverlappingFields] = Make(OverlappingFields, "Fields overlap"),
        [UnaccountedBits] = Make(UnaccountedBits, "Bits not accounted for"),
        [BitOutOfRange] = Make(BitOutOfRange, "Bit outside 0..63"),
        [DuplicateName] = Make(DuplicateName, "Duplicate name"),
        [AddressClash] = Make(AddressClash, "Two registers at one address in one profile"),
        [ResetHasReservedBits] = Make(ResetHasReservedBits, "Reset value sets reserved bits"),
        [UnknownCapability] = Make(UnknownCapability, "Unknown capability"),
        [ArrayWithoutBound] = Make(ArrayWithoutBound, "Array without a bound"),
        [UnterminatedBlock] = Make(UnterminatedBlock, "Block without 'end'"),
        [BadNumber] = Make(BadNumber, "Bad number"),
        [MissingProperty] = Make(MissingProperty, "Required property missing"),
        [BadValue] = Make(BadValue, "Bad property value"),
        [DuplicateFileName] = Make(DuplicateFileName, "Two definition files with one name"),
        [InternalError] = Make(InternalError, "Generator failure"),
    };

    public static IEnumerable<DiagnosticDescriptor> All => s_descriptors.Values;

    private static DiagnosticDescriptor Make(string id, string title) =>
        new(id, title, "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: DocsLocation.Url + "definition-diagnostics.md#" + id.ToLowerInvariant());

    public static Diagnostic ToDiagnostic(DiagnosticInfo info)
    {
        var descriptor = s_descriptors.TryGetValue(info.Id, out var d) ? d : s_descriptors[InternalError];
        var p = info.Position;
        var start = new LinePosition(p.Line - 1 < 0 ? 0 : p.Line - 1, p.Column - 1 < 0 ? 0 : p.Column - 1);
        var end = new LinePosition(start.Line, start.Character + p.Length);
        var location = Location.Create(p.Path, new TextSpan(p.Offset, p.Length), new LinePositionSpan(start, end));
        return Diagnostic.Create(descriptor, location, info.Message);
    }
}
