using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using MsrGen.Registers;

namespace MsrGen.Benchmarks.Generator;

/// <summary>
/// Address → register: MsrCatalog.TryFind (a flat table below 0x2000, a few 1 KiB windows above, built
/// once from the generated rows) against the dictionary a hand-written catalog would build at start-up. "Sweep": every address of the catalog in turn plus misses (hard on branch
/// prediction); "HotSet": the dozen MSRs a perf-using guest touches on every PMI and context switch.
/// </summary>
[MemoryDiagnoser]
public class CatalogLookupBenchmarks
{
    private static readonly uint[] HotAddresses =
    {
        0x38F, 0x38E, 0x390, 0x38D, 0x186, 0x187, 0x188, 0x189, 0xC1, 0xC2, 0xC3, 0xC4, 0x309, 0x30A, 0x30B, 0x38F,
    };

    private uint[] _addresses = System.Array.Empty<uint>();
    private Dictionary<uint, MsrRef> _dictionary = new();

    [Params("Sweep", "HotSet")]
    public string Pattern { get; set; } = "Sweep";

    [GlobalSetup]
    public void Setup()
    {
        var addresses = new List<uint>();
        foreach (var id in MsrCatalog.Ids)
        {
            var descriptor = MsrCatalog.Describe(id)!;
            if ((descriptor.Profile & MsrProfile.Upstream) == 0)
            {
                continue;
            }

            for (int n = 0; n < descriptor.MaxInstances; n++)
            {
                uint address = descriptor.AddressOf(n);
                _dictionary[address] = new MsrRef(id, n);
                addresses.Add(address);
            }
        }

        // Misses: neighbours of real registers and addresses far away.
        addresses.AddRange(new uint[] { 0x10, 0xC9, 0x38C, 0x392, 0xC0010008, 0xC000_0080, 0x4B56_4D00, 0xFFFF_FFFF });
        _addresses = Pattern == "HotSet" ? HotAddresses : addresses.ToArray();
    }

    [Benchmark(Baseline = true)]
    public int Dictionary()
    {
        int found = 0;
        foreach (uint address in _addresses)
        {
            if (_dictionary.TryGetValue(address, out var register))
            {
                found += register.Index + 1;
            }
        }

        return found;
    }

    [Benchmark]
    public int CatalogTable()
    {
        int found = 0;
        foreach (uint address in _addresses)
        {
            if (MsrCatalog.TryFind(address, MsrProfile.Upstream, out var register))
            {
                found += register.Index + 1;
            }
        }

        return found;
    }
}
