namespace MsrGen.Benchmarks.Runtime;

/// <summary>
/// The yardstick the runtime benchmarks are quoted against: one read-modify-write of a slot of a
/// 16-entry register array, timed over a loop of <see cref="Updates"/> so that the call overhead
/// BenchmarkDotNet subtracts does not swamp it.
/// </summary>
internal sealed class ArrayUpdateBaseline
{
    public const int Updates = 1024;

    private readonly ulong[] _registers = new ulong[16];
    private int _next;

    public ulong Run()
    {
        ulong last = 0;
        for (int n = 0; n < Updates; n++)
        {
            int i = _next++ & 15;
            _registers[i] += 1;
            last = _registers[i];
        }

        return last;
    }
}
