using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Runner;

namespace MsrGen.Cli.Output;

/// <summary>
/// The machine-readable output, schema version 1 (docs/output.md, docs/schema/msrgen-output-v1.schema.json):
/// the verdict, every scenario with its expectations and VM metrics, and every table, finding and chart.
/// </summary>
internal static class JsonOutput
{
    public const string SchemaVersion = "1";

    public const string SchemaId = "msrgen-output-v1";

    public static void WriteReport(DefaultReportModel report, ChartFiles charts, TextWriter output)
    {
        var sections = new List<(string Section, ReportSectionResult Result)>
        {
            ("headline", new ReportSectionResult(Array.Empty<string>(), new[] { report.Headline.ToReportTable() }, Array.Empty<string>(), new[] { report.HeadlineChart })),
        };
        sections.AddRange(report.Sections.Select(s => (s.Id, s.Result)));
        Write(output, "report", report.Summary, report.Verdict, report.Outcomes, (report.Host, report.Kernel), sections, charts);
    }

    public static void WriteRun(RunSummary summary, string verdict, IReadOnlyList<ScenarioOutcome> outcomes, ReportTable metrics, TextWriter output)
    {
        var sections = new List<(string, ReportSectionResult)>
        {
            ("metrics", new ReportSectionResult(Array.Empty<string>(), new[] { metrics }, Array.Empty<string>(), Array.Empty<ReportChart>())),
        };
        Write(output, "run", summary, verdict, outcomes, null, sections, null);
    }

    private static void Write(
        TextWriter output, string kind, RunSummary summary, string verdict, IReadOnlyList<ScenarioOutcome> outcomes,
        (string Host, string Kernel)? modelled, IReadOnlyList<(string Section, ReportSectionResult Result)> sections, ChartFiles? charts)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("schema", SchemaId);
            json.WriteString("schemaVersion", SchemaVersion);
            json.WriteString("kind", kind);
            json.WriteStartObject("tool");
            json.WriteString("name", "msrgen");
            json.WriteString("version", OutputOptions.ToolVersion);
            json.WriteEndObject();

            json.WriteStartObject("verdict");
            json.WriteString("status", summary.AnyMalformed ? "error" : summary.Failed > 0 ? "fail" : "pass");
            json.WriteString("text", verdict);
            json.WriteNumber("exitCode", summary.ExitCode);
            json.WriteNumber("scenarios", summary.Scenarios);
            json.WriteNumber("expectations", summary.Expectations);
            json.WriteNumber("failed", summary.Failed);
            json.WriteEndObject();

            if (modelled is { } m)
            {
                json.WriteStartObject("modelled");
                json.WriteString("host", m.Host);
                json.WriteString("kernel", m.Kernel);
                json.WriteEndObject();
            }

            json.WriteStartArray("scenarios");
            foreach (var outcome in outcomes)
            {
                WriteScenario(json, outcome);
            }

            json.WriteEndArray();

            json.WriteStartArray("tables");
            foreach (var (section, result) in sections)
            {
                foreach (var table in result.Tables)
                {
                    WriteTable(json, section, table);
                }
            }

            json.WriteEndArray();

            WriteTexts(json, "notes", sections.SelectMany(s => s.Result.Notes.Select(n => (s.Section, n))));
            WriteTexts(json, "findings", sections.SelectMany(s => s.Result.Findings.Select(f => (s.Section, f))));

            json.WriteStartArray("charts");
            foreach (var (section, result) in sections)
            {
                foreach (var chart in result.Charts)
                {
                    json.WriteStartObject();
                    json.WriteString("section", section);
                    json.WriteString("title", chart.Title);
                    var written = charts?.Write(chart);
                    if (written?.Path is { } path)
                    {
                        json.WriteString("file", path);
                    }
                    else
                    {
                        json.WriteNull("file");
                    }

                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteScenario(Utf8JsonWriter json, ScenarioOutcome outcome)
    {
        json.WriteStartObject();
        json.WriteString("path", outcome.Path);
        if (outcome.Title is { } title)
        {
            json.WriteString("title", title);
        }
        else
        {
            json.WriteNull("title");
        }

        json.WriteString("status", outcome.Malformed ? "malformed" : outcome.Failed > 0 ? "fail" : "pass");
        json.WriteStartArray("expectations");
        foreach (var e in outcome.Expectations)
        {
            json.WriteStartObject();
            json.WriteNumber("line", e.Line);
            json.WriteString("statement", e.Statement);
            json.WriteString("expected", e.Expected);
            json.WriteString("actual", e.Actual);
            json.WriteBoolean("passed", e.Passed);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("errors");
        foreach (var error in outcome.Errors)
        {
            json.WriteStringValue(error.ToString());
        }

        json.WriteEndArray();
        json.WriteStartArray("warnings");
        foreach (var warning in outcome.Warnings)
        {
            json.WriteStringValue(warning);
        }

        json.WriteEndArray();
        json.WriteStartArray("vms");
        foreach (var vm in outcome.Vms)
        {
            json.WriteStartObject();
            json.WriteString("name", vm.Name);
            json.WriteString("design", DesignNames.Canonical(vm.Design));
            json.WriteStartObject("metrics");
            foreach (var metric in vm.Metrics)
            {
                json.WriteNumber(metric.Key, metric.Value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteTable(Utf8JsonWriter json, string section, ReportTable table)
    {
        json.WriteStartObject();
        json.WriteString("id", table.Id);
        json.WriteString("section", section);
        json.WriteString("title", table.Title);
        json.WriteStartArray("columns");
        foreach (var column in table.Columns)
        {
            json.WriteStartObject();
            json.WriteString("id", column.Id);
            json.WriteString("name", column.Name);
            json.WriteString("unit", column.Unit);
            json.WriteString("format", column.Format.ToString().ToLowerInvariant());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("rows");
        foreach (var row in table.Rows)
        {
            json.WriteStartArray();
            foreach (var cell in row)
            {
                if (cell.Text is { } text)
                {
                    json.WriteStringValue(text);
                }
                else if (cell.Flag is bool flag)
                {
                    json.WriteBooleanValue(flag);
                }
                else if (cell.Number is double number && double.IsFinite(number))
                {
                    json.WriteNumberValue(Math.Round(number, 6));
                }
                else
                {
                    json.WriteNullValue();
                }
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteTexts(Utf8JsonWriter json, string name, IEnumerable<(string Section, string Text)> texts)
    {
        json.WriteStartArray(name);
        foreach (var (section, text) in texts)
        {
            json.WriteStartObject();
            json.WriteString("section", section);
            json.WriteString("text", text);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
