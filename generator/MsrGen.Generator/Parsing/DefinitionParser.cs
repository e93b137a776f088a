using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

/// <summary>
/// Reads one definition file (the format of docs/definition-format.md) into register models and
/// located diagnostics. Never throws: a bad line is a diagnostic and the register it belongs to is
/// dropped, while every other register of the file is still produced.
/// </summary>
internal sealed partial class DefinitionParser
{
    private readonly string _path;
    /// <summary>Diagnostics reported per file; the rest are summed up in one "and N more".</summary>
    public const int MaxDiagnosticsPerFile = 100;

    private readonly List<DiagnosticInfo> _diagnostics = new();
    private int _reported;
    private DiagnosticInfo? _firstOmitted;
    private readonly List<RegisterModel> _registers = new();
    private readonly List<CatalogEntry> _catalog = new();
    private readonly HashSet<string> _registerNames = new(StringComparer.Ordinal);

    private VendorKind? _fileVendor;
    private ProfileKinds _fileProfile = ProfileKinds.All;
    private RegisterBuilder? _register;
    private EnumBuilder? _enum;
    private GroupBuilder? _group;
    private int _line;

    private DefinitionParser(string path) => _path = path;

    public static DefinitionFile Parse(string path, string text)
    {
        var parser = new DefinitionParser(path);
        try
        {
            parser.Run(text);
        }
        catch (Exception ex)
        {
            // A parser bug must still surface as a located diagnostic, never as a generator crash.
            parser._diagnostics.Add(new DiagnosticInfo(GeneratorDiagnostics.InternalError,
                $"internal error while reading this file at line {parser._line}: {ex.GetType().Name}: {ex.Message}",
                new SourcePosition(path, Math.Max(parser._line, 1), 1, 0, 0)));
        }

        if (parser._firstOmitted is { } omitted)
        {
            int more = parser._reported - MaxDiagnosticsPerFile;
            parser._diagnostics.Add(new DiagnosticInfo(omitted.Id,
                $"and {more} more error(s) in this file, the first of them here: {omitted.Message}", omitted.Position));
        }

        return new DefinitionFile(
            path,
            HintNameFor(path),
            parser._registers.ToEquatableArray(),
            parser._catalog.ToEquatableArray(),
            parser._diagnostics.ToEquatableArray());
    }

    public static string HintNameFor(string path)
    {
        string file = path.Replace('\\', '/');
        int slash = file.LastIndexOf('/');
        file = slash >= 0 ? file.Substring(slash + 1) : file;
        if (file.EndsWith(".msr", StringComparison.OrdinalIgnoreCase))
        {
            file = file.Substring(0, file.Length - 4);
        }

        var chars = file.Select(c => char.IsLetterOrDigit(c) || c == '-' || c == '_' ? c : '_').ToArray();
        return new string(chars) + ".msr.g.cs";
    }

    private void Run(string text)
    {
        int offset = 0;
        _line = 0;
        while (offset <= text.Length)
        {
            int newline = text.IndexOf('\n', offset);
            int end = newline < 0 ? text.Length : newline;
            string line = text.Substring(offset, end - offset).TrimEnd('\r');
            _line++;
            ProcessLine(line, offset);
            if (newline < 0)
            {
                break;
            }

            offset = newline + 1;
        }

        if (_register is not null)
        {
            Report(GeneratorDiagnostics.UnterminatedBlock, $"register '{_register.Name}' has no 'end'", _register.NameToken);
        }
    }

    private void ProcessLine(string line, int lineOffset)
    {
        var tokens = LineTokenizer.Tokenize(line, _line, lineOffset, out string? error, out int errorColumn);
        if (error is not null)
        {
            Report(GeneratorDiagnostics.Syntax, error, new Token("\"", _line, errorColumn, lineOffset + errorColumn - 1, 1, false));
            MarkRegisterBroken();
            MarkLayoutIncomplete();
            return;
        }

        if (tokens.Count == 0)
        {
            return;
        }

        var keyword = tokens[0];
        if (keyword.Quoted)
        {
            Report(GeneratorDiagnostics.Syntax, "a line must start with a keyword, not a string", keyword);
            MarkRegisterBroken();
            return;
        }

        string word = keyword.Text.ToLowerInvariant();

        // A rejected line that declared bits leaves a hole in the layout: the register is already in error,
        // so its 'unaccounted bits' would only repeat the first diagnostic.
        int reportedBefore = _reported;
        var register = _register;
        bool declaresBits = _enum is not null || _group is not null ||
                            (register is not null && word is "field" or "enum" or "reserved" or "array-field" or "group");
        Dispatch(word, tokens);
        if (declaresBits && register is not null && _reported > reportedBefore)
        {
            register.LayoutIncomplete = true;
        }
    }

