using BenchmarkDotNet.Attributes;
using MsrGen.Registers;

namespace MsrGen.Benchmarks.Generator;

/// <summary>
/// "Does this guest access exit?": through the generated VMX bitmap type against a raw bit test on the
/// same 4 KiB page written inline, for a mediated Intel vCPU.
/// </summary>
[MemoryDiagnoser]
public class InterceptCheckBenchmarks
{
    private static readonly uint[] Addresses =
    {
        0xC1, 0xC4, 0xC5, 0x186, 0x309, 0x38D, 0x38E, 0x38F, 0x390, 0x1D9, 0x345, 0x4C1, 0xC000_0080, 0xC001_0200, 0x4B56_4D05, 0x1FFF,
    };

    private VmxMsrBitmap _bitmap = new();
    private byte[] _raw = System.Array.Empty<byte>();

    [GlobalSetup]
    public void Setup()
    {
        var guest = new PmuCaps(CpuVendor.Intel, 2, 4, 3, 48, 48, 0, 0, PmuFeatures.Pdcm);
        var host = guest with { GpCounters = 8 };
        _bitmap = MsrCatalog.BuildVmxBitmap(VpmuMode.Mediated, guest, host, MsrProfile.Upstream);
        _raw = _bitmap.Bytes.ToArray();
    }

    [Benchmark(Baseline = true)]
    public int RawBitTest()
    {
        int exits = 0;
        byte[] page = _raw;
        foreach (uint address in Addresses)
        {
            for (int write = 0; write < 2; write++)
            {
                int offset;
                if (address < 0x2000)
                {
                    offset = (write << 11) + (int)(address >> 3);
                }
                else if (address - 0xC000_0000u < 0x2000)
                {
                    offset = 1024 + (write << 11) + (int)((address - 0xC000_0000u) >> 3);
                }
                else
                {
                    exits++;
                    continue;
                }

                exits += (page[offset] >> (int)(address & 7)) & 1;
            }
        }

        return exits;
    }

    [Benchmark]
    public int GeneratedBitmap()
    {
        int exits = 0;
        var bitmap = _bitmap;
        foreach (uint address in Addresses)
        {
            exits += bitmap.Intercepts(address, write: false) ? 1 : 0;
            exits += bitmap.Intercepts(address, write: true) ? 1 : 0;
        }

        return exits;
    }
}
