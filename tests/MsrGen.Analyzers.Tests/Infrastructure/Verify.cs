using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace MsrGen.Analyzers.Tests.Infrastructure;

/// <summary>
/// Analyzer and code-fix checks on a source that uses the generated register API. Sources start with
/// <see cref="Usings"/> (add it yourself so markup positions stay where you see them).
/// </summary>
internal static class Verify
{
    public const string Usings = "using MsrGen.Registers;\n";

    /// <summary>A diagnostic at the rule's default severity (written out here, not read from the descriptors).</summary>
    public static DiagnosticResult Diagnostic(string id) =>
        new(id, id switch
        {
            "MSR2001" => DiagnosticSeverity.Info,
            "MSR1001" or "MSR1008" => DiagnosticSeverity.Error,
            _ => DiagnosticSeverity.Warning,
        });

    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>The same over several files (/0/Test0.cs, /0/Test1.cs, …); markup locations may sit in any of them.</summary>
    public static Task AnalyzerAsync(string[] sources, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest();
        foreach (string source in sources)
        {
            test.TestState.Sources.Add(source);
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// The fix turns <paramref name="source"/> into <paramref name="fixedSource"/>, one diagnostic at a time
    /// and through Fix All (document, project, solution); <paramref name="remaining"/> are the
    /// diagnostics the fixed code still has.
    /// </summary>
    public static Task CodeFixAsync<TFix>(string source, DiagnosticResult[] expected, string fixedSource, params DiagnosticResult[] remaining)
        where TFix : CodeFixProvider, new()
    {
        var test = new FixTest<TFix> { TestCode = source, FixedCode = fixedSource };
        test.ExpectedDiagnostics.AddRange(expected);
        test.FixedState.ExpectedDiagnostics.AddRange(remaining);
        return test.RunAsync(CancellationToken.None);
    }

    private static void Configure(SolutionState state)
    {
        state.AdditionalReferences.AddRange(TestReferences.All);
    }

    private sealed class AnalyzerTest : CSharpAnalyzerTest<MsrAccessAnalyzer, DefaultVerifier>
    {
        public AnalyzerTest()
        {
            ReferenceAssemblies = TestReferences.None;
            Configure(TestState);
        }

        protected override ParseOptions CreateParseOptions() =>
            ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Latest);
    }

    private sealed class FixTest<TFix> : CSharpCodeFixTest<MsrAccessAnalyzer, TFix, DefaultVerifier>
        where TFix : CodeFixProvider, new()
    {
        public FixTest()
        {
            ReferenceAssemblies = TestReferences.None;
            Configure(TestState);
            Configure(FixedState);
            Configure(BatchFixedState);
        }

        protected override ParseOptions CreateParseOptions() =>
            ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Latest);
    }
}
