using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MsrGen.Runtime.Traces;

/// <summary>
/// The shipped example traces (<c>traces/</c>): each one replayed through every design, for a
/// report that puts real-workload rows next to the built-in ones.
/// </summary>
public static class TraceExamples
{
    /// <summary>The host the examples were written for: Skylake-SP has legacy LBRs, so every design, LBR strategies included, runs.</summary>
    public const string DefaultPreset = "skylake-server";

    /// <summary>Replays every <c>*.txt</c> trace of <paramref name="directory"/> (ordinal order); a trace without PMU accesses gives a result with no rows.</summary>
    public static IReadOnlyList<TraceReplayResult> ReplayFolder(string directory, string preset = DefaultPreset, TraceReplayOptions? options = null)
    {
        var guest = TraceGuest.Create(preset, [], out string? error) ?? throw new ArgumentException(error, nameof(preset));
        return Directory.EnumerateFiles(directory, "*.txt")
            .Order(StringComparer.Ordinal)
            .Select(path => TraceReplay.Run(Path.GetFileName(path), () => TraceReader.Open(path), guest, options))
            .ToList();
    }
}
