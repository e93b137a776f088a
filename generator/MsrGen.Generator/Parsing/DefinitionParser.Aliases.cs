using System;
using System.Collections.Generic;
using System.Globalization;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

internal sealed partial class DefinitionParser
{
    /// <summary>
    /// 'alias NAME...': other names the register goes by (the kernel's msr-index.h names). In an array,
    /// NAME{n} names every instance and NAME@k only instance k; a scalar's alias is a plain NAME.
    /// </summary>
    private void ReadAliases(RegisterBuilder reg, List<Token> tokens)
    {
        if (tokens.Count < 2)
        {
            Report(GeneratorDiagnostics.Syntax, "expected 'alias NAME...' (NAME{n} for every instance of an array, NAME@k for instance k)", tokens[0]);
            return;
        }

        bool array = reg.Name.Contains("{n}");
        for (int i = 1; i < tokens.Count; i++)
        {
            var token = tokens[i];
            string text = token.Text;
            string name = text;
            int at = text.IndexOf('@');
            if (at >= 0)
            {
                name = text.Substring(0, at);
                if (!array || !int.TryParse(text.Substring(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    Report(GeneratorDiagnostics.BadValue,
                        array ? $"alias '{text}': expected NAME@INDEX with a decimal index" : $"alias '{text}': only an array register's alias names one instance with @INDEX",
                        token);
                    continue;
                }
            }

            bool indexed = name.Contains("{n}");
            if (token.Quoted || !IsAliasName(name) || (indexed && !array) || (array && !indexed && at < 0))
            {
                Report(GeneratorDiagnostics.BadValue,
                    array && !indexed && at < 0
                        ? $"alias '{text}' of array register '{reg.Name}' must name its instances: NAME{{n}} for every one, NAME@k for one"
                        : $"alias '{text}' is not a register name (letters, digits, '_' and, in arrays, one '{{n}}')",
                    token);
                continue;
            }

            if (string.Equals(name, reg.Name, StringComparison.Ordinal) || reg.Aliases.Contains(text))
            {
                Report(GeneratorDiagnostics.DuplicateName, $"alias '{text}' repeats a name register '{reg.Name}' already has", token);
                continue;
            }

            reg.Aliases.Add(text);
        }
    }

    private static bool IsAliasName(string name)
    {
        string plain = name.Replace("{n}", "");
        if (plain.Length == 0 || name.Length - plain.Length > 3 || !char.IsLetter(plain[0]))
        {
            return false;
        }

        foreach (char c in plain)
        {
            if (!(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
