using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Runner;

/// <summary>One evaluated expectation (an action's <c>=&gt;</c> or an <c>expect</c> line).</summary>
public sealed record ExpectationOutcome(int Line, string Statement, string Expected, string Actual, bool Passed);

/// <summary>A VM's final metrics at the end of a scenario.</summary>
public sealed record VmSummary(string Name, VpmuMode Mode, string Design, IReadOnlyList<KeyValuePair<string, ulong>> Metrics);

/// <summary>What running one scenario file produced.</summary>
public sealed class ScenarioOutcome
{
    public ScenarioOutcome(string path) => Path = path;

    public string Path { get; }
    public string? Title { get; internal set; }
    public List<string> Descriptions { get; } = new();
    public List<KeyValuePair<string, string>> ReportEntries { get; } = new();
    public List<ExpectationOutcome> Expectations { get; } = new();
    public List<VmSummary> Vms { get; } = new();

    /// <summary>Parse diagnostics, or run-time errors that make the scenario malformed (exit code 2).</summary>
    public List<ScenarioDiagnostic> Errors { get; } = new();

    /// <summary>Unexpected failures of the tool while this file ran (exit code 3); never the file's fault.</summary>
    public List<ScenarioDiagnostic> InternalErrors { get; } = new();

    public List<string> Warnings { get; } = new();

    /// <summary>Per-event work the file used (see <see cref="Metrics.WorkMeter"/>).</summary>
    public ulong WorkUsed { get; internal set; }

    public bool Malformed => Errors.Count > 0;
    public bool Internal => InternalErrors.Count > 0;
    public int Failed => Expectations.FindAll(e => !e.Passed).Count;
}
