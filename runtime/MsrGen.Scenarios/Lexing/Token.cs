using System.Collections.Generic;

namespace MsrGen.Scenarios;

internal enum TokenKind
{
    /// <summary>Any run of other characters: keywords, numbers, names, events, values.</summary>
    Word,

    /// <summary><c>=</c> between a key and its value.</summary>
    Equals,

    /// <summary><c>=&gt;</c> before a result.</summary>
    Arrow,

    /// <summary><c>== != &lt; &lt;= &gt; &gt;=</c></summary>
    Operator,

    /// <summary><c>#GP</c> right after <c>=&gt;</c> (anywhere else <c>#</c> starts a comment).</summary>
    GeneralProtection,
}

/// <param name="Offset">UTF-16 index of the token in its line, to slice free text.</param>
internal sealed record Token(TokenKind Kind, string Text, int Line, int Column, int Offset)
{
    public SourceSpan Span => new(Line, Column);

    /// <summary>The column just past the token.</summary>
    public int EndColumn => Column + SourceText.CodePointCount(Text);

    public int EndOffset => Offset + Text.Length;
}

/// <summary>A line that holds at least one token.</summary>
internal sealed record SourceLine(int Number, string Text, IReadOnlyList<Token> Tokens);
