using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using MsrGen.Registers;

namespace MsrGen.Benchmarks.Generator;

/// <summary>
/// Address → register: the generated switch in MsrCatalog.TryFind against the dictionary a hand-written
/// catalog would build at start-up. Every address of the catalog plus misses, as a guest's MSR accesses would mix them.
/// </summary>
[MemoryDiagnoser]
public class CatalogLookupBenchmarks
{
    private uint[] _addresses = System.Array.Empty<uint>();
    private Dictionary<uint, MsrRef> _dictionary = new();

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
        _addresses = addresses.ToArray();
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
    public int GeneratedSwitch()
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
