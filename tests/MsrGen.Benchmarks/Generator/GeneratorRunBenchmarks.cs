using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using MsrGen.Generator;

namespace MsrGen.Benchmarks.Generator;

/// <summary>
/// The generator over all shipped definition files: a cold run (new driver) against an incremental run
/// after a one-field edit in one file (the IDE's typing case), both on the same compilation.
/// </summary>
[MemoryDiagnoser]
public class GeneratorRunBenchmarks
{
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);
    private Compilation _compilation = null!;
    private AdditionalText[] _texts = System.Array.Empty<AdditionalText>();
    private AdditionalText _edited = null!;
    private AdditionalText _original = null!;
    private GeneratorDriver _warm = null!;
    private bool _useEdited;

    [GlobalSetup]
    public void Setup()
    {
        string definitions = DefinitionsDirectory();
        _texts = Directory.GetFiles(definitions, "*.msr").OrderBy(p => p, System.StringComparer.Ordinal)
            .Select(p => (AdditionalText)new Text(p, File.ReadAllText(p))).ToArray();
        _original = _texts.Single(t => t.Path.EndsWith("intel-lbr.msr", System.StringComparison.Ordinal));
        _edited = new Text(_original.Path, _original.GetText()!.ToString().Replace("field 9 EN_CALLSTACK", "field 9 CALL_STACK_MODE"));
        var references = new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) };
        _compilation = CSharpCompilation.Create("Bench", new[] { CSharpSyntaxTree.ParseText("class C { }", Parse) }, references);
        _warm = NewDriver().RunGenerators(_compilation);
    }

    private GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
        new[] { new MsrRegisterGenerator().AsSourceGenerator() }, _texts, Parse, new Options());

    [Benchmark(Baseline = true)]
    public int ColdRun() => NewDriver().RunGenerators(_compilation).GetRunResult().GeneratedTrees.Length;

    [Benchmark]
    public int IncrementalFieldEdit()
    {
        // Alternate between the two versions so that every invocation is a real edit.
        var (from, to) = _useEdited ? (_edited, _original) : (_original, _edited);
        _useEdited = !_useEdited;
        _warm = _warm.ReplaceAdditionalText(from, to).RunGenerators(_compilation);
        return _warm.GetRunResult().GeneratedTrees.Length;
    }

    // Walk up from the benchmark's own binaries (BenchmarkDotNet runs a copy under bin/), then from this
    // source file; a CI build maps [CallerFilePath] to /_/..., so that one is only the second choice.
    private static string DefinitionsDirectory([CallerFilePath] string path = "")
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(path) ?? string.Empty })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "registers", "definitions");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("registers/definitions not found above " + AppContext.BaseDirectory);
    }

    private sealed class Text : AdditionalText
    {
        private readonly SourceText _text;

        public Text(string path, string text)
        {
            Path = path;
            _text = SourceText.From(text, System.Text.Encoding.UTF8);
        }

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class Options : AnalyzerConfigOptionsProvider
    {
        private static readonly Values Global = new(ImmutableDictionary<string, string>.Empty.Add("build_property.MsrGen_Namespace", "Bench.Generated"));

        public override AnalyzerConfigOptions GlobalOptions => Global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Values.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Values.Empty;

        private sealed class Values : AnalyzerConfigOptions
        {
            public static readonly Values Empty = new(ImmutableDictionary<string, string>.Empty);
            private readonly IReadOnlyDictionary<string, string> _values;

            public Values(IReadOnlyDictionary<string, string> values) => _values = values;

            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);
        }
    }
}
