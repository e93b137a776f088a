using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using MsrGen.Runtime.Traces;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Runner;

/// <summary>The totals of a run and the exit code the contract assigns them.</summary>
public sealed record RunSummary(int Scenarios, int Expectations, int Failed, bool AnyMalformed)
{
    /// <summary>0 all held, 1 an expectation failed, 2 a scenario was malformed.</summary>
    public int ExitCode => AnyMalformed ? 2 : Failed > 0 ? 1 : 0;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Scenarios} scenarios, {Expectations} expectations, {Failed} failed");
}

/// <summary>
/// Runs scenario files (spec/scenario-language.md): malformed files are reported with located
/// errors and skipped, failed expectations print <c>PATH:LINE: expected X, got Y</c>, and the
/// last line is the summary. Deterministic: each file runs on its own fresh simulated host.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Parses and runs one file's text.</summary>
    public static ScenarioOutcome RunText(string path, string text, IGuestAccessObserver? observer = null)
    {
        var parsed = ScenarioParser.Parse(path, text, CatalogNameResolver.ParserOptions);
        return Run(parsed, path, observer);
    }

    /// <summary>Runs one file; <paramref name="observer"/> sees its guest MSR accesses (<c>msrgen run --emit-trace</c>).</summary>
    public static ScenarioOutcome RunFile(string path, IGuestAccessObserver? observer = null) =>
        Run(ScenarioParser.ParseFile(path, CatalogNameResolver.ParserOptions), path, observer);

    private static ScenarioOutcome Run(ScenarioParseResult parsed, string path, IGuestAccessObserver? observer)
    {
        if (!parsed.Succeeded)
        {
            var outcome = new ScenarioOutcome(path);
            outcome.Errors.AddRange(parsed.Diagnostics);
            return outcome;
        }

        return new ScenarioExecution(parsed.File) { Observer = observer }.Run();
    }

    /// <summary>Runs files and directories, printing failures and the summary to <paramref name="output"/>.</summary>
    public static RunSummary Run(IEnumerable<string> paths, TextWriter output, TextWriter errors, IGuestAccessObserver? observer = null)
    {
        var outcomes = new List<ScenarioOutcome>();
        foreach (var path in ScenarioDiscovery.Expand(paths))
        {
            outcomes.Add(RunFile(path, observer));
        }

        return Print(outcomes, output, errors);
    }

    /// <summary>Prints the failures and the summary line of already-run outcomes.</summary>
    public static RunSummary Print(IReadOnlyList<ScenarioOutcome> outcomes, TextWriter output, TextWriter errors)
    {
        int scenarios = 0, expectations = 0, failed = 0;
        bool malformed = false;
        foreach (var outcome in outcomes)
        {
            foreach (var warning in outcome.Warnings)
            {
                errors.WriteLine(warning);
            }

            if (outcome.Malformed)
            {
                malformed = true;
                foreach (var error in outcome.Errors)
                {
                    output.WriteLine(error.ToString());
                }

                if (outcome.Expectations.Count == 0)
                {
                    continue;
                }
            }

            scenarios++;
            expectations += outcome.Expectations.Count;
            foreach (var e in outcome.Expectations)
            {
                if (!e.Passed)
                {
                    failed++;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outcome.Path}:{e.Line}: expected {e.Expected}, got {e.Actual}"));
                }
            }
        }

        var summary = new RunSummary(scenarios, expectations, failed, malformed);
        output.WriteLine(summary.ToString());
        return summary;
    }
}
