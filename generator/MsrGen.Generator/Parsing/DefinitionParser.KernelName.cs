using System;
using System.Collections.Generic;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

internal sealed partial class DefinitionParser
{
    private const string OffsetSuffix = "+n";

    /// <summary>
    /// 'kernel NAME': the name the kernel's code uses for the register (arch/x86/include/asm/msr-index.h,
    /// perf_event.h), the one a trace decoder prints. NAME is one of the register's names: a scalar's
    /// name or alias; for an array, a numbered name (NAME{n}) or instance 0's name followed by '+n'
    /// when the kernel defines only the first MSR and reaches the others by adding the index.
    /// Checked at 'end', when every alias is known.
    /// </summary>
    private void ReadKernelName(RegisterBuilder reg, List<Token> tokens)
    {
        if (tokens.Count != 2 || tokens[1].Quoted)
        {
            Report(GeneratorDiagnostics.Syntax, "expected 'kernel NAME' (NAME{n} or NAME+n for an array)", tokens[0]);
            return;
        }

        if (reg.KernelToken is not null)
        {
            Report(GeneratorDiagnostics.DuplicateName, $"register '{reg.Name}' already has the kernel name '{reg.KernelName}'", tokens[1]);
            return;
        }

        reg.KernelName = tokens[1].Text;
        reg.KernelToken = tokens[1];
    }

    /// <summary>The register's kernel name when it is one of its names, else empty with a diagnostic at the name.</summary>
    private string CheckedKernelName(RegisterBuilder reg)
    {
        if (reg.KernelToken is not { } at)
        {
            return "";
        }

        string text = reg.KernelName;
        string? problem = KernelNameProblem(reg, text);
        if (problem is null)
        {
            return text;
        }

        Report(GeneratorDiagnostics.BadValue, $"kernel name '{text}' of '{reg.Name}': {problem}", at);
        return "";
    }

    private static string? KernelNameProblem(RegisterBuilder reg, string text)
    {
        bool array = reg.Name.Contains("{n}");
        bool offset = text.EndsWith(OffsetSuffix, StringComparison.Ordinal);
        bool numbered = text.Contains("{n}");
        if (!array)
        {
            return offset || numbered
                ? "only an array register's kernel name has '{n}' or '+n'"
                : IsNameOf(reg, text) ? null : "it is neither the register's name nor one of its aliases";
        }

        if (numbered && !offset)
        {
            return IsNameOf(reg, text) ? null : "a numbered kernel name must be the register's name or one of its NAME{n} aliases";
        }

        if (!offset || numbered)
        {
            return "an array's kernel name is NAME{n} (the kernel numbers every instance) or NAME+n (it names instance 0 and adds the index)";
        }

        string first = text.Substring(0, text.Length - OffsetSuffix.Length);
        if (!NamesInstanceZero(reg, first))
        {
            return $"'{first}' is not a name of instance 0 (the register's name with 0, a NAME{{n}} alias with 0, or a NAME@0 alias)";
        }

        // NAME+k is an address: it is instance k only when consecutive instances are consecutive MSRs.
        return reg.Stride == 1 ? null : $"NAME+n adds the index to an address, which names instance n only with stride 1 (the stride is {reg.Stride})";
    }

    private static bool IsNameOf(RegisterBuilder reg, string name) =>
        string.Equals(name, reg.Name, StringComparison.Ordinal) || reg.Aliases.Contains(name);

    private static bool NamesInstanceZero(RegisterBuilder reg, string name)
    {
        if (string.Equals(reg.Name.Replace("{n}", "0"), name, StringComparison.Ordinal))
        {
            return true;
        }

        foreach (string alias in reg.Aliases)
        {
            if (string.Equals(alias, name + "@0", StringComparison.Ordinal)
                || (alias.Contains("{n}") && string.Equals(alias.Replace("{n}", "0"), name, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
