using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using CsCheck;
using Microsoft.CodeAnalysis;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace MsrGen.Generator.Tests.Fuzz;

/// <summary>
/// Whole definition files generated from the grammar of docs/definition-format.md: registers with
/// every property, bit layouts made of fields, enums, reserved ranges, field arrays and groups,
/// conditions from the capability vocabulary (with '!', parentheses, comparisons, host.X and n),
/// MSR arrays; hostile files also get mutated lines, edge numbers and garbage. Each case runs the
/// generator over several files at once and compiles the output: nothing may throw, no
/// MSRGEN9099, every diagnostic located in its file, and what is generated compiles cleanly.
/// 15 cases (60 files) run by default; MSRGEN_FUZZ_DEFINITIONS=N runs N (MSRGEN_FUZZ_SEED replays a seed).
/// </summary>
public sealed class DefinitionGrammarFuzzTests
{
    private const int FilesPerCase = 4;

    private readonly ITestOutputHelper _output;

    public DefinitionGrammarFuzzTests(ITestOutputHelper output) => _output = output;

    private static readonly string[] NumberCaps = { "version", "gp", "fixed", "gp-width", "fixed-width", "lbr-depth", "pebs-format", "lbr-format" };

    private static readonly string[] BoolCaps =
    {
        "intel", "amd", "pdcm", "tsx", "rtm", "perfctr-core", "perfmon-v2", "pv-lbr-ctrl", "poll-control", "arch-lbr", "ds",
        "bus-lock-detect", "fw-writes", "pebs-baseline", "perf-metrics", "lbr", "lbr-info", "true", "false",
    };

    private static readonly string[] Garbage =
    {
        "msr", "end", "field", "reserved", "enum", "group", "array", "array-field", "when", "gate", "count=", "max=0", "at=64",
        "stride=0", "width=65", "{n}", "\"", "#", "&&", "||", "!", "(", ")", "==", "63:0", "64", "0x", "0xFFFFFFFFFFFFFFFFF", "-1",
        "host.gp", "n", "é", "ZZ", "rename", "F@3", "2147483648", "99999999999999999999", "!!!!!!!!", "((((", "max=4097",
        "alias", "kernel", "+n", "K@0", "K{n}", "K+n",
    };

    private static Gen<string> Word(params string[] words) => Gen.OneOf(words.Select(Gen.Const).ToArray());

    /// <summary>A condition: capability tests, comparisons, '!', '&amp;&amp;', '||' and parentheses, to <paramref name="depth"/> levels.</summary>
    private static Gen<string> Condition(int depth, bool index, bool host)
    {
        var number = Gen.Frequency(
            (4, Word(NumberCaps)),
            (3, Gen.Int[0, 64].Select(v => v.ToString(CultureInfo.InvariantCulture))),
            (index ? 2 : 0, Gen.Const("n")),
            (host ? 2 : 0, Word(NumberCaps).Select(c => "host." + c)));
        var comparison = Gen.Select(number, Word("==", "!=", "<", "<=", ">", ">="), number, (a, op, b) => $"{a} {op} {b}");
        var leaf = Gen.Frequency((3, Word(BoolCaps)), (3, comparison));
        if (depth == 0)
        {
            return leaf;
        }

        var inner = Condition(depth - 1, index, host);
        return Gen.Frequency(
            (4, leaf),
            (1, inner.Select(c => "!" + (c.Contains(' ', StringComparison.Ordinal) ? "(" + c + ")" : c))),
            (1, inner.Select(c => "(" + c + ")")),
            (2, Gen.Select(inner, Word("&&", "||"), inner, (a, op, b) => $"({a}) {op} ({b})")));
    }

    private static Gen<string> Count(bool host) => Gen.Frequency(
        (3, Word(NumberCaps)), (2, Gen.Int[0, 8].Select(v => v.ToString(CultureInfo.InvariantCulture))), (host ? 0 : 0, Gen.Const("gp")));

    private static Gen<string> Doc => Word("", " \"one-line doc\"", " \"with \\\"quote\\\"\"");

