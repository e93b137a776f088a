using MsrGen.Registers;

namespace MsrGen.Runtime.Hardware;

/// <summary>
/// What the catalog says about each register instance on this CPU (whether it exists, whether
/// software may write it, its reserved bits, and the reserved bits the hardware itself enforces on
/// an event select) depends only on the register and the fixed capabilities, so it is computed
/// once, on the first access, and kept in an array indexed by catalog id and instance: a physical
/// access then costs one array read instead of a walk through the catalog's per-register rules.
/// </summary>
public sealed partial class PhysicalPmu
{
    private const int CachedInstances = 64;
    private readonly RegisterFacts[] _facts = new RegisterFacts[(MsrCatalog.RegisterCount + 1) * CachedInstances];

    private struct RegisterFacts
    {
        public bool Known;
        public bool Exists;
        public bool Writable;
        public ulong Reserved;
        public ulong PhysicalReserved;
    }

    // Facts of an instance past the cache, recomputed on each access; and of an address outside the catalog.
    private RegisterFacts _uncachedFacts;
    private static readonly RegisterFacts NoFacts;

    /// <summary>
    /// The facts of an instance (computed here on first use; instances past the cache are computed
    /// each time), by reference so an access copies no struct; valid until the next call.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private ref readonly RegisterFacts Facts(MsrRef reg)
    {
        if ((uint)reg.Index >= CachedInstances || (uint)reg.Id > (uint)MsrCatalog.RegisterCount)
        {
            _uncachedFacts = Compute(reg);
            return ref _uncachedFacts;
        }

        ref var facts = ref _facts[(int)reg.Id * CachedInstances + reg.Index];
        if (!facts.Known)
        {
            facts = Compute(reg);
        }

        return ref facts;
    }

    private RegisterFacts Compute(MsrRef reg)
    {
        var descriptor = MsrCatalog.Describe(reg.Id);
        ulong reserved = MsrCatalog.ReservedMask(reg, Caps);
        return new RegisterFacts
        {
            Known = true,
            Exists = MsrCatalog.Exists(reg, Caps) ||
                // IA32_PERF_GLOBAL_STATUS_SET is a host-only register from PMU version 4 on.
                (reg.Id == MsrId.Ia32PerfGlobalStatusSet && Caps.IsIntel && Caps.Version >= 4),
            Writable = descriptor is not null && descriptor.Access != MsrAccess.ReadOnly,
            Reserved = reserved,
            PhysicalReserved = Caps.IsAmd ? reserved & ~AmdGuestHostOnly : reserved,
        };
    }

    /// <summary>
    /// The catalog's mask is KVM's guest view; the hardware itself also takes AMD's Guest/HostOnly
    /// bits (APM 13.2.1.1), which host perf uses to separate guest from host counting.
    /// </summary>
    private static readonly ulong AmdGuestHostOnly = MsrF15hPerfCtl.Zero.WithGuestOnly(true).WithHostOnly(true).Value;
}
