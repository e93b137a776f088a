using System;
using System.Collections.Generic;
using System.IO;
using System.Security;

namespace MsrGen.Scenarios;

/// <summary>The files a set of command-line paths stands for, and the directories that could not be read.</summary>
public sealed record ScenarioDiscoveryResult(IReadOnlyList<string> Files, IReadOnlyList<ScenarioDiagnostic> Problems);

/// <summary>Turns command-line paths into the list of scenario files to run.</summary>
public static class ScenarioDiscovery
{
    public const string Extension = ".pmu";

    /// <summary>
    /// Each path in order: a directory becomes every <c>*.pmu</c> file under it (recursively, in
    /// ordinal path order); anything else is kept as given, so a missing file is reported when read.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths) => Find(paths).Files;

    /// <summary>
    /// Like <see cref="Expand"/>, and says which directories could not be read. Symbolic links to
    /// directories are not followed (as <c>find</c> without <c>-L</c>), so a link loop cannot make a
    /// file run again and again.
    /// </summary>
    public static ScenarioDiscoveryResult Find(IEnumerable<string> paths) => Find(paths, static directory => directory.EnumerateFileSystemInfos());

    /// <summary><see cref="Find(IEnumerable{string})"/> with the directory listing supplied (tests stand in an unreadable directory).</summary>
    internal static ScenarioDiscoveryResult Find(IEnumerable<string> paths, Func<DirectoryInfo, IEnumerable<FileSystemInfo>> list)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        var problems = new List<ScenarioDiagnostic>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = new List<string>();
                Walk(path, found, problems, list);
                found.Sort(StringComparer.Ordinal);
                files.AddRange(found);
            }
            else
            {
                files.Add(path);
            }
        }

        return new ScenarioDiscoveryResult(files, problems);
    }

    private static void Walk(string directory, List<string> found, List<ScenarioDiagnostic> problems, Func<DirectoryInfo, IEnumerable<FileSystemInfo>> list)
    {
        var pending = new Stack<string>();
        pending.Push(directory);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            try
            {
                foreach (var entry in list(new DirectoryInfo(current)))
                {
                    if (entry is DirectoryInfo sub)
                    {
                        if (sub.LinkTarget is null)
                        {
                            pending.Push(Path.Combine(current, sub.Name));
                        }
                    }
                    else if (string.Equals(entry.Extension, Extension, StringComparison.OrdinalIgnoreCase))
                    {
                        found.Add(Path.Combine(current, entry.Name));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
            {
                problems.Add(new ScenarioDiagnostic(current, 1, 1, $"cannot read the directory: {e.Message}"));
            }
        }
    }
}
