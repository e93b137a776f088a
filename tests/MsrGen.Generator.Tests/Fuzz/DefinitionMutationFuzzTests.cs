using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CsCheck;
using Microsoft.CodeAnalysis;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests.Fuzz;

/// <summary>
/// Mutates the shipped definition files (delete, duplicate and swap lines, change numbers, insert garbage,
/// cut the file short) and checks that the generator answers every mutation with output or located
/// diagnostics, never with an exception, an internal error or code that does not compile.
/// </summary>
public sealed partial class DefinitionMutationFuzzTests
{
    private const string Seed = "0N0XIzNsQ0O2";

    private enum Kind { DeleteLine, DuplicateLine, SwapLines, ChangeNumber, InsertGarbage, Truncate }

    private sealed record Mutation(Kind Kind, int A, int B, ulong Number, int[] Fragments);

    private static readonly string[] GarbageFragments =
    {
        "msr", "end", "field", "reserved", "enum", "group", "array", "array-field", "when", "gate", "count=", "max=", "at=",
        "stride=", "width=", "reset", "{n}", "X{n}", "\"", "\"doc\"", "#", "\t", "&&", "||", "!", "(", ")", "==", ":", "63:0",
        "64", "0x", "0xFFFFFFFFFFFFFFFFF", "0b102", "-1", "gp", "host.gp", "n", "tsx", "ı", "é", "\u2212", "A", "ZZ_TOP", " ",
        "vendor", "synthetic", "profile", "all", "intercept", "mediated", "none", "true", "false", "7:0", "3", "99999999999999999999",
    };

    private static readonly ulong[] InterestingNumbers =
        { 0, 1, 2, 7, 8, 31, 32, 63, 64, 65, 0xFF, 0xFFFF_FFFF, 0x1_0000_0000, ulong.MaxValue, 0x4B56_4D05 };

    private static readonly IReadOnlyList<(string Name, string Text)> Originals =
        GeneratorHarness.ShippedDefinitionNames.Select(n => (n, File.ReadAllText(TestPaths.Definition(n)))).ToList();