    private void Dispatch(string word, List<Token> tokens)
    {
        if (word == "msr" && (_enum is not null || _group is not null))
        {
            CloseForgottenBlock(tokens);
            return;
        }

        if (_enum is not null)
        {
            ProcessEnumLine(word, tokens);
        }
        else if (_group is not null)
        {
            ProcessGroupLine(word, tokens);
        }
        else if (_register is not null)
        {
            ProcessRegisterLine(word, tokens);
        }
        else
        {
            ProcessTopLevelLine(word, tokens);
        }
    }

    /// <summary>An 'msr' inside an enum or group: the block and its register were never closed; start afresh.</summary>
    private void CloseForgottenBlock(List<Token> tokens)
    {
        string kind = _enum is not null ? "enum" : "group";
        string name = _enum is not null ? _enum.Field.Name : _group!.Name;
        var at = _enum is not null ? _enum.At : _group!.At;
        Report(GeneratorDiagnostics.UnterminatedBlock, $"{kind} '{name}' has no 'end' before the next 'msr'", at);
        _enum = null;
        _group = null;
        MarkRegisterBroken();
        _register = null;
        StartRegister(tokens);
    }

    private void ProcessTopLevelLine(string word, List<Token> tokens)
    {
        switch (word)
        {
            case "msr":
                StartRegister(tokens);
                break;
            case "vendor":
                if (ExpectArgs(tokens, 2) && ParseVendor(tokens[1]) is { } vendor)
                {
                    _fileVendor = vendor;
                }

                break;
            case "profile":
                if (ExpectArgs(tokens, 2) && ParseProfile(tokens[1]) is { } profile)
                {
                    _fileProfile = profile;
                }

                break;
            case "end":
                Report(GeneratorDiagnostics.Syntax, "'end' without an open 'msr', 'enum' or 'group'", tokens[0]);
                break;
            default:
                Report(GeneratorDiagnostics.UnknownKeyword,
                    $"unknown keyword '{tokens[0].Text}' outside a register (expected 'msr', 'vendor' or 'profile')", tokens[0]);
                break;
        }
    }

    private void StartRegister(List<Token> tokens)
    {
        if (tokens.Count != 3)
        {
            Report(GeneratorDiagnostics.Syntax, "expected 'msr NAME ADDRESS'", tokens[0]);
            // Still open a block so that its 'end' and body do not produce a cascade of errors.
            _register = new RegisterBuilder("?", tokens[0], 0, Position(tokens[0])) { HasErrors = true };
            return;
        }

        var nameToken = tokens[1];
        string name = nameToken.Text;
        bool validName = IsRegisterName(name);
        if (!validName)
        {
            Report(GeneratorDiagnostics.Syntax,
                $"'{name}' is not a register name (capital letters, digits and '_', with '{{n}}' where an array index goes)", nameToken);
        }

        bool validAddress = Numbers.TryParse(tokens[2].Text, out ulong address) && address <= uint.MaxValue;
        if (!validAddress)
        {
            Report(GeneratorDiagnostics.BadNumber, $"'{tokens[2].Text}' is not a 32-bit MSR address", tokens[2]);
        }

        _register = new RegisterBuilder(name, nameToken, (uint)address, Position(nameToken))
        {
            HasErrors = !validName || !validAddress,
        };
    }

    private static bool IsRegisterName(string name)
    {
        string plain = name.Replace("{n}", string.Empty);
        if (plain.Length == 0 || !char.IsLetter(plain[0]) || name.IndexOf("{n}", StringComparison.Ordinal) != name.LastIndexOf("{n}", StringComparison.Ordinal))
        {
            return false;
        }

        return plain.All(c => (c >= 'A' && c <= 'Z') || char.IsDigit(c) || c == '_');
    }

    private static bool IsFieldName(string name) =>
        IsRegisterName(name) && !name.StartsWith("_", StringComparison.Ordinal);

    private void MarkLayoutIncomplete()
    {
        if (_register is not null)
        {
            _register.LayoutIncomplete = true;
        }
    }

    private void MarkRegisterBroken()
    {
        if (_register is not null)
        {
            _register.HasErrors = true;
        }
    }

    private void Report(string id, string message, Token at)
    {
        _reported++;
        var diagnostic = new DiagnosticInfo(id, message, Position(at));
        if (_diagnostics.Count < MaxDiagnosticsPerFile)
        {
            _diagnostics.Add(diagnostic);
        }
        else
        {
            _firstOmitted ??= diagnostic;
        }
    }

    // Register-level findings are made at 'end' but belong to the token they name (often lines earlier).
    private SourcePosition Position(Token at) =>
        new(_path, at.Line > 0 ? at.Line : _line, at.Column, at.Offset, Math.Max(at.Length, 1));

    private bool ExpectArgs(List<Token> tokens, int count)
    {
        if (tokens.Count == count)
        {
            return true;
        }

        Report(GeneratorDiagnostics.Syntax,
            $"'{tokens[0].Text}' takes {count - 1} operand{(count == 2 ? "" : "s")}, found {tokens.Count - 1}", tokens[0]);
        MarkRegisterBroken();
        return false;
    }
}
