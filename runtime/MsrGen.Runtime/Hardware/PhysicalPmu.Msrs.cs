using MsrGen.Registers;

namespace MsrGen.Runtime.Hardware;

/// <summary>
/// The physical MSR and RDPMC interface. Addresses are resolved through the generated catalog and
/// checked against the register's existence and reserved mask for this CPU's capabilities, as the
/// hardware would (#GP otherwise). Host software accesses are counted; the guest's direct
/// (passed-through) accesses are not host work and go through the Guest* methods.
/// </summary>
public sealed partial class PhysicalPmu : IMsrBus
{
    /// <summary>RDPMC ECX bit 30: fixed-counter index space (Intel).</summary>
    public const uint RdpmcFixed = 1u << 30;
    /// <summary>RDPMC ECX bit 29: PERF_METRICS (Intel, with PERF_CAPABILITIES.PERF_METRICS).</summary>
    public const uint RdpmcMetrics = 1u << 29;

    // Each access resolves its address in the catalog once; the counters and the register file use that one result.
    public MsrAccessResult ReadMsr(uint address, out ulong value) => ReadMsr(MsrCatalog.TryFind(address, Profile, out var reg), reg, out value);

    public MsrAccessResult WriteMsr(uint address, ulong value) => WriteMsr(MsrCatalog.TryFind(address, Profile, out var reg), reg, value);

    /// <summary>
    /// <see cref="ReadMsr(uint, out ulong)"/> of an address whose catalog lookup (<paramref name="known"/>,
    /// <paramref name="reg"/>) the caller did once in this CPU's profile: the lookup is a pure
    /// function of the address, so the access is the same.
    /// </summary>
    internal MsrAccessResult ReadMsr(bool known, MsrRef reg, out ulong value)
    {
        SettlePendingMoves();
        Accesses.CountRead(known, reg);
        Attribution?.CountRead(known, reg);
        return Read(known, reg, out value);
    }

    /// <summary><see cref="WriteMsr(uint, ulong)"/> of an address looked up once, as <see cref="ReadMsr(bool, MsrRef, out ulong)"/>.</summary>
    internal MsrAccessResult WriteMsr(bool known, MsrRef reg, ulong value)
    {
        SettlePendingMoves();
        Accesses.CountWrite(known, reg);
        Attribution?.CountWrite(known, reg);
        return Write(known, reg, value);
    }

    public MsrAccessResult Rdpmc(uint ecx, out ulong value)
    {
        SettlePendingMoves();
        Accesses.CountRdpmc();
        Attribution?.CountRdpmc();
        return ReadPmc(ecx, out value);
    }

    /// <summary>
    /// Counts a host software write of the LVTPC (an x2APIC WRMSR, made by the mediated vPMU's
    /// switch through perf). Not a PMU register access: pending switch moves stay pending.
    /// </summary>
    internal void CountLvtpcWrite()
    {
        Accesses.CountLvtpcWrite();
        Attribution?.CountLvtpcWrite();
    }

    /// <summary>A guest RDMSR that the MSR bitmap lets through to the hardware.</summary>
    public MsrAccessResult GuestReadMsr(uint address, out ulong value)
    {
        SettlePendingMoves();
        return Read(MsrCatalog.TryFind(address, Profile, out var reg), reg, out value);
    }

    /// <summary>A guest WRMSR that the MSR bitmap lets through to the hardware.</summary>
    public MsrAccessResult GuestWriteMsr(uint address, ulong value)
    {
        SettlePendingMoves();
        return Write(MsrCatalog.TryFind(address, Profile, out var reg), reg, value);
    }

    /// <summary>A guest RDPMC without RDPMC exiting.</summary>
    public MsrAccessResult GuestRdpmc(uint ecx, out ulong value)
    {
        SettlePendingMoves();
        return ReadPmc(ecx, out value);
    }

    private MsrAccessResult ReadPmc(uint ecx, out ulong value)
    {
        value = 0;
        if (Caps.IsAmd)
        {
            if (ecx >= (uint)_gp.Length)
            {
                return MsrAccessResult.GeneralProtection;
            }

            value = _gp[ecx];
            return MsrAccessResult.Ok;
        }

        if ((ecx & RdpmcMetrics) != 0)
        {
            if (!Caps.PerfMetrics)
            {
                return MsrAccessResult.GeneralProtection;
            }

            value = PerfMetricsValue();
            return MsrAccessResult.Ok;
        }

        uint index = ecx & 0xFFFF;
        if ((ecx & RdpmcFixed) != 0)
        {
            if (index >= (uint)_fixed.Length)
            {
                return MsrAccessResult.GeneralProtection;
            }

            value = _fixed[index];
            return MsrAccessResult.Ok;
        }

        if (index >= (uint)_gp.Length)
        {
            return MsrAccessResult.GeneralProtection;
        }

        value = _gp[index];
        return MsrAccessResult.Ok;
    }