    /// <summary>The bit statements of one register: a random partition of 63..0 into fields, enums, reserved ranges, field arrays and groups.</summary>
    private static Gen<List<string>> Layout(int prefix, bool arrayRegister) =>
        Gen.Int[1, 16].Array[1, 24].SelectMany(lengths => Gen.Int[0, 9].Array[lengths.Length, lengths.Length].SelectMany(kinds =>
            Condition(2, arrayRegister, false).Array[lengths.Length, lengths.Length].Select(conditions =>
            {
                var lines = new List<string>();
                int msb = 63, field = 0;
                for (int i = 0; i < lengths.Length && msb >= 0; i++)
                {
                    int length = Math.Min(lengths[i], msb + 1);
                    int lsb = msb - length + 1;
                    string range = length == 1 ? $"{msb}" : $"{msb}:{lsb}";
                    string name = $"F{prefix}_{field++}";
                    switch (kinds[i])
                    {
                        case 0:
                        case 1:
                            lines.Add($"reserved {range}");
                            break;
                        case 2:
                            lines.Add($"field {range} {name} when {conditions[i]}");
                            break;
                        case 3:
                            lines.Add($"field {range} {name} rw w1c \"doc\"");
                            break;
                        case 4 when length >= 2:
                            lines.Add($"enum {range} {name}");
                            lines.Add("  0 OFF");
                            lines.Add("  1 ON \"on\"");
                            lines.Add("end");
                            break;
                        case 5 when length % 2 == 0:
                            lines.Add($"array-field {name}{{n}} at={lsb} width=2 max={length / 2} count=gp");
                            break;
                        case 6 when length >= 2:
                            lines.Add($"array-field {name}{{n}} at={lsb} width=1 max={length} count={NumberCaps[i % NumberCaps.Length]} reset=1");
                            break;
                        case 7 when length % 4 == 0:
                            lines.Add($"group {name}{{n}} at={lsb} stride=4 max={length / 4} count=fixed");
                            lines.Add("  field 3 EN");
                            lines.Add("  reserved 2");
                            lines.Add("  field 1:0 MODE");
                            lines.Add("end");
                            break;
                        case 8:
                            lines.Add($"field {range} {name} width=gp-width");
                            break;
                        default:
                            lines.Add($"field {range} {name}");
                            break;
                    }

                    msb = lsb - 1;
                }

                if (msb >= 0)
                {
                    lines.Add(msb == 0 ? "reserved 0" : $"reserved {msb}:0");
                }

                return lines;
            })));

    private static Gen<string> Register(int file, int index) =>
        Gen.Select(Gen.Bool, Gen.Int[0, 2], Condition(3, false, false), Condition(2, true, true), Gen.Int[1, 16], Gen.Int[1, 4])
            .SelectMany(t => Layout(index, t.Item1).Select(layout =>
            {
                var (isArray, access, gate, intercept, max, stride) = t;
                string name = isArray ? $"R{file}_{index}_{{n}}" : $"R{file}_{index}";
                uint address = 0x10000u * (uint)(file + 1) + 0x100u * (uint)index;
                var lines = new List<string> { $"msr {name} 0x{address:X}" };
                lines.Add("  access " + (access == 0 ? "ro" : access == 1 ? "wo" : "rw"));
                if (access == 0)
                {
                    lines.Add("  host-access rw");
                }

                if (isArray)
                {
                    lines.Add($"  array stride={stride} max={max} count=gp");
                }

                // A kernel-style alias and the 'kernel' line that prints it: NAME+n needs stride 1.
                string kernel = $"K{file}_{index}";
                lines.Add(isArray ? $"  alias {kernel}@0" : $"  alias {kernel}");
                lines.Add("  kernel " + (!isArray ? kernel : stride == 1 ? kernel + "+n" : name));
                lines.Add("  gate " + gate);
                lines.Add("  intercept emulated rw");
                lines.Add($"  intercept mediated none when {intercept}");
                lines.Add("  effects reads-zero");
                lines.Add("  switched " + (index % 2 == 0 ? "yes" : "no"));
                lines.Add("  source \"generated\"");
                lines.Add("  doc \"a generated register\"");
                lines.AddRange(layout.Select(l => "  " + l));
                lines.Add("end");
                return string.Join("\n", lines);
            }));

    /// <summary>Hostile edits: drop, repeat or swap a line, replace a word by garbage or an edge number, cut the file.</summary>
    private static string Mutate(string text, int[] edits)
    {
        var lines = text.Split('\n').ToList();
        for (int e = 0; e + 2 < edits.Length; e += 3)
        {
            int i = edits[e + 1] % lines.Count, j = edits[e + 2] % lines.Count;
            switch (edits[e] % 6)
            {
                case 0 when lines.Count > 1:
                    lines.RemoveAt(i);
                    break;
                case 1:
                    lines.Insert(j, lines[i]);
                    break;
                case 2:
                    (lines[i], lines[j]) = (lines[j], lines[i]);
                    break;
                case 3:
                    var words = lines[i].Split(' ');
                    words[j % words.Length] = Garbage[edits[e + 2] % Garbage.Length];
                    lines[i] = string.Join(" ", words);
                    break;
                case 4:
                    lines[i] += " " + Garbage[edits[e + 1] % Garbage.Length];
                    break;
                default:
                    lines = lines.Take(Math.Max(1, i)).ToList();
                    break;
            }
        }

        return string.Join("\n", lines);
    }

