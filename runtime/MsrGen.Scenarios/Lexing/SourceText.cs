using System.Collections.Generic;

namespace MsrGen.Scenarios;

/// <summary>Splits a file into lines and lines into tokens. Never fails: odd characters end up in words.</summary>
internal static class SourceText
{
    private const char ByteOrderMark = '\uFEFF';

    /// <summary>
    /// The lines of a reader one at a time (LF, CRLF and CR end a line; a leading byte-order mark
    /// is dropped), skipping lines without tokens. Only the current line is held in memory.
    /// </summary>
    public static IEnumerable<SourceLine> Lex(System.IO.TextReader reader)
    {
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (number == 1 && line.Length > 0 && line[0] == ByteOrderMark)
            {
                line = line[1..];
            }

            var tokens = LexLine(line, number);
            if (tokens.Count > 0)
            {
                yield return new SourceLine(number, line, tokens);
            }
        }
    }

    public static int CodePointCount(string text)
    {
        int count = 0;
        foreach (var c in text)
        {
            if (!char.IsLowSurrogate(c))
            {
                count++;
            }
        }

        return count;
    }

    private static List<Token> LexLine(string line, int number)
    {
        var tokens = new List<Token>();
        int i = 0;
        int column = 1;

        void Emit(TokenKind kind, int length)
        {
            var text = line.Substring(i, length);
            tokens.Add(new Token(kind, text, number, column, i));
            column += CodePointCount(text);
            i += length;
        }

        while (i < line.Length)
        {
            char c = line[i];
            char next = i + 1 < line.Length ? line[i + 1] : '\0';
            if (char.IsWhiteSpace(c))
            {
                column++;
                i++;
            }
            else if (c == '#')
            {
                if (IsGeneralProtection(line, i, tokens))
                {
                    Emit(TokenKind.GeneralProtection, 3);
                    continue;
                }

                break;
            }
            else if (c == '=')
            {
                Emit(next == '=' ? TokenKind.Operator : next == '>' ? TokenKind.Arrow : TokenKind.Equals, next is '=' or '>' ? 2 : 1);
            }
            else if (c is '<' or '>')
            {
                Emit(TokenKind.Operator, next == '=' ? 2 : 1);
            }
            else if (c == '!' && next == '=')
            {
                Emit(TokenKind.Operator, 2);
            }
            else
            {
                int end = i;
                while (end < line.Length && !EndsWord(line, end))
                {
                    end++;
                }

                Emit(TokenKind.Word, end - i);
            }
        }

        return tokens;
    }

    private static bool EndsWord(string line, int index)
    {
        char c = line[index];
        return char.IsWhiteSpace(c) || c is '=' or '<' or '>' or '#'
            || (c == '!' && index + 1 < line.Length && line[index + 1] == '=');
    }

    // "#GP" is a result only right after "=>", so that "# GP fault" and "#GP?" elsewhere stay comments.
    private static bool IsGeneralProtection(string line, int index, List<Token> tokens) =>
        tokens.Count > 0
        && tokens[^1].Kind == TokenKind.Arrow
        && index + 3 <= line.Length
        && string.Compare(line, index + 1, "GP", 0, 2, System.StringComparison.OrdinalIgnoreCase) == 0
        && (index + 3 == line.Length || char.IsWhiteSpace(line[index + 3]));
}
