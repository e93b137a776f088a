using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using MsrGen.Registers;

namespace MsrGen.Benchmarks.Analyzers;

/// <summary>
/// What the MsrGen analyzers add to a compile, on a generated file with 2,400 MSR accesses: the compiler
/// alone (binding every method body) is the baseline; the other rows are a build with analyzers
/// (compiler and analyzer diagnostics of the same compilation). The empty analyzer shows what any
/// operation analyzer pays (driver, operation trees) before doing anything, so the MsrGen rules' own
/// cost is the difference between the last two rows. The analyzers are
/// loaded from their built assembly the way the compiler loads them (an AnalyzerFileReference), so
/// build them first: <c>dotnet build analyzers/MsrGen.Analyzers -c Release</c>.
/// Each iteration uses a fresh clone, so no analysis state carries over.
/// </summary>
[MemoryDiagnoser]
public class AnalyzerCostBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private ImmutableArray<DiagnosticAnalyzer> _analyzers;

    [GlobalSetup]
    public void Setup()
    {
        string source = AnalyzerBenchmarkSource.Build();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) == "netstandard.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(PmuCaps).Assembly.Location));
        _compilation = CSharpCompilation.Create(
            "AnalyzerBenchmark",
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        var errors = _compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0)
        {
            throw new InvalidOperationException("the benchmark source does not compile: " + errors[0]);
        }

        var reference = new AnalyzerFileReference(FindAnalyzerAssembly(), new DirectLoader());
        _analyzers = reference.GetAnalyzers(LanguageNames.CSharp);
        if (_analyzers.IsEmpty)
        {
            throw new InvalidOperationException("no analyzer found in " + reference.FullPath);
        }
    }

    /// <summary>Binding and checking every method body: what a build pays without analyzers.</summary>
    [Benchmark(Baseline = true, Description = "compiler alone")]
    public int CompilerAlone() => _compilation.Clone().GetDiagnostics().Length;

    /// <summary>The analyzer driver and operation trees alone: an invocation action that does nothing.</summary>
    [Benchmark(Description = "compiler + empty invocation analyzer")]
    public int CompilerWithEmptyAnalyzer() =>
        AnalyzerAndCompilerDiagnostics(_compilation.Clone(), ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyInvocationAnalyzer()));

    [Benchmark(Description = "compiler + MsrGen analyzers")]
    public int CompilerWithMsrGenAnalyzers() => AnalyzerAndCompilerDiagnostics(_compilation.Clone(), _analyzers);

    /// <summary>What a build with analyzers does: compiler diagnostics and analyzer diagnostics of one compilation.</summary>
    private static int AnalyzerAndCompilerDiagnostics(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers) =>
        compilation.WithAnalyzers(analyzers)
            .GetAllDiagnosticsAsync(CancellationToken.None)
            .GetAwaiter()
            .GetResult()
            .Length;

    private static string FindAnalyzerAssembly()
    {
        // Up from the benchmark binary (BenchmarkDotNet runs a copy under bin/), else from the working directory.
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            if (FindUpwards(start) is { } path)
            {
                return path;
            }
        }

        throw new FileNotFoundException("MsrGen.Analyzers.dll not found; run: dotnet build analyzers/MsrGen.Analyzers -c Release");
    }

    private static string? FindUpwards(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            string project = Path.Combine(dir.FullName, "analyzers", "MsrGen.Analyzers", "bin");
            if (!Directory.Exists(project))
            {
                continue;
            }

            foreach (string configuration in new[] { "Release", "Debug" })
            {
                string path = Path.Combine(project, configuration, "netstandard2.0", "MsrGen.Analyzers.dll");
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }

#pragma warning disable RS1001, RS2008 // a benchmark-only analyzer: never shipped, never released
    private sealed class EmptyInvocationAnalyzer : DiagnosticAnalyzer
    {
        // Enabled: the driver skips an analyzer whose every rule is disabled, which would measure nothing.
        private static readonly DiagnosticDescriptor Unused = new(
            "BENCH0001", "unused", "unused", "Benchmark", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Unused);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterOperationAction(_ => { }, OperationKind.Invocation);
        }
    }
#pragma warning restore RS1001, RS2008

    /// <summary>Loads analyzer assemblies into the default context, where this process's Roslyn already is.</summary>
    private sealed class DirectLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