    private MsrAccessResult Read(bool known, MsrRef reg, out ulong value)
    {
        value = 0;
        if (!known || !Facts(reg).Exists)
        {
            return MsrAccessResult.GeneralProtection;
        }

        int n = reg.Index;
        value = reg.Id switch
        {
            MsrId.Ia32Pmc or MsrId.Ia32APmc or MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr => _gp[n],
            MsrId.Ia32Perfevtsel or MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl => _evtsel[n],
            MsrId.Ia32FixedCtr => _fixed[n],
            MsrId.Ia32FixedCtrCtrl => _fixedCtrl,
            MsrId.Ia32PerfGlobalCtrl or MsrId.MsrAmd64PerfCntrGlobalCtl => _globalCtrl,
            MsrId.Ia32PerfGlobalStatus or MsrId.MsrAmd64PerfCntrGlobalStatus => _globalStatus,
            MsrId.Ia32PerfCapabilities => Caps.PerfCapabilities,
            MsrId.MsrPerfMetrics => PerfMetricsValue(),
            _ => 0,
        };
        return MsrAccessResult.Ok;
    }

    private MsrAccessResult Write(bool known, MsrRef reg, ulong value)
    {
        ref readonly var facts = ref known ? ref Facts(reg) : ref NoFacts;
        if (!facts.Exists || !facts.Writable)
        {
            return MsrAccessResult.GeneralProtection;
        }

        int n = reg.Index;
        switch (reg.Id)
        {
            case MsrId.Ia32Pmc:
                // The legacy alias takes 32 bits and sign-extends them (SDM 20.2.6).
                _gp[n] = (ulong)(long)(int)(uint)value & GpMask;
                return MsrAccessResult.Ok;
            case MsrId.Ia32APmc or MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr:
                if ((value & ~GpMask) != 0 && reg.Id == MsrId.Ia32APmc)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                _gp[n] = value & GpMask;
                return MsrAccessResult.Ok;
            case MsrId.Ia32FixedCtr:
                _fixed[n] = value & FixedMask;
                if (n == 3)
                {
                    System.Array.Clear(_topdown);
                }

                return MsrAccessResult.Ok;
            case MsrId.Ia32Perfevtsel or MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl:
                if ((value & facts.PhysicalReserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                _evtsel[n] = value;
                return MsrAccessResult.Ok;
            case MsrId.Ia32FixedCtrCtrl:
                return Store(ref _fixedCtrl, value, facts.Reserved);
            case MsrId.Ia32PerfGlobalCtrl or MsrId.MsrAmd64PerfCntrGlobalCtl:
                if (reg.Id == MsrId.Ia32PerfGlobalCtrl && Caps.PerfMetrics)
                {
                    // The catalog states KVM's guest view, where EN_PERF_METRICS is never offered;
                    // hardware with PERF_CAPABILITIES.PERF_METRICS has the bit.
                    ulong metricsBit = Ia32PerfGlobalCtrl.Zero.WithEnPerfMetrics(true).Value;
                    if ((value & facts.Reserved & ~metricsBit) != 0)
                    {
                        return MsrAccessResult.GeneralProtection;
                    }

                    _globalCtrl = value;
                    return MsrAccessResult.Ok;
                }

                return Store(ref _globalCtrl, value, facts.Reserved);
            case MsrId.Ia32PerfGlobalOvfCtrl or MsrId.MsrAmd64PerfCntrGlobalStatusClr:
                if ((value & facts.Reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                _globalStatus &= ~value;
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalStatusSet or MsrId.MsrAmd64PerfCntrGlobalStatusSet:
                if ((value & facts.Reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                _globalStatus |= value;
                return MsrAccessResult.Ok;
            case MsrId.MsrPerfMetrics:
                // Software resets the metrics by writing 0 here and to FIXED_CTR3 (SDM 21.3.9.3).
                System.Array.Clear(_topdown);
                return MsrAccessResult.Ok;
            default:
                return (value & facts.Reserved) != 0 ? MsrAccessResult.GeneralProtection : MsrAccessResult.Ok;
        }
    }

    private static MsrAccessResult Store(ref ulong target, ulong value, ulong reserved)
    {
        if ((value & reserved) != 0)
        {
            return MsrAccessResult.GeneralProtection;
        }

        target = value;
        return MsrAccessResult.Ok;
    }

    /// <summary>PERF_METRICS: each level-1 fraction of the slots, scaled to 0..255.</summary>
    private ulong PerfMetricsValue()
    {
        ulong total = _topdown[0] + _topdown[1] + _topdown[2] + _topdown[3];
        if (total == 0)
        {
            return 0;
        }

        return MsrPerfMetrics.Zero
            .WithRetiring(Fraction(_topdown[0], total))
            .WithBadSpec(Fraction(_topdown[1], total))
            .WithFeBound(Fraction(_topdown[2], total))
            .WithBeBound(Fraction(_topdown[3], total)).Value;
    }

    internal static byte Fraction(ulong part, ulong total) => (byte)((System.UInt128)part * 255 / total);

    /// <summary>
    /// Overflow bits on PMUs without a global status register (version 1): the handler learns
    /// them by reading each counter, which is counted as one RDPMC per counter; the bits then clear.
    /// </summary>
    internal ulong PendingStatusForV1()
    {
        SettlePendingMoves();
        for (int i = 0; i < _gp.Length; i++)
        {
            Rdpmc((uint)i, out _);
        }

        ulong status = _globalStatus;
        _globalStatus = 0;
        return status;
    }

    /// <summary>A counter's value for the simulator's own bookkeeping (not an access: nothing is counted). GP i, or 32 + fixed i.</summary>
    internal ulong PeekCounter(int counter)
    {
        SettlePendingMoves();
        return counter >= 32 ? (counter - 32 < _fixed.Length ? _fixed[counter - 32] : 0) : counter < _gp.Length ? _gp[counter] : 0;
    }
}
