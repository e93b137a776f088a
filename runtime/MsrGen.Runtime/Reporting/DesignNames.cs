using System;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// One name per vPMU design everywhere the report, the charts and the machine-readable output
/// show one: the scenario language's own words (<c>vpmu=emulated</c>, <c>vpmu=mediated
/// placement=run-loop</c>), so what a user reads is what a user writes.
/// </summary>
public static class DesignNames
{
    /// <summary>KVM's perf-emulated ("legacy") vPMU.</summary>
    public const string Emulated = "emulated";

    /// <summary>The mediated vPMU's default placement (Linux 7.0).</summary>
    public const string DefaultPlacement = "run-loop";

    /// <summary>The mediated vPMU switching at <paramref name="placement"/>.</summary>
    public static string Mediated(string placement) => "mediated " + placement;

    /// <summary>
    /// The canonical form of a design name a VM or a comparison reports: "mediated (exit)" and
    /// "mediated" become "mediated exit" and "mediated run-loop"; everything else is kept.
    /// </summary>
    public static string Canonical(string design)
    {
        ArgumentNullException.ThrowIfNull(design);
        if (design == "mediated")
        {
            return Mediated(DefaultPlacement);
        }

        if (design.StartsWith("mediated (", StringComparison.Ordinal) && design.EndsWith(')'))
        {
            return Mediated(design["mediated (".Length..^1]);
        }

        return design;
    }
}
