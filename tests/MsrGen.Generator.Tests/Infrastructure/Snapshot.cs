using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using DiffPlex.Renderer;
using Microsoft.CodeAnalysis;

namespace MsrGen.Generator.Tests.Infrastructure;

/// <summary>One file of a snapshot: its name inside the snapshot directory and its (normalized) text.</summary>
internal sealed record SnapshotFile(string Name, string Content);

/// <summary>Raised when the received files differ from the verified ones (names or contents).</summary>
internal sealed class SnapshotMismatchException : Exception
{
    public SnapshotMismatchException(string message) : base(message)
    {
    }
}

/// <summary>
/// Snapshot testing with Verify's conventions: <c>Snapshots/{Class}.{Method}#{Hint}.verified.cs</c> per generated
/// source (first line <c>//HintName: …</c>) and <c>{Class}.{Method}.verified.txt</c> for the generator diagnostics.
/// The set of files is compared as well as their contents; on a mismatch <c>*.received.*</c> files are written next
/// to the verified ones and the failure carries a unified diff. Accepting happens only with UPDATE_SNAPSHOTS=1.
/// </summary>
internal static partial class Snapshot
{
    public const string UpdateVariable = "UPDATE_SNAPSHOTS";
    private const string Verified = ".verified";
    private const string Received = ".received";

    public static bool AcceptRequested => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>
    /// Verifies a generator run against the snapshots of the calling test. The class name is taken from the
    /// calling file's name (one test class per file), the directory is the <c>Snapshots</c> folder beside it.
    /// </summary>
    public static void VerifyRun(GeneratorRun run, [CallerFilePath] string callerFile = "", [CallerMemberName] string method = "")
    {
        callerFile = TestPaths.SourceFile(callerFile);
        string directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        string prefix = Path.GetFileNameWithoutExtension(callerFile) + "." + method;
        Verify(directory, prefix, FilesOf(run), AcceptRequested);
    }

    /// <summary>The snapshot files of a run: one per generated source, plus the diagnostics file when there are any.</summary>
    public static IReadOnlyList<SnapshotFile> FilesOf(GeneratorRun run)
    {
        var files = run.Sources
            .Select(s => new SnapshotFile(SourceFileName(s.HintName), "//HintName: " + s.HintName + "\n" + s.SourceText))
            .ToList();
        string? diagnostics = DiagnosticsText(run.GeneratorDiagnostics);
        if (diagnostics is not null)
        {
            files.Add(new SnapshotFile(DiagnosticsFileName, diagnostics));
        }

        return files;
    }

    /// <summary>"" stands for the prefix; '#hint' files hang off it: Class.Method#intel-arch-pmu.msr.g.verified.cs.</summary>
    public static string SourceFileName(string hintName) =>
        "#" + (hintName.EndsWith(".cs", StringComparison.Ordinal) ? hintName.Substring(0, hintName.Length - 3) : hintName) + Verified + ".cs";

    public const string DiagnosticsFileName = Verified + ".txt";

    /// <summary>Diagnostics as sorted lines 'ID Severity file(line,col)-(line,col): message'; null when there are none.</summary>
    public static string? DiagnosticsText(IEnumerable<Diagnostic> diagnostics)
    {
        var lines = diagnostics
            .Select(d =>
            {
                var span = d.Location.GetLineSpan();
                string file = Path.GetFileName(span.Path ?? string.Empty);
                return (d.Id, File: file, Line: span.StartLinePosition.Line, Column: span.StartLinePosition.Character,
                    Text: string.Format(CultureInfo.InvariantCulture, "{0} {1} {2}({3},{4})-({5},{6}): {7}",
                        d.Id, d.Severity, file,
                        span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1,
                        span.EndLinePosition.Line + 1, span.EndLinePosition.Character + 1,
                        d.GetMessage(CultureInfo.InvariantCulture)));
            })
            .OrderBy(x => x.Id, StringComparer.Ordinal)
            .ThenBy(x => x.File, StringComparer.Ordinal)
            .ThenBy(x => x.Line)
            .ThenBy(x => x.Column)
            .ThenBy(x => x.Text, StringComparer.Ordinal)
            .Select(x => x.Text)
            .ToList();
        return lines.Count == 0 ? null : string.Join("\n", lines) + "\n";
    }