    private static Gen<Mutation> MutationGen =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 10_000], Gen.Int[0, 10_000], Gen.ULong, Gen.Int[0, GarbageFragments.Length - 1].Array[1, 4],
            (kind, a, b, number, fragments) => new Mutation((Kind)kind, a, b, number, fragments));

    private static Gen<(int File, Mutation[] Mutations)> CaseGen =>
        Gen.Select(Gen.Int[0, Originals.Count - 1], MutationGen.Array[1, 3]);

    private static string Apply(string text, IEnumerable<Mutation> mutations)
    {
        var lines = text.Split('\n').ToList();
        foreach (var m in mutations)
        {
            int i = m.A % lines.Count;
            int j = m.B % lines.Count;
            switch (m.Kind)
            {
                case Kind.DeleteLine:
                    if (lines.Count > 1)
                    {
                        lines.RemoveAt(i);
                    }

                    break;
                case Kind.DuplicateLine:
                    lines.Insert(j, lines[i]);
                    break;
                case Kind.SwapLines:
                    (lines[i], lines[j]) = (lines[j], lines[i]);
                    break;
                case Kind.ChangeNumber:
                    lines[i] = ChangeNumber(lines[i], m);
                    break;
                case Kind.InsertGarbage:
                    string garbage = string.Join(m.B % 2 == 0 ? " " : "", m.Fragments.Select(f => GarbageFragments[f]));
                    int at = lines[i].Length == 0 ? 0 : m.B % (lines[i].Length + 1);
                    lines[i] = lines[i].Insert(at, garbage);
                    break;
                case Kind.Truncate:
                    lines = lines.Take(Math.Max(1, i)).ToList();
                    lines[^1] = lines[^1].Substring(0, lines[^1].Length == 0 ? 0 : m.B % lines[^1].Length);
                    break;
            }
        }

        return string.Join("\n", lines);
    }

    private static string ChangeNumber(string line, Mutation m)
    {
        var numbers = NumberToken().Matches(line);
        if (numbers.Count == 0)
        {
            return line;
        }

        var match = numbers[m.B % numbers.Count];
        ulong value = m.Number % 3 == 0 ? m.Number : InterestingNumbers[(int)(m.Number % (ulong)InterestingNumbers.Length)];
        string replacement = match.Value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? "0x" + value.ToString("X", CultureInfo.InvariantCulture)
            : value.ToString(CultureInfo.InvariantCulture);
        return line.Substring(0, match.Index) + replacement + line.Substring(match.Index + match.Length);
    }

    private static void RunAndCheck(int file, Mutation[] mutations, bool alone, bool compile)
    {
        var (name, original) = Originals[file];
        string path = TestPaths.Definition(name);
        string mutated = Apply(original, mutations);
        var texts = alone ? new List<AdditionalText>() : GeneratorHarness.AllShipped().Where(t => t.Path != path).ToList();
        texts.Add(new InMemoryAdditionalText(path, mutated));

        var run = GeneratorHarness.Run(texts);

        AssertAnswered(run, path, name, mutated);
        if (compile)
        {
            GeneratorHarness.AssertCompilesCleanly(run);
        }
    }

    private static void AssertAnswered(GeneratorRun run, string mutatedPath, string mutatedName, string mutatedText)
    {
        foreach (var diagnostic in run.GeneratorDiagnostics)
        {
            Assert.StartsWith("MSRGEN90", diagnostic.Id);
            Assert.NotEqual("MSRGEN9099", diagnostic.Id);
            Assert.Equal(LocationKind.ExternalFile, diagnostic.Location.Kind);
            var span = diagnostic.Location.GetLineSpan();
            Assert.EndsWith(".msr", span.Path, StringComparison.Ordinal);
            Assert.True(span.StartLinePosition.Line >= 0 && span.StartLinePosition.Character >= 0);
        }

        string hint = mutatedName.Substring(0, mutatedName.Length - 4) + ".msr.g.cs";
        bool generated = run.Sources.Any(s => s.HintName == hint);
        bool diagnosed = run.GeneratorDiagnostics.Any(d => d.Location.GetLineSpan().Path == mutatedPath);
        bool declaresRegisters = mutatedText.Split('\n').Any(l => l.TrimStart().StartsWith("msr", StringComparison.OrdinalIgnoreCase));
        Assert.True(generated || diagnosed || !declaresRegisters, "the mutated file produced neither output nor a diagnostic");
    }

    [Fact]
    public void Every_mutation_yields_output_or_located_diagnostics()
    {
        CaseGen.Sample((file, mutations) => RunAndCheck(file, mutations, alone: false, compile: false),
            seed: Seed, iter: 250, threads: 1, print: Describe);
    }

    [Fact]
    public void Mutations_the_generator_accepts_still_compile()
    {
        // Compiling is the slow part: few cases, each file on its own with its catalog.
        CaseGen.Sample((file, mutations) => RunAndCheck(file, mutations, alone: true, compile: true),
            seed: Seed, iter: 6, threads: 1, print: Describe);
    }

    [Fact]
    public void Mutations_really_change_the_files()
    {
        int changed = 0;
        CaseGen.Sample((file, mutations) =>
        {
            if (Apply(Originals[file].Text, mutations) != Originals[file].Text)
            {
                changed++;
            }
        }, seed: Seed, iter: 200, threads: 1);

        Assert.True(changed > 150, "only " + changed + " of 200 mutations changed the file");
    }

    private static string Describe((int File, Mutation[] Mutations) input) =>
        Originals[input.File].Name + ": " + string.Join("; ", input.Mutations.Select(m =>
            $"{m.Kind} a={m.A} b={m.B} number=0x{m.Number:X} garbage=[{string.Join(" ", m.Fragments.Select(f => GarbageFragments[f]))}]"));

    [GeneratedRegex(@"(?<![\w.-])(0x[0-9A-Fa-f_]+|\d+)(?![\w])")]
    private static partial Regex NumberToken();
}
