using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using MsrGen.Runtime.Runner;

namespace MsrGen.Cli.Output;

/// <summary>A JUnit XML file of scenario results: one test case per scenario, grouped by folder.</summary>
internal static class JUnitOutput
{
    public static void Write(IReadOnlyList<ScenarioOutcome> outcomes, string path)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var writer = XmlWriter.Create(path, settings);
        writer.WriteStartDocument();
        writer.WriteStartElement("testsuites");
        writer.WriteAttributeString("name", "msrgen");
        writer.WriteAttributeString("tests", N(outcomes.Count));
        writer.WriteAttributeString("failures", N(outcomes.Count(o => !o.Malformed && o.Failed > 0)));
        writer.WriteAttributeString("errors", N(outcomes.Count(o => o.Malformed)));
        foreach (var group in outcomes.GroupBy(o => Folder(o.Path)))
        {
            var cases = group.ToList();
            writer.WriteStartElement("testsuite");
            writer.WriteAttributeString("name", group.Key);
            writer.WriteAttributeString("tests", N(cases.Count));
            writer.WriteAttributeString("failures", N(cases.Count(o => !o.Malformed && o.Failed > 0)));
            writer.WriteAttributeString("errors", N(cases.Count(o => o.Malformed)));
            foreach (var outcome in cases)
            {
                writer.WriteStartElement("testcase");
                writer.WriteAttributeString("classname", group.Key.Replace('/', '.'));
                writer.WriteAttributeString("name", Path.GetFileName(outcome.Path));
                if (outcome.Malformed)
                {
                    writer.WriteStartElement("error");
                    writer.WriteAttributeString("message", outcome.Errors[0].ToString());
                    writer.WriteString(string.Join("\n", outcome.Errors.Select(e => e.ToString())));
                    writer.WriteEndElement();
                }
                else if (outcome.Failed > 0)
                {
                    var failed = outcome.Expectations.Where(e => !e.Passed).ToList();
                    writer.WriteStartElement("failure");
                    writer.WriteAttributeString("message", string.Create(CultureInfo.InvariantCulture, $"{failed.Count} of {outcome.Expectations.Count} expectations failed"));
                    writer.WriteString(string.Join("\n", failed.Select(e => string.Create(CultureInfo.InvariantCulture, $"{outcome.Path}:{e.Line}: expected {e.Expected}, got {e.Actual}"))));
                    writer.WriteEndElement();
                }

                writer.WriteEndElement();
            }

            writer.WriteEndElement();
        }

        writer.WriteEndElement();
        writer.WriteEndDocument();
    }

    private static string Folder(string path)
    {
        string normalized = path.Replace('\\', '/');
        int slash = normalized.LastIndexOf('/');
        return slash <= 0 ? "scenarios" : normalized[..slash];
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