    /// <summary>LF line ends, no BOM, the generator version scrubbed, no absolute paths of this machine.</summary>
    public static string Normalize(string text)
    {
        string result = text.Replace("\uFEFF", string.Empty).Replace("\r\n", "\n").Replace('\r', '\n');
        result = GeneratedCodeVersion().Replace(result, "GeneratedCode(\"$1\", \"{VERSION}\")");
        foreach (string root in new[] { TestPaths.RepositoryRoot, TestPaths.RepositoryRoot.Replace('\\', '/') })
        {
            result = result.Replace(root.TrimEnd('/', '\\'), "{RepositoryRoot}");
        }

        return result;
    }

    /// <summary>
    /// Compares <paramref name="files"/> with the verified files of <paramref name="prefix"/> in <paramref name="directory"/>.
    /// Mismatch: writes received files and throws. With <paramref name="accept"/>: rewrites the verified files,
    /// deletes stale ones and received leftovers.
    /// </summary>
    public static void Verify(string directory, string prefix, IReadOnlyList<SnapshotFile> files, bool accept)
    {
        Directory.CreateDirectory(directory);
        var expected = files.ToDictionary(f => prefix + f.Name, f => Normalize(f.Content), StringComparer.Ordinal);
        var existing = VerifiedFilesOf(directory, prefix);

        var missing = expected.Keys.Where(k => !existing.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var stale = existing.Where(k => !expected.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var changed = expected
            .Where(e => existing.Contains(e.Key) && Normalize(File.ReadAllText(Path.Combine(directory, e.Key))) != e.Value)
            .Select(e => e.Key)
            .OrderBy(k => k, StringComparer.Ordinal)
            .ToList();

        DeleteReceived(directory, prefix);
        if (accept)
        {
            foreach (var (name, content) in expected)
            {
                WriteLf(Path.Combine(directory, name), content);
            }

            foreach (string name in stale)
            {
                File.Delete(Path.Combine(directory, name));
            }

            return;
        }

        if (missing.Count == 0 && stale.Count == 0 && changed.Count == 0)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append("Snapshot mismatch for ").Append(prefix).Append(" in ").Append(directory).Append('\n');
        if (missing.Count > 0 || stale.Count > 0)
        {
            message.Append("Generated file set differs.\n");
            message.Append("  Expected (verified): [").Append(string.Join(", ", existing.OrderBy(k => k, StringComparer.Ordinal))).Append("]\n");
            message.Append("  Actual (received):   [").Append(string.Join(", ", expected.Keys.OrderBy(k => k, StringComparer.Ordinal))).Append("]\n");
        }

        foreach (string name in missing.Concat(changed))
        {
            string receivedName = ReceivedName(name);
            WriteLf(Path.Combine(directory, receivedName), expected[name]);
            string old = existing.Contains(name) ? Normalize(File.ReadAllText(Path.Combine(directory, name))) : string.Empty;
            message.Append(Truncate(UnidiffRenderer.GenerateUnidiff(old, expected[name], name, receivedName, false, false, 3)));
            message.Append('\n');
        }

        foreach (string name in stale)
        {
            message.Append("No longer generated: ").Append(name).Append('\n');
        }

        message.Append("Review the *.received.* files; accept them by running the tests with ").Append(UpdateVariable).Append("=1.");
        throw new SnapshotMismatchException(message.ToString());
    }

    /// <summary>Keeps a failure readable when a whole new file is in the diff; the received file has all of it.</summary>
    private static string Truncate(string diff)
    {
        const int MaxLines = 120;
        var lines = diff.Split('\n');
        return lines.Length <= MaxLines
            ? diff
            : string.Join("\n", lines.Take(MaxLines)) + "\n... (" + (lines.Length - MaxLines).ToString(CultureInfo.InvariantCulture) + " more diff lines; see the received file)";
    }

    private static HashSet<string> VerifiedFilesOf(string directory, string prefix)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in Directory.GetFiles(directory, prefix + "#*" + Verified + ".cs"))
        {
            names.Add(Path.GetFileName(path));
        }

        if (File.Exists(Path.Combine(directory, prefix + DiagnosticsFileName)))
        {
            names.Add(prefix + DiagnosticsFileName);
        }

        return names;
    }

    private static void DeleteReceived(string directory, string prefix)
    {
        foreach (string path in Directory.GetFiles(directory, prefix + "#*" + Received + ".cs")
                     .Concat(Directory.GetFiles(directory, prefix + Received + ".txt")))
        {
            File.Delete(path);
        }
    }

    private static string ReceivedName(string verifiedName) => verifiedName.Replace(Verified + ".", Received + ".");

    private static void WriteLf(string path, string content) =>
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    [GeneratedRegex("GeneratedCode\\(\"([^\"]+)\", \"[^\"]*\"\\)")]
    private static partial Regex GeneratedCodeVersion();
}
