using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated;

/// <summary>
/// A small physical PMU: the architectural registers of one CPU (Intel v2+ or AMD PerfMonV2),
/// counting by the event-select filters, overflow into GLOBAL_STATUS and a PMI through LVTPC.
/// It is what the mediated world switch and the placement comparison run on; anything with the
/// same register behaviour (the runtime's physical PMU) can take its place through
/// <see cref="IPmuHardware"/>.
/// </summary>
public sealed class RegisterFilePmu : IPmuHardware
{
    /// <summary>RDPMC ECX bit 30 selects the fixed counters (INTEL_PMC_FIXED_RDPMC_BASE).</summary>
    public const uint FixedRdpmcBase = 1u << 30;
    /// <summary>RDPMC ECX bit 31: "fast" read of the low 32 bits.</summary>
    public const uint FastRdpmc = 1u << 31;

    private readonly ulong[] _gp;
    private readonly ulong[] _evtsel;
    private readonly ulong[] _fixed;
    private ulong _fixedCtrl;
    private ulong _globalCtrl;
    private ulong _globalStatus;

    public RegisterFilePmu(PmuCaps caps)
    {
        if (caps.Version < 2)
        {
            throw new ArgumentException("the physical PMU model needs global control (Intel v2+, AMD PerfMonV2)", nameof(caps));
        }

        Caps = caps;
        _gp = new ulong[caps.GpCounters];
        _evtsel = new ulong[caps.GpCounters];
        _fixed = new ulong[caps.IsIntel ? caps.FixedCounters : 0];
        Lvtpc = LvtpcValues.DeliveryNmi;
    }

    public PmuCaps Caps { get; }

    public uint Lvtpc { get; set; }

    /// <summary>Called with the LVTPC entry in force when a counter with its interrupt bit overflows and LVTPC is unmasked.</summary>
    public Action<uint>? PmiRaised { get; set; }

    /// <summary>PMIs delivered through LVTPC.</summary>
    public long Pmis { get; private set; }

    public ulong GlobalCtrl => _globalCtrl;
    public ulong GlobalStatus => _globalStatus;
    public ulong FixedCtrCtrl => _fixedCtrl;
    public ulong GpCounter(int i) => _gp[i];
    public ulong EventSelect(int i) => _evtsel[i];
    public ulong FixedCounter(int i) => _fixed[i];

    private ulong GpMask => Caps.GpCounterMask;
    private ulong FixedMask => Caps.FixedCounterMask;

    public ulong ReadMsr(uint address)
    {
        if (!MsrCatalog.TryFind(address, out var reg))
        {
            throw Unknown(address);
        }

        int i = reg.Index;
        return reg.Id switch
        {
            MsrId.Ia32Pmc or MsrId.Ia32APmc when Gp(i) => _gp[i],
            MsrId.Ia32Perfevtsel when Gp(i) => _evtsel[i],
            MsrId.Ia32FixedCtr when (uint)i < (uint)_fixed.Length => _fixed[i],
            MsrId.Ia32FixedCtrCtrl when Caps.IsIntel => _fixedCtrl,
            MsrId.Ia32PerfGlobalCtrl when Caps.IsIntel => _globalCtrl,
            MsrId.Ia32PerfGlobalStatus when Caps.IsIntel => _globalStatus,
            MsrId.Ia32PerfGlobalOvfCtrl or MsrId.Ia32PerfGlobalStatusSet when Caps.IsIntel => 0,
            MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr when Gp(i) && Caps.IsAmd => _gp[i],
            MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl when Gp(i) && Caps.IsAmd => _evtsel[i],
            MsrId.MsrAmd64PerfCntrGlobalCtl when Caps.IsAmd => _globalCtrl,
            MsrId.MsrAmd64PerfCntrGlobalStatus when Caps.IsAmd => _globalStatus,
            MsrId.MsrAmd64PerfCntrGlobalStatusClr or MsrId.MsrAmd64PerfCntrGlobalStatusSet when Caps.IsAmd => 0,
            _ => throw Unknown(address),
        };
    }

