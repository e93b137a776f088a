using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace MsrGen.Registers;

/// <summary>
/// One row of a generated catalog: a register type seen through its descriptor and static members, so
/// the catalog's per-register questions are a table lookup and a virtual call instead of a switch.
/// </summary>
public abstract class MsrCatalogEntry
{
    public abstract MsrDescriptor Descriptor { get; }
    public abstract ulong ReservedMask(in PmuCaps caps, int index);
    public abstract bool Exists(in PmuCaps caps, int index);
    public abstract ulong ResetValue(in PmuCaps caps);
    public abstract MsrIntercept InterceptPolicy(VpmuMode mode, in PmuCaps guest, in PmuCaps host, int index);

    /// <summary>The row for register type <typeparamref name="TRegister"/>.</summary>
    public static MsrCatalogEntry Of<TRegister>() where TRegister : struct, IMsrRegister<TRegister> => new Entry<TRegister>();

    private sealed class Entry<TRegister> : MsrCatalogEntry where TRegister : struct, IMsrRegister<TRegister>
    {
        public override MsrDescriptor Descriptor => TRegister.Descriptor;
        public override ulong ReservedMask(in PmuCaps caps, int index) => TRegister.ReservedMask(caps, index);
        public override bool Exists(in PmuCaps caps, int index) => TRegister.Exists(caps, index);
        public override ulong ResetValue(in PmuCaps caps) => TRegister.Reset(caps).Value;
        public override MsrIntercept InterceptPolicy(VpmuMode mode, in PmuCaps guest, in PmuCaps host, int index) =>
            TRegister.InterceptPolicy(mode, guest, host, index);
    }
}

/// <summary>
/// Address and name lookup over a catalog's rows, built once from their descriptors. Addresses below
/// 0x2000 (every Intel PMU and LBR MSR) index one flat table directly; the few 1 KiB windows above it
/// (AMD, KVM) are found by a short scan. Each slot holds (row &lt;&lt; 16) | instance + 1, 0 for no
/// register, or <see cref="ProfileDependent"/> where the profile decides (0x4B564D05).
/// </summary>
public sealed class MsrAddressIndex
{
    /// <summary>Addresses below this are looked up in one flat table.</summary>
    public const uint LowLimit = 0x2000;
    private const int WindowBits = 10;
    public const uint ProfileDependent = 0xFFFFFFFFu;

    private readonly uint[] _low = new uint[LowLimit];
    private readonly uint[] _windowBases;
    private readonly uint[][] _windows;
    private readonly (uint Address, MsrProfile Profile, uint Slot)[] _byProfile;
    private readonly Dictionary<string, List<(MsrProfile Profile, uint Slot)>> _names = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="descriptors">The catalog's registers; row r (0-based) is reported as id r + 1.</param>
    public MsrAddressIndex(IReadOnlyList<MsrDescriptor> descriptors)
    {
        var claims = new Dictionary<uint, List<(MsrProfile Profile, uint Slot)>>();
        for (int row = 0; row < descriptors.Count; row++)
        {
            var d = descriptors[row];
            for (int n = 0; n < d.MaxInstances; n++)
            {
                uint slot = Slot(row, n);
                uint address = d.AddressOf(n);
                if (!claims.TryGetValue(address, out var list))
                {
                    claims[address] = list = new List<(MsrProfile, uint)>();
                }

                list.Add((d.Profile, slot));
                AddName(d.InstanceName(n), d.Profile, slot);
                foreach (string alias in d.AliasesOf(n))
                {
                    AddName(alias, d.Profile, slot);
                }
            }
        }

        var windows = new SortedDictionary<uint, uint[]>();
        var byProfile = new List<(uint, MsrProfile, uint)>();
        foreach (var pair in claims)
        {
            uint value = pair.Value.Count == 1 && pair.Value[0].Profile == MsrProfile.All ? pair.Value[0].Slot : ProfileDependent;
            if (value == ProfileDependent)
            {
                foreach (var (profile, slot) in pair.Value)
                {
                    byProfile.Add((pair.Key, profile, slot));
                }
            }

            if (pair.Key < LowLimit)
            {
                _low[pair.Key] = value;
                continue;
            }

            uint windowBase = pair.Key >> WindowBits;
            if (!windows.TryGetValue(windowBase, out var window))
            {
                windows[windowBase] = window = new uint[1 << WindowBits];
            }

            window[pair.Key & ((1u << WindowBits) - 1)] = value;
        }

        _windowBases = new uint[windows.Count];
        _windows = new uint[windows.Count][];
        int w = 0;
        foreach (var pair in windows)
        {
            _windowBases[w] = pair.Key;
            _windows[w++] = pair.Value;
        }

        _byProfile = byProfile.ToArray();
    }

    /// <summary>Row (0-based) and instance encoded in one slot value.</summary>
    public static uint Slot(int row, int instance) => ((uint)(row + 1) << 16) | (uint)instance;

    /// <summary>The slot at <paramref name="address"/> in <paramref name="profile"/>; 0 when no register is there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Find(uint address, MsrProfile profile)
    {
        uint slot = address < LowLimit
            ? Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_low), (nint)address)
            : FindHigh(address);
        return slot == ProfileDependent ? FindByProfile(address, profile) : slot;
    }

    private uint FindHigh(uint address)
    {
        uint windowBase = address >> WindowBits;
        var bases = _windowBases;
        for (int i = 0; i < bases.Length; i++)
        {
            if (bases[i] == windowBase)
            {
                return _windows[i][address & ((1u << WindowBits) - 1)];
            }
        }

        return 0;
    }

    private uint FindByProfile(uint address, MsrProfile profile)
    {
        foreach (var (at, owner, slot) in _byProfile)
        {
            if (at == address && (owner & profile) != 0)
            {
                return slot;
            }
        }

        return 0;
    }

    /// <summary>The slot of the register instance with this name or alias (case-insensitive) in the profile; 0 when none.</summary>
    public uint FindByName(string name, MsrProfile profile)
    {
        if (_names.TryGetValue(name, out var candidates))
        {
            foreach (var (owner, slot) in candidates)
            {
                if ((owner & profile) != 0)
                {
                    return slot;
                }
            }
        }

        return 0;
    }

    private void AddName(string name, MsrProfile profile, uint slot)
    {
        if (!_names.TryGetValue(name, out var list))
        {
            _names[name] = list = new List<(MsrProfile, uint)>();
        }

        list.Add((profile, slot));
    }
}
