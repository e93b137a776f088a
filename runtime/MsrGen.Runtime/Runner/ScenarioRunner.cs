using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using MsrGen.Runtime.Metrics;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Runner;

/// <summary>The totals of a run and the exit code they give.</summary>
public sealed record RunSummary(int Scenarios, int Expectations, int Failed, bool AnyMalformed)
{
    /// <summary>Files in which the tool itself failed (an unexpected exception).</summary>
    public int InternalErrors { get; init; }

    /// <summary>3 the tool failed on some file, 2 a scenario was malformed, 1 an expectation failed, 0 all held.</summary>
    public int ExitCode => InternalErrors > 0 ? 3 : AnyMalformed ? 2 : Failed > 0 ? 1 : 0;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Scenarios} scenarios, {Expectations} expectations, {Failed} failed");
}

/// <summary>How files are run: the per-file work limit and how much an internal error prints.</summary>
public sealed record ScenarioRunOptions
{
    public static ScenarioRunOptions Default { get; } = new();

    /// <summary>Per-event work one file may do (<see cref="WorkMeter"/>); past it the statement is a located error.</summary>
    public ulong WorkLimit { get; init; } = WorkMeter.DefaultLimit;

    /// <summary>Print an internal error's stack trace too.</summary>
    public bool Verbose { get; init; }

    /// <summary>Sees every guest RDMSR / WRMSR / RDPMC of the run (<c>msrgen run --emit-trace</c>).</summary>
    public Traces.IGuestAccessObserver? Observer { get; init; }

    /// <summary>
    /// Whether mediated vPMUs replay unchanged world switches (the default); tests run files both
    /// ways and compare every figure.
    /// </summary>
    internal bool ReplaySwitches { get; init; } = true;

    /// <summary>Runs before each statement (tests use it to make the runtime fail where it never should).</summary>
    internal System.Action<Statement>? BeforeStatement { get; init; }
}

/// <summary>
/// Runs scenario files: malformed files are reported with located errors and skipped, failed
/// expectations print <c>PATH:LINE: expected X, got Y</c>, each file's report is printed as soon
/// as the file has run, and the last line is the summary. Deterministic: each file runs on its own
/// fresh simulated host. No exception leaves one file's run: an unexpected one becomes that file's
/// located internal error and the next file runs.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Parses and runs one file's text.</summary>
    public static ScenarioOutcome RunText(string path, string text) => RunText(path, text, ScenarioRunOptions.Default);

    /// <summary>Parses and runs one file's text.</summary>
    public static ScenarioOutcome RunText(string path, string text, ScenarioRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Isolated(path, options, () =>
        {
            var parsed = ScenarioParser.Parse(path, text, CatalogNameResolver.ParserOptions);
            return parsed.Succeeded
                ? new ScenarioExecution(path, parsed.File.Statements, [], options) { Observer = options.Observer }.Run()
                : Rejected(path, parsed.Diagnostics);
        });
    }

    public static ScenarioOutcome RunFile(string path) => RunFile(path, ScenarioRunOptions.Default);

    /// <summary>
    /// Checks the file, then runs it statement by statement as it is read again, so memory stays
    /// within a small multiple of its longest line whatever the file's size.
    /// </summary>
    public static ScenarioOutcome RunFile(string path, ScenarioRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Isolated(path, options, () =>
        {
            var check = ScenarioParser.CheckFile(path, CatalogNameResolver.ParserOptions);
            if (!check.Succeeded)
            {
                return Rejected(path, check.Diagnostics);
            }

            var late = new List<ScenarioDiagnostic>();
            return new ScenarioExecution(path, ScenarioParser.ReadFile(path, late, CatalogNameResolver.ParserOptions), late, options) { Observer = options.Observer }.Run();
        });
    }

    private static ScenarioOutcome Rejected(string path, IEnumerable<ScenarioDiagnostic> diagnostics)
    {
        var outcome = new ScenarioOutcome(path);
        outcome.Errors.AddRange(diagnostics);
        return outcome;
    }

    /// <summary>The last line of defence: whatever escapes a file's run is that file's internal error.</summary>
    private static ScenarioOutcome Isolated(string path, ScenarioRunOptions options, Func<ScenarioOutcome> run)
    {
        try
        {
            return run();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var outcome = new ScenarioOutcome(path);
            outcome.InternalErrors.Add(InternalError(path, 1, 1, e));
            return outcome;
        }
    }

    internal static ScenarioDiagnostic InternalError(string path, int line, int column, Exception e) =>
        new(path, line, column, $"{e.GetType().Name}: {e.Message} (a bug in MsrGen, not in the scenario; --verbose shows where)")
        {
            Internal = true,
            Detail = e.ToString(),
        };

    /// <summary>Runs files and directories, printing each file's report as it finishes, then the summary.</summary>
    public static RunSummary Run(IEnumerable<string> paths, TextWriter output, TextWriter errors) =>
        Run(paths, output, errors, ScenarioRunOptions.Default);

    /// <summary>Runs files and directories, printing each file's report as it finishes, then the summary.</summary>
    public static RunSummary Run(IEnumerable<string> paths, TextWriter output, TextWriter errors, ScenarioRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(options);
        var tally = new Tally();
        var discovery = ScenarioDiscovery.Find(paths);
        foreach (var problem in discovery.Problems)
        {
            output.WriteLine(problem.ToString());
            tally.Malformed = true;
        }

        foreach (var path in discovery.Files)
        {
            var outcome = RunFile(path, options);
            tally.Add(outcome, output, errors, options.Verbose);
            output.Flush();
        }

        return tally.Finish(output);
    }

    /// <summary>Prints the failures and the summary line of already-run outcomes.</summary>
    public static RunSummary Print(IReadOnlyList<ScenarioOutcome> outcomes, TextWriter output, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var tally = new Tally();
        foreach (var outcome in outcomes)
        {
            tally.Add(outcome, output, errors, verbose: false);
        }

        return tally.Finish(output);
    }

    /// <summary>Counts outcomes and prints each one's errors and failures as it comes.</summary>
    private sealed class Tally
    {
        private int _scenarios, _expectations, _failed, _internal;

        public bool Malformed { get; set; }

        public void Add(ScenarioOutcome outcome, TextWriter output, TextWriter errors, bool verbose)
        {
            foreach (var warning in outcome.Warnings)
            {
                errors.WriteLine(warning);
            }

            foreach (var error in outcome.InternalErrors)
            {
                output.WriteLine(error.ToString());
                if (verbose && error.Detail is { } detail)
                {
                    errors.WriteLine(detail);
                }
            }

            if (outcome.Internal)
            {
                _internal++;
            }

            if (outcome.Malformed)
            {
                Malformed = true;
                foreach (var error in outcome.Errors)
                {
                    output.WriteLine(error.ToString());
                }
            }

            if ((outcome.Malformed || outcome.Internal) && outcome.Expectations.Count == 0)
            {
                return;
            }

            _scenarios++;
            _expectations += outcome.Expectations.Count;
            foreach (var e in outcome.Expectations)
            {
                if (!e.Passed)
                {
                    _failed++;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outcome.Path}:{e.Line}: expected {e.Expected}, got {e.Actual}"));
                }
            }
        }

        public RunSummary Finish(TextWriter output)
        {
            var summary = new RunSummary(_scenarios, _expectations, _failed, Malformed) { InternalErrors = _internal };
            output.WriteLine(summary.ToString());
            return summary;
        }
    }
}
