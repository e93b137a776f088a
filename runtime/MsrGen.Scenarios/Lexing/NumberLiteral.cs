using System.Globalization;

namespace MsrGen.Scenarios;

/// <summary>
/// The one number lexer of MsrGen's text inputs (scenario files and the CLI's <c>decode</c>):
/// decimal or <c>0x</c> hex, <c>_</c> only between two digits (so <c>_1</c>, <c>1_</c>, <c>0_x10</c>
/// and <c>0x_10</c> are rejected), 64-bit unsigned, <c>-N</c> the 64-bit two's complement of N.
/// </summary>
public static class NumberLiteral
{
    /// <summary>Whether a word is meant as a number (so a failed parse is a "bad number", not a name).</summary>
    public static bool LooksNumeric(string text) => text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-');

    /// <summary>True and the value when <paramref name="text"/> is a well-formed 64-bit number.</summary>
    public static bool TryParseValue(string text, out ulong value) => TryParse(text, out value) is null;

    /// <returns>Null on success, else the error message.</returns>
    public static string? TryParse(string text, out ulong value)
    {
        System.ArgumentNullException.ThrowIfNull(text);
        value = 0;
        bool negative = text.StartsWith('-');
        var body = negative ? text[1..] : text;
        bool hex = body.Length >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
        var digits = hex ? body[2..] : body;
        if (!IsWellFormed(digits, hex))
        {
            return $"bad number '{text}'";
        }

        uint radix = hex ? 16u : 10u;
        foreach (var c in digits)
        {
            if (c == '_')
            {
                continue;
            }

            uint digit = (uint)(char.IsAsciiDigit(c) ? c - '0' : char.ToLowerInvariant(c) - 'a' + 10);
            if (value > (ulong.MaxValue - digit) / radix)
            {
                return $"number '{text}' does not fit in 64 bits";
            }

            value = (value * radix) + digit;
        }

        value = negative ? unchecked(0UL - value) : value;
        return null;
    }

    public static string Format(ulong value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:x}");

    private static bool IsWellFormed(string digits, bool hex)
    {
        if (digits.Length == 0 || digits[0] == '_' || digits[^1] == '_')
        {
            return false;
        }

        foreach (var c in digits)
        {
            bool ok = c == '_' || (hex ? char.IsAsciiHexDigit(c) : char.IsAsciiDigit(c));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
