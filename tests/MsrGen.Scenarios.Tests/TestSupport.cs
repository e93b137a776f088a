using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Reflection;
using Microsoft.VisualStudio.TestTools.UnitTesting;

[assembly: Parallelize(Scope = ExecutionScope.MethodLevel)]

namespace MsrGen.Scenarios.Tests;

/// <summary>A stand-in for the generated register catalog.</summary>
internal sealed class FakeRegisters : IRegisterNameResolver
{
    public static FakeRegisters Instance { get; } = new();

    public bool TryResolve(string name, out uint address)
    {
        address = 0;
        if (name == "IA32_PERF_GLOBAL_CTRL")
        {
            address = 0x38F;
            return true;
        }

        return TryArray(name, "IA32_PMC", 8, 0xC1, 1, ref address)
            || TryArray(name, "IA32_PERFEVTSEL", 8, 0x186, 1, ref address)
            || TryArray(name, "IA32_FIXED_CTR", 4, 0x309, 1, ref address)
            || TryArray(name, "MSR_F15H_PERF_CTL", 6, 0xC0010200, 2, ref address);
    }

    private static bool TryArray(string name, string prefix, uint count, uint first, uint stride, ref uint address)
    {
        if (!name.StartsWith(prefix, StringComparison.Ordinal)
            || !uint.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || index >= count)
        {
            return false;
        }

        address = first + (index * stride);
        return true;
    }
}

internal static class Scenarios
{
    public const string Path = "t.pmu";

    public static ScenarioParserOptions Options { get; } = new() { Registers = FakeRegisters.Instance };

    public static ScenarioParseResult Parse(string text, ScenarioParserOptions? options = null) =>
        ScenarioParser.Parse(Path, text, options ?? Options);

    public static Statement ParseOne(string line)
    {
        var result = Parse(line);
        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.HasCount(1, result.File.Statements);
        return result.File.Statements[0];
    }

    public static string[] Errors(string text, ScenarioParserOptions? options = null)
    {
        var result = Parse(text, options);
        Assert.IsFalse(result.Succeeded, "expected diagnostics");
        Assert.IsNull(result.File);
        return result.Diagnostics.Select(d => d.ToString()).ToArray();
    }
}

/// <summary>
/// Renders an AST compactly without its source spans, so that table-driven tests can state the
/// whole expected tree in one string.
/// </summary>
internal static class AstText
{
    public static string Render(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        ulong u => "0x" + u.ToString("x", CultureInfo.InvariantCulture),
        uint u => "0x" + u.ToString("x", CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => e.ToString(),
        EventSpec e => e.ToString(),
        Setting s => s.Key + "=" + Render(s.Value),
        NumberValue n => Render(n.Value),
        SwitchValue s => s.On ? "on" : "off",
        WordValue w => Render(w.Word),
        NumberListValue l => Render(l.Values),
        EventCount c => c.Event + "=" + Render(c.Count),
        MsrOperand m => (m.Name ?? "-") + "@" + Render(m.Address),
        Metric m => m.Name,
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Render)) + "]",
        _ => RenderRecord(value),
    };

    private static string RenderRecord(object value)
    {
        var properties = value.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType != typeof(SourceSpan) && p.SetMethod is not null && p.GetIndexParameters().Length == 0)
            .Select(p => p.Name + "=" + Render(p.GetValue(value)));
        return value.GetType().Name + "(" + string.Join(", ", properties) + ")";
    }
}
