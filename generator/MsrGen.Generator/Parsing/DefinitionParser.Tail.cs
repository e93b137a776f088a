using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

internal sealed partial class DefinitionParser
{
    /// <summary>The optional part of a statement: key=value pairs, flag words, 'when COND', "doc".</summary>
    private sealed class Tail
    {
        public Dictionary<string, Token> Keys { get; } = new(StringComparer.Ordinal);
        public List<Token> Flags { get; } = new();
        public string Condition { get; set; } = "";
        /// <summary>The words the condition was joined from, to locate an error inside it.</summary>
        public List<Token> ConditionTokens { get; } = new();
        public string Doc { get; set; } = "";
    }

    private Tail? ReadTail(List<Token> tokens, int start, string[] keys, bool allowFlags, bool allowWhen)
    {
        var tail = new Tail();
        bool ok = true;
        for (int i = start; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Quoted)
            {
                if (i != tokens.Count - 1)
                {
                    Report(GeneratorDiagnostics.Syntax, "the description string must come last on the line", tokens[i + 1]);
                    ok = false;
                }

                tail.Doc = t.Text;
                continue;
            }

            string lower = t.Text.ToLowerInvariant();
            if (lower == "when" && allowWhen)
            {
                var words = new List<string>();
                int j = i + 1;
                while (j < tokens.Count && !tokens[j].Quoted)
                {
                    words.Add(tokens[j].Text);
                    j++;
                }

                if (words.Count == 0)
                {
                    Report(GeneratorDiagnostics.Syntax, "'when' needs a condition", t);
                    ok = false;
                }

                tail.Condition = ConstantFolded(string.Join(" ", words));
                tail.ConditionTokens.AddRange(tokens.Skip(i + 1).Take(words.Count));
                i = j - 1;
                continue;
            }

            int eq = t.Text.IndexOf('=');
            if (eq > 0)
            {
                string key = t.Text.Substring(0, eq).ToLowerInvariant();
                if (Array.IndexOf(keys, key) < 0)
                {
                    Report(GeneratorDiagnostics.UnknownKeyword,
                        $"unknown key '{key}' (allowed here: {(keys.Length == 0 ? "none" : string.Join(", ", keys))})", t);
                    ok = false;
                    continue;
                }

                string value = t.Text.Substring(eq + 1);
                tail.Keys[key] = new Token(value, t.Line, t.Column + eq + 1, t.Offset + eq + 1, Math.Max(value.Length, 1), false);
                continue;
            }

            if (allowFlags && (lower is "ro" or "wo" or "rw" || EffectOf(lower) is not null))
            {
                tail.Flags.Add(t);
                continue;
            }

            Report(GeneratorDiagnostics.UnknownKeyword, $"unexpected word '{t.Text}'", t);
            ok = false;
        }

        if (!ok)
        {
            MarkRegisterBroken();
            return null;
        }

        return tail;
    }

    private void ApplyFlags(Tail tail, out AccessKind access, out EffectKinds effects)
    {
        access = AccessKind.ReadWrite;
        effects = EffectKinds.None;
        foreach (var flag in tail.Flags)
        {
            string lower = flag.Text.ToLowerInvariant();
            if (EffectOf(lower) is { } effect)
            {
                effects |= effect;
            }
            else
            {
                access = ParseAccess(flag) ?? AccessKind.ReadWrite;
            }
        }
    }

    private static string RestOfLine(List<Token> tokens, int start) =>
        string.Join(" ", tokens.Skip(start).Where(t => !t.Quoted).Select(t => t.Text));
}
