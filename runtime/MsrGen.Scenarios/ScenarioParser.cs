using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security;
using System.Text;

namespace MsrGen.Scenarios;

/// <summary>Parses <c>*.pmu</c> scenario files into <see cref="ScenarioFile"/>s or located diagnostics.</summary>
public static class ScenarioParser
{
    /// <summary>
    /// Parses <paramref name="text"/>. Never throws on any text: a malformed file gives its
    /// diagnostics (sorted by line and column, at most <see cref="ScenarioLimits.MaxDiagnosticsPerFile"/>
    /// followed by one "and N more") and no scenario.
    /// </summary>
    public static ScenarioParseResult Parse(string path, string text, ScenarioParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Parse(path, reader, options, keepStatements: true);
    }

    /// <summary>Reads the file as UTF-8 and parses it; an unreadable file is a diagnostic at 1:1.</summary>
    public static ScenarioParseResult ParseFile(string path, ScenarioParserOptions? options = null) =>
        WithFile(path, reader => Parse(path, reader, options, keepStatements: true));

    /// <summary>
    /// Checks a file without keeping its statements: memory stays within a small multiple of its
    /// longest line. A file that passes has no diagnostics; run it with <see cref="ReadFile"/>.
    /// </summary>
    public static ScenarioParseResult CheckFile(string path, ScenarioParserOptions? options = null) =>
        WithFile(path, reader => Parse(path, reader, options, keepStatements: false));

    /// <summary>
    /// The statements of a file one at a time, read as they are needed. A line that does not parse
    /// (the file changed after <see cref="CheckFile"/>) ends the sequence with its diagnostics
    /// added to <paramref name="diagnostics"/>.
    /// </summary>
    public static IEnumerable<Statement> ReadFile(string path, List<ScenarioDiagnostic> diagnostics, ScenarioParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(diagnostics);
        return Read(path, diagnostics, options ?? ScenarioParserOptions.Default);
    }

    private static IEnumerable<Statement> Read(string path, List<ScenarioDiagnostic> diagnostics, ScenarioParserOptions options)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception e) when (IsFileError(e))
        {
            diagnostics.Add(CannotRead(path, e));
            yield break;
        }

        using (reader)
        {
            var statementReader = new StatementReader(path, options, diagnostics);
            using var lines = SourceText.Lex(reader).GetEnumerator();
            while (true)
            {
                SourceLine line;
                try
                {
                    if (!lines.MoveNext())
                    {
                        yield break;
                    }

                    line = lines.Current;
                }
                catch (Exception e) when (IsFileError(e))
                {
                    diagnostics.Add(CannotRead(path, e));
                    yield break;
                }

                int before = diagnostics.Count;
                var statement = statementReader.Read(line);
                if (diagnostics.Count > before || statement is null)
                {
                    yield break;
                }

                yield return statement;
            }
        }
    }

    private static ScenarioParseResult WithFile(string path, Func<TextReader, ScenarioParseResult> parse)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return parse(reader);
        }
        catch (Exception e) when (IsFileError(e))
        {
            return new ScenarioParseResult(null, new EquatableList<ScenarioDiagnostic>([CannotRead(path, e)]));
        }
    }

    private static ScenarioParseResult Parse(string path, TextReader reader, ScenarioParserOptions? options, bool keepStatements)
    {
        var kept = new List<ScenarioDiagnostic>();
        var lineDiagnostics = new List<ScenarioDiagnostic>();
        var statementReader = new StatementReader(path, options ?? ScenarioParserOptions.Default, lineDiagnostics);
        var statements = new List<Statement>();
        long omitted = 0;
        ScenarioDiagnostic? firstOmitted = null;
        foreach (var line in SourceText.Lex(reader))
        {
            var statement = statementReader.Read(line);
            if (lineDiagnostics.Count == 0)
            {
                if (keepStatements && statement is not null)
                {
                    statements.Add(statement);
                }

                continue;
            }

            // One line's diagnostics in column order; lines already come in order.
            lineDiagnostics.Sort((a, b) => a.Column.CompareTo(b.Column) is var c && c != 0 ? c : a.Line.CompareTo(b.Line));
            foreach (var diagnostic in lineDiagnostics)
            {
                if (kept.Count < ScenarioLimits.MaxDiagnosticsPerFile)
                {
                    kept.Add(diagnostic);
                }
                else
                {
                    firstOmitted ??= diagnostic;
                    omitted++;
                }
            }

            lineDiagnostics.Clear();
            statements.Clear();
            keepStatements = false;
        }

        if (firstOmitted is not null)
        {
            kept.Add(firstOmitted with
            {
                Message = string.Create(CultureInfo.InvariantCulture, $"and {omitted} more error(s) in this file, the first of them here: {firstOmitted.Message}"),
            });
        }

        return ScenarioParseResult.From(path, statements, kept);
    }

    private static bool IsFileError(Exception e) =>
        e is IOException or UnauthorizedAccessException or SecurityException or ArgumentException or NotSupportedException;

    private static ScenarioDiagnostic CannotRead(string path, Exception e) => new(path, 1, 1, $"cannot read the file: {e.Message}");
}