    public void WriteMsr(uint address, ulong value)
    {
        if (!MsrCatalog.TryFind(address, out var reg))
        {
            throw Unknown(address);
        }

        int i = reg.Index;
        switch (reg.Id)
        {
            // The legacy alias writes the low 32 bits sign-extended; the full-width alias writes all bits.
            case MsrId.Ia32Pmc when Gp(i) && Caps.IsIntel:
                _gp[i] = (ulong)(long)(int)(uint)value & GpMask;
                break;
            case MsrId.Ia32APmc when Gp(i) && Caps.IsIntel:
                _gp[i] = value & GpMask;
                break;
            case MsrId.Ia32Perfevtsel when Gp(i) && Caps.IsIntel:
                _evtsel[i] = value;
                break;
            case MsrId.Ia32FixedCtr when (uint)i < (uint)_fixed.Length:
                _fixed[i] = value & FixedMask;
                break;
            case MsrId.Ia32FixedCtrCtrl when Caps.IsIntel:
                _fixedCtrl = value;
                break;
            case MsrId.Ia32PerfGlobalCtrl when Caps.IsIntel:
                _globalCtrl = value;
                break;
            case MsrId.Ia32PerfGlobalOvfCtrl when Caps.IsIntel:
                _globalStatus &= ~value;
                break;
            case MsrId.Ia32PerfGlobalStatusSet when Caps.IsIntel && Caps.Version >= 4:
                _globalStatus |= value;
                break;
            case MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr when Gp(i) && Caps.IsAmd:
                _gp[i] = value & GpMask;
                break;
            case MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl when Gp(i) && Caps.IsAmd:
                _evtsel[i] = value;
                break;
            case MsrId.MsrAmd64PerfCntrGlobalCtl when Caps.IsAmd:
                _globalCtrl = value;
                break;
            case MsrId.MsrAmd64PerfCntrGlobalStatusClr when Caps.IsAmd:
                _globalStatus &= ~value;
                break;
            case MsrId.MsrAmd64PerfCntrGlobalStatusSet when Caps.IsAmd:
                _globalStatus |= value;
                break;
            default:
                throw Unknown(address);
        }
    }

    public bool TryRdpmc(uint ecx, out ulong value)
    {
        bool fast = Caps.IsIntel && (ecx & FastRdpmc) != 0;
        uint index = ecx & ~(FastRdpmc | FixedRdpmcBase);
        if (Caps.IsIntel && (ecx & FixedRdpmcBase) != 0)
        {
            if (index >= (uint)_fixed.Length)
            {
                value = 0;
                return false;
            }

            value = _fixed[index];
        }
        else if (index < (uint)_gp.Length)
        {
            value = _gp[index];
        }
        else
        {
            value = 0;
            return false;
        }

        if (fast)
        {
            value &= 0xFFFF_FFFF;
        }

        return true;
    }

    /// <summary>
    /// Retires <paramref name="count"/> occurrences of <paramref name="eventSelect"/> (event and
    /// umask in event-select layout) in guest or host mode at a privilege level: every enabled
    /// counter that matches advances, and each overflow sets its status bit and, when the counter
    /// asks for an interrupt, raises a PMI.
    /// </summary>
    public void Retire(ulong eventSelect, ulong count, bool guestMode, bool kernelMode)
    {
        if (count == 0)
        {
            return;
        }

        ulong identity = Caps.IsAmd ? PmuEventSelect.AmdIdentityMask : PmuEventSelect.IntelIdentityMask;
        for (int i = 0; i < _gp.Length; i++)
        {
            ulong sel = _evtsel[i];
            if ((_globalCtrl & (1UL << i)) == 0 || !PmuEventSelect.IsEnabled(sel) || (sel & identity) != (eventSelect & identity) ||
                !PmuEventSelect.CountsAtPrivilege(sel, kernelMode) || (Caps.IsAmd && !PmuEventSelect.AmdCountsInMode(sel, guestMode)))
            {
                continue;
            }

            Advance(ref _gp[i], count, GpMask, i, PmuEventSelect.WantsInterrupt(sel));
        }

        for (int i = 0; i < _fixed.Length; i++)
        {
            if ((_globalCtrl & (1UL << (32 + i))) == 0 || PmuEventSelect.FixedCounterEvent(i) != (eventSelect & PmuEventSelect.IntelIdentityMask) ||
                !PmuEventSelect.FixedCountsAtPrivilege(_fixedCtrl, i, kernelMode))
            {
                continue;
            }

            Advance(ref _fixed[i], count, FixedMask, 32 + i, PmuEventSelect.FixedWantsInterrupt(_fixedCtrl, i));
        }
    }

    private void Advance(ref ulong counter, ulong count, ulong mask, int statusBit, bool interrupt)
    {
        ulong room = mask - counter;
        if (count <= room)
        {
            counter += count;
            return;
        }

        counter = (count - room - 1) & mask;
        _globalStatus |= 1UL << statusBit;
        if (interrupt && !LvtpcValues.IsMasked(Lvtpc))
        {
            Pmis++;
            PmiRaised?.Invoke(Lvtpc);
        }
    }

    private bool Gp(int i) => (uint)i < (uint)_gp.Length;

    private static InvalidOperationException Unknown(uint address) =>
        new($"host access to MSR 0x{address:X} which this physical PMU does not implement (a bug in the caller)");
}
