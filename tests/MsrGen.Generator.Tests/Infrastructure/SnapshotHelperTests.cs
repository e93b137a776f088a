using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace MsrGen.Generator.Tests.Infrastructure;

/// <summary>The snapshot helper itself: it must fail on every kind of difference and accept only when asked.</summary>
public sealed class SnapshotHelperTests : IDisposable
{
    private const string Prefix = "Sample.Case";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "msrgen-snapshot-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static SnapshotFile Source(string hint, string text) => new(Snapshot.SourceFileName(hint), "//HintName: " + hint + "\n" + text);

    private string[] FileNames() => Directory.GetFiles(_directory).Select(Path.GetFileName).OfType<string>().OrderBy(n => n, StringComparer.Ordinal).ToArray();

    [Fact]
    public void Accepted_files_verify_and_leave_no_received_files()
    {
        var files = new[] { Source("a.g.cs", "class A { }\n"), Source("b.g.cs", "class B { }\n") };
        Snapshot.Verify(_directory, Prefix, files, accept: true);

        Snapshot.Verify(_directory, Prefix, files, accept: false);

        Assert.Equal(new[] { "Sample.Case#a.g.verified.cs", "Sample.Case#b.g.verified.cs" }, FileNames());
        Assert.StartsWith("//HintName: a.g.cs\n", File.ReadAllText(Path.Combine(_directory, "Sample.Case#a.g.verified.cs")));
    }

    [Fact]
    public void Changed_content_writes_received_file_and_fails_with_a_unified_diff()
    {
        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "line one\nline two\n") }, accept: true);

        var error = Assert.Throws<SnapshotMismatchException>(() =>
            Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "line one\nline 2\n") }, accept: false));

        Assert.Contains("-line two", error.Message);
        Assert.Contains("+line 2", error.Message);
        Assert.Contains("@@", error.Message);
        string received = Path.Combine(_directory, "Sample.Case#a.g.received.cs");
        Assert.True(File.Exists(received));
        Assert.Equal("//HintName: a.g.cs\nline one\nline 2\n", File.ReadAllText(received));
        Assert.Equal("//HintName: a.g.cs\nline one\nline two\n", File.ReadAllText(Path.Combine(_directory, "Sample.Case#a.g.verified.cs")));
    }

    [Fact]
    public void A_file_no_longer_generated_fails_the_set_comparison()
    {
        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A\n"), Source("b.g.cs", "B\n") }, accept: true);

        var error = Assert.Throws<SnapshotMismatchException>(() =>
            Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A\n") }, accept: false));

        Assert.Contains("Generated file set differs", error.Message);
        Assert.Contains("No longer generated: Sample.Case#b.g.verified.cs", error.Message);
    }

    [Fact]
    public void A_new_file_fails_and_is_written_as_received()
    {
        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A\n") }, accept: true);

        var error = Assert.Throws<SnapshotMismatchException>(() =>
            Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A\n"), Source("b.g.cs", "B\n") }, accept: false));

        Assert.Contains("Generated file set differs", error.Message);
        Assert.Contains("Sample.Case#b.g.received.cs", FileNames());
    }

    [Fact]
    public void Missing_diagnostics_file_is_a_set_difference()
    {
        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A\n") }, accept: true);
        var withDiagnostics = new[] { Source("a.g.cs", "A\n"), new SnapshotFile(Snapshot.DiagnosticsFileName, "MSRGEN9001 Error x.msr(1,1)-(1,2): bad\n") };

        Assert.Throws<SnapshotMismatchException>(() => Snapshot.Verify(_directory, Prefix, withDiagnostics, accept: false));
        Assert.Contains("Sample.Case.received.txt", FileNames());
    }

    [Fact]
    public void Accepting_rewrites_verified_files_and_deletes_stale_and_received_ones()
    {
        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A\n"), Source("b.g.cs", "B\n") }, accept: true);
        Assert.Throws<SnapshotMismatchException>(() => Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A2\n") }, accept: false));

        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A2\n") }, accept: true);

        Assert.Equal(new[] { "Sample.Case#a.g.verified.cs" }, FileNames());
        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A2\n") }, accept: false);
    }

    [Fact]
    public void Other_tests_snapshots_with_a_longer_method_name_are_not_part_of_the_set()
    {
        Snapshot.Verify(_directory, Prefix + "Longer", new[] { Source("z.g.cs", "Z\n") }, accept: true);

        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A\n") }, accept: true);
        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "A\n") }, accept: false);

        Assert.Contains("Sample.CaseLonger#z.g.verified.cs", FileNames());
    }

    [Fact]
    public void Normalization_removes_bom_carriage_returns_version_and_repository_path()
    {
        string text = "\uFEFF[GeneratedCode(\"MsrGen.Generator\", \"9.8.7.6\")]\r\n// from " + TestPaths.RepositoryRoot + "/registers/x.msr\r\n";

        string normalized = Snapshot.Normalize(text);

        Assert.Equal("[GeneratedCode(\"MsrGen.Generator\", \"{VERSION}\")]\n// from {RepositoryRoot}/registers/x.msr\n", normalized);
    }

    [Fact]
    public void Versions_differing_only_in_the_scrubbed_part_compare_equal()
    {
        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "[GeneratedCode(\"G\", \"1.0.0.0\")]\n") }, accept: true);

        Snapshot.Verify(_directory, Prefix, new[] { Source("a.g.cs", "[GeneratedCode(\"G\", \"2.0.0.0\")]\r\n") }, accept: false);
    }

    [Fact]
    public void Diagnostics_are_sorted_by_id_file_and_position_with_one_based_spans()
    {
        var descriptor = new DiagnosticDescriptor("MSRGEN9002", "t", "{0}", "c", DiagnosticSeverity.Error, true);
        var other = new DiagnosticDescriptor("MSRGEN9001", "t", "{0}", "c", DiagnosticSeverity.Error, true);
        Location At(string path, int line, int column, int length) =>
            Location.Create(path, new TextSpan(0, length), new LinePositionSpan(new LinePosition(line, column), new LinePosition(line, column + length)));
        var diagnostics = new[]
        {
            Diagnostic.Create(descriptor, At("/x/b.msr", 4, 2, 3), "late"),
            Diagnostic.Create(descriptor, At("/x/a.msr", 9, 0, 1), "file a"),
            Diagnostic.Create(other, At("/x/b.msr", 0, 0, 1), "first id"),
        };

        string? text = Snapshot.DiagnosticsText(diagnostics);

        Assert.Equal(
            "MSRGEN9001 Error b.msr(1,1)-(1,2): first id\n" +
            "MSRGEN9002 Error a.msr(10,1)-(10,2): file a\n" +
            "MSRGEN9002 Error b.msr(5,3)-(5,6): late\n",
            text);
        Assert.Null(Snapshot.DiagnosticsText(Array.Empty<Diagnostic>()));
    }
}
