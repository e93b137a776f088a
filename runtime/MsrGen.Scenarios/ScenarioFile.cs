using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace MsrGen.Scenarios;

/// <summary>A well-formed scenario: its statements in file order.</summary>
public sealed record ScenarioFile(string Path, EquatableList<Statement> Statements);

/// <summary>Either a scenario (no diagnostics) or the diagnostics of a malformed file (no scenario).</summary>
public sealed record ScenarioParseResult(ScenarioFile? File, EquatableList<ScenarioDiagnostic> Diagnostics)
{
    [MemberNotNullWhen(true, nameof(File))]
    public bool Succeeded => File is not null;

    internal static ScenarioParseResult From(string path, IReadOnlyList<Statement> statements, IReadOnlyList<ScenarioDiagnostic> diagnostics) =>
        diagnostics.Count == 0
            ? new(new ScenarioFile(path, new EquatableList<Statement>(statements)), EquatableList<ScenarioDiagnostic>.Empty)
            : new(null, new EquatableList<ScenarioDiagnostic>(diagnostics));
}
