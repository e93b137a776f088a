using System;
using System.Globalization;
using System.Linq;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests.Incrementality;

/// <summary>Output is byte-identical across runs and whatever the current culture is.</summary>
public sealed class DeterminismTests
{
    private static string[] Snapshot(GeneratorRun run) =>
        run.Sources.Select(s => s.HintName + "\n" + Convert.ToHexString(s.SourceText.GetChecksum().ToArray()) + "\n" + s.SourceText)
            .Concat(run.GeneratorDiagnostics.Select(d => d.ToString()))
            .ToArray();

    private static GeneratorRun RunAll() =>
        GeneratorHarness.Run(GeneratorHarness.AllShipped().Append(GeneratorHarness.Definition("broken.msr", """
            vendor intel
            msr BROKEN 0x10
              access rw
              reset 0x100
              reserved 63:8
              field 7:0 I_LOWER
            end
            msr BAD_NUMBER 0x1ı
              access rw
            end
            """)));

    [Fact]
    public void Two_runs_produce_identical_bytes()
    {
        var first = Snapshot(RunAll());
        var second = Snapshot(RunAll());

        Assert.Equal(first, second);
        Assert.Equal(5, first.Count(s => s.Contains(".g.cs\n", StringComparison.Ordinal)));
        Assert.Contains(first, s => s.Contains("MSRGEN9008", StringComparison.Ordinal));
        Assert.Contains(first, s => s.Contains("MSRGEN9012", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("tr-TR")]
    [InlineData("fi-FI")]
    [InlineData("ar-SA")]
    public void Current_culture_does_not_change_the_output(string cultureName)
    {
        var invariant = WithCulture(CultureInfo.InvariantCulture, RunAll);

        var cultured = WithCulture(CultureInfo.GetCultureInfo(cultureName), RunAll);

        Assert.Equal(Snapshot(invariant), Snapshot(cultured));
    }

    private static T WithCulture<T>(CultureInfo culture, Func<T> action)
    {
        var culture0 = CultureInfo.CurrentCulture;
        var ui0 = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture0;
            CultureInfo.CurrentUICulture = ui0;
        }
    }
}
