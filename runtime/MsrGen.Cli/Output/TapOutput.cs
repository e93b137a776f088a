using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MsrGen.Runtime.Runner;

namespace MsrGen.Cli.Output;

/// <summary>
/// TAP version 13 as kselftest prints it: the version line, the plan, one <c>ok</c> / <c>not ok</c>
/// line per scenario with its failures as <c>#</c> diagnostics before it, and a totals line.
/// </summary>
internal static class TapOutput
{
    public static void Write(IReadOnlyList<ScenarioOutcome> outcomes, IEnumerable<string> header, TextWriter output)
    {
        output.WriteLine("TAP version 13");
        foreach (var line in header)
        {
            output.WriteLine($"# {line}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1..{outcomes.Count}"));
        int pass = 0, fail = 0, error = 0;
        for (int i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            foreach (var e in outcome.Errors)
            {
                output.WriteLine($"# {e}");
            }

            foreach (var e in outcome.Expectations.Where(e => !e.Passed))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {outcome.Path}:{e.Line}: expected {e.Expected}, got {e.Actual}"));
            }

            bool ok = !outcome.Malformed && outcome.Failed == 0;
            if (outcome.Malformed)
            {
                error++;
            }
            else if (ok)
            {
                pass++;
            }
            else
            {
                fail++;
            }

            string description = outcome.Title is { } title ? $"{outcome.Path}: {title}" : outcome.Path;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(ok ? "ok" : "not ok")} {i + 1} {description.Replace('#', ' ')}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# Totals: pass:{pass} fail:{fail} xfail:0 xpass:0 skip:0 error:{error}"));
    }
}
