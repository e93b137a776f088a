using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MsrGen.Scenarios;

/// <summary>Turns command-line paths into the list of scenario files to run.</summary>
public static class ScenarioDiscovery
{
    public const string Extension = ".pmu";

    /// <summary>
    /// Each path in order: a directory becomes every <c>*.pmu</c> file under it (recursively, in
    /// ordinal path order); anything else is kept as given, so a missing file is reported when read.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var result = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                result.AddRange(ScenariosUnder(path));
            }
            else
            {
                result.Add(path);
            }
        }

        return result;
    }

    private static IEnumerable<string> ScenariosUnder(string directory)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MatchType = MatchType.Simple };

        // The extension check is explicit because "*.pmu" can also match longer extensions on some platforms.
        return Directory.EnumerateFiles(directory, "*" + Extension, options)
            .Where(file => string.Equals(Path.GetExtension(file), Extension, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
    }
}