    private static Gen<string> DefinitionFile(int file) =>
        Gen.Select(Gen.Int[1, 4], Gen.Bool, Gen.Int[0, 1000].Array[0, 12], Word("vendor intel", "vendor amd", "vendor kvm", "vendor synthetic"), Word("", "profile upstream", "profile all"))
            .SelectMany(t =>
            {
                var (count, hostile, edits, vendor, profile) = t;
                return Enumerable.Range(0, count).Select(i => Register(file, i))
                    .Aggregate(Gen.Const(vendor + "\n" + profile), (text, register) => Gen.Select(text, register, (a, b) => a + "\n\n" + b))
                    .Select(text => hostile ? Mutate(text, edits) : text);
            });

    private static readonly Gen<string[]> Case =
        Enumerable.Range(0, FilesPerCase).Select(DefinitionFile)
            .Aggregate(Gen.Const(Array.Empty<string>()), (files, file) => Gen.Select(files, file, (a, b) => a.Append(b).ToArray()));

    private static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("MSRGEN_FUZZ_DEFINITIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 15;

    private static string? Seed => Environment.GetEnvironmentVariable("MSRGEN_FUZZ_SEED") is { Length: > 0 } seed ? seed : null;

    private static string PathOf(int file) => $"/fuzz/generated{file}.msr";

    /// <summary>Shrunk failures of this fuzzer, kept as definition files: they must generate code that compiles.</summary>
    [Theory]
    [InlineData("constant-conditions.msr", 0, 0)]
    [InlineData("self-comparison.msr", 1, 9)]
    [InlineData("gate-quoted-text.msr", 1, 9)]
    public void Regression_files_stay_fixed(string name, int diagnostics, int line)
    {
        string path = System.IO.Path.Combine(TestPaths.RepositoryRoot, "tests", "MsrGen.Generator.Tests", "Fuzz", "Regressions", name);
        var run = GeneratorHarness.Run(new InMemoryAdditionalText(path, System.IO.File.ReadAllText(path)));
        Assert.Equal(diagnostics, run.GeneratorDiagnostics.Length);
        if (diagnostics > 0)
        {
            var diagnostic = run.GeneratorDiagnostics[0];
            Assert.Equal("MSRGEN9001", diagnostic.Id);
            Assert.Equal(line, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        }

        Assert.NotEmpty(run.Sources);
        GeneratorHarness.AssertCompilesCleanly(run);
    }

    [Fact]
    public void Generated_definitions_give_compiling_code_or_located_diagnostics()
    {
        int cases = 0, files = 0, diagnosed = 0;
        var clock = Stopwatch.StartNew();
        Case.Sample(texts =>
        {
            var additional = texts.Select((t, i) => (AdditionalText)new InMemoryAdditionalText(PathOf(i), t)).ToList();
            var run = GeneratorHarness.Run(additional);
            foreach (var diagnostic in run.GeneratorDiagnostics)
            {
                Assert.StartsWith("MSRGEN90", diagnostic.Id);
                Assert.True(diagnostic.Id != "MSRGEN9099", $"internal generator error: {diagnostic}");
                Assert.Equal(LocationKind.ExternalFile, diagnostic.Location.Kind);
                var span = diagnostic.Location.GetLineSpan();
                int file = Array.IndexOf(Enumerable.Range(0, texts.Length).Select(PathOf).ToArray(), span.Path);
                Assert.True(file >= 0, $"diagnostic outside the generated files: {diagnostic}");
                Assert.InRange(span.StartLinePosition.Line, 0, texts[file].Split('\n').Length - 1);
            }

            GeneratorHarness.AssertCompilesCleanly(run);
            cases++;
            files += texts.Length;
            diagnosed += texts.Where((_, i) => run.GeneratorDiagnostics.Any(d => d.Location.GetLineSpan().Path == PathOf(i))).Count();
        }, iter: Iterations, seed: Seed, threads: 1, print: texts => "\n" + string.Join("\n==== next file ====\n", texts));

        _output.WriteLine($"definition fuzzer: {cases} cases, {files} files ({diagnosed} with diagnostics) in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(diagnosed > 0 && diagnosed < files, $"the fuzzer must produce clean and diagnosed files ({diagnosed} of {files} diagnosed)");
    }
}
