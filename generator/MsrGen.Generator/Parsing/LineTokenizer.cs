using System.Collections.Generic;
using System.Text;

namespace MsrGen.Generator.Parsing;

/// <summary>One word of a definition line, with where it stands (1-based line and column, absolute offset).</summary>
internal readonly struct Token
{
    public Token(string text, int line, int column, int offset, int length, bool quoted)
    {
        Text = text;
        Line = line;
        Column = column;
        Offset = offset;
        Length = length;
        Quoted = quoted;
    }

    public string Text { get; }
    /// <summary>1-based line; 0 for a default token.</summary>
    public int Line { get; }
    public int Column { get; }
    public int Offset { get; }
    public int Length { get; }
    public bool Quoted { get; }
}

/// <summary>Splits a line into words and "quoted strings"; '#' outside quotes starts a comment.</summary>
internal static class LineTokenizer
{
    public static List<Token> Tokenize(string line, int lineNumber, int lineOffset, out string? error, out int errorColumn)
    {
        var tokens = new List<Token>();
        error = null;
        errorColumn = 0;
        int i = 0;
        while (i < line.Length)
        {
            char c = line[i];
            if (c == '#')
            {
                break;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            int start = i;
            if (c == '"')
            {
                var sb = new StringBuilder();
                i++;
                bool closed = false;
                while (i < line.Length)
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        sb.Append(line[i + 1]);
                        i += 2;
                        continue;
                    }

                    if (line[i] == '"')
                    {
                        closed = true;
                        i++;
                        break;
                    }

                    sb.Append(line[i]);
                    i++;
                }

                if (!closed)
                {
                    error = "string is not closed (missing '\"')";
                    errorColumn = start + 1;
                    return tokens;
                }

                tokens.Add(new Token(sb.ToString(), lineNumber, start + 1, lineOffset + start, i - start, quoted: true));
                continue;
            }

            while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] != '"' && line[i] != '#')
            {
                i++;
            }

            tokens.Add(new Token(line.Substring(start, i - start), lineNumber, start + 1, lineOffset + start, i - start, quoted: false));
        }

        return tokens;
    }
}
