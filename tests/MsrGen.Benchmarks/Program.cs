using BenchmarkDotNet.Running;

namespace MsrGen.Benchmarks;

/// <summary>
/// Runs the benchmark classes of this assembly: `dotnet run -c Release --project tests/MsrGen.Benchmarks -- --filter '*'`.
/// Results are compared as ratios against the baseline of each class, measured in the same run.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
