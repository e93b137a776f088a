using System.Globalization;

namespace MsrGen.Generator.Parsing;

/// <summary>Numbers in definition files: decimal, 0x hex or 0b binary, with '_' separators.</summary>
internal static class Numbers
{
    public static bool TryParse(string text, out ulong value)
    {
        value = 0;
        string s = text.Replace("_", string.Empty);
        if (s.Length == 0)
        {
            return false;
        }

        if (s.StartsWith("0x", System.StringComparison.OrdinalIgnoreCase))
        {
            return s.Length > 2 && s.Length <= 18 &&
                   ulong.TryParse(s.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        if (s.StartsWith("0b", System.StringComparison.OrdinalIgnoreCase))
        {
            if (s.Length <= 2 || s.Length > 66)
            {
                return false;
            }

            for (int i = 2; i < s.Length; i++)
            {
                if (s[i] != '0' && s[i] != '1')
                {
                    return false;
                }

                value = (value << 1) | (uint)(s[i] - '0');
            }

            return true;
        }

        foreach (char c in s)
        {
            if (c < '0' || c > '9')
            {
                return false;
            }
        }

        return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
