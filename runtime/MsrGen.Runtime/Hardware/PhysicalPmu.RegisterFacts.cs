using MsrGen.Registers;

namespace MsrGen.Runtime.Hardware;

/// <summary>
/// What the catalog says about each register instance on this CPU (whether it exists, its reserved
/// bits) depends only on the register and the fixed capabilities, so each is computed once, on the
/// first access, and kept in arrays indexed by catalog id and instance: a physical access then
/// costs an array read instead of a walk through the catalog's per-register rules.
/// </summary>
public sealed partial class PhysicalPmu
{
    private const int CachedInstances = 64;
    private const byte Unknown = 0, Absent = 1, Present = 2;
    private readonly byte[] _exists = new byte[(MsrCatalog.RegisterCount + 1) * CachedInstances];
    private readonly bool[] _reservedKnown = new bool[(MsrCatalog.RegisterCount + 1) * CachedInstances];
    private readonly ulong[] _reserved = new ulong[(MsrCatalog.RegisterCount + 1) * CachedInstances];

    private static int CacheSlot(MsrRef reg) =>
        (uint)reg.Index < CachedInstances && (uint)reg.Id <= (uint)MsrCatalog.RegisterCount ? (int)reg.Id * CachedInstances + reg.Index : -1;

    private bool Exists(MsrRef reg)
    {
        int slot = CacheSlot(reg);
        if (slot < 0)
        {
            return ExistsUncached(reg);
        }

        if (_exists[slot] == Unknown)
        {
            _exists[slot] = ExistsUncached(reg) ? Present : Absent;
        }

        return _exists[slot] == Present;
    }

    private bool ExistsUncached(MsrRef reg) => MsrCatalog.Exists(reg, Caps) ||
        // IA32_PERF_GLOBAL_STATUS_SET is a host-only register from PMU version 4 on.
        (reg.Id == MsrId.Ia32PerfGlobalStatusSet && Caps.IsIntel && Caps.Version >= 4);

    /// <summary>The catalog's reserved mask of the instance for these capabilities (MsrCatalog.ReservedMask).</summary>
    private ulong Reserved(MsrRef reg)
    {
        int slot = CacheSlot(reg);
        if (slot < 0)
        {
            return MsrCatalog.ReservedMask(reg, Caps);
        }

        if (!_reservedKnown[slot])
        {
            _reserved[slot] = MsrCatalog.ReservedMask(reg, Caps);
            _reservedKnown[slot] = true;
        }

        return _reserved[slot];
    }
}
