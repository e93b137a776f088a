using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security;
using System.Text;

namespace MsrGen.Scenarios;

/// <summary>Parses <c>*.pmu</c> scenario files into <see cref="ScenarioFile"/>s or located diagnostics.</summary>
public static class ScenarioParser
{
    /// <summary>
    /// Parses <paramref name="text"/>. Never throws on any text: a malformed file gives every
    /// diagnostic it has (sorted by line and column) and no scenario.
    /// </summary>
    public static ScenarioParseResult Parse(string path, string text, ScenarioParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var diagnostics = new List<ScenarioDiagnostic>();
        var reader = new StatementReader(path, options ?? ScenarioParserOptions.Default, diagnostics);
        var statements = new List<Statement>();
        foreach (var line in SourceText.Lex(text))
        {
            if (reader.Read(line) is { } statement)
            {
                statements.Add(statement);
            }
        }

        var sorted = diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
        return ScenarioParseResult.From(path, statements, sorted);
    }

    /// <summary>Reads the file as UTF-8 and parses it; an unreadable file is a diagnostic at 1:1.</summary>
    public static ScenarioParseResult ParseFile(string path, ScenarioParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException or ArgumentException or NotSupportedException)
        {
            var diagnostic = new ScenarioDiagnostic(path, 1, 1, $"cannot read the file: {e.Message}");
            return new ScenarioParseResult(null, new EquatableList<ScenarioDiagnostic>([diagnostic]));
        }

        return Parse(path, text, options);
    }
}
