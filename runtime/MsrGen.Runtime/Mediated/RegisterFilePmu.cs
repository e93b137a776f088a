using System;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

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

    /// <summary>The registers this PMU implements, decoded from the generated address constants.</summary>
    private enum Reg : byte
    {
        None,
        LegacyCounter,
        FullWidthCounter,
        EventSelect,
        FixedCounter,
        FixedCtrl,
        GlobalCtrl,
        GlobalStatus,
        StatusReset,
        StatusSet,
    }

    // Decoding without the catalog's general lookup keeps the switch path branch-only and allocation-free.
    private Reg Decode(uint address, out int index)
    {
        int gp = _gp.Length;
        if (Caps.IsIntel)
        {
            if (InArray(address, Ia32Pmc.BaseAddress, Ia32Pmc.Stride, gp, out index))
            {
                return Reg.LegacyCounter;
            }

            if (InArray(address, Ia32APmc.BaseAddress, Ia32APmc.Stride, gp, out index))
            {
                return Reg.FullWidthCounter;
            }

            if (InArray(address, Ia32Perfevtsel.BaseAddress, Ia32Perfevtsel.Stride, gp, out index))
            {
                return Reg.EventSelect;
            }

            if (InArray(address, Ia32FixedCtr.BaseAddress, Ia32FixedCtr.Stride, _fixed.Length, out index))
            {
                return Reg.FixedCounter;
            }

            index = 0;
            return address switch
            {
                Ia32FixedCtrCtrl.Address => Reg.FixedCtrl,
                Ia32PerfGlobalCtrl.Address => Reg.GlobalCtrl,
                Ia32PerfGlobalStatus.Address => Reg.GlobalStatus,
                Ia32PerfGlobalOvfCtrl.Address => Reg.StatusReset,
                Ia32PerfGlobalStatusSet.Address when Caps.Version >= 4 => Reg.StatusSet,
                _ => Reg.None,
            };
        }

        if (InArray(address, MsrF15hPerfCtr.BaseAddress, MsrF15hPerfCtr.Stride, gp, out index) ||
            InArray(address, MsrK7Perfctr.BaseAddress, MsrK7Perfctr.Stride, Math.Min(gp, MsrK7Perfctr.Maximum), out index))
        {
            return Reg.FullWidthCounter;
        }

        if (InArray(address, MsrF15hPerfCtl.BaseAddress, MsrF15hPerfCtl.Stride, gp, out index) ||
            InArray(address, MsrK7Evntsel.BaseAddress, MsrK7Evntsel.Stride, Math.Min(gp, MsrK7Evntsel.Maximum), out index))
        {
            return Reg.EventSelect;
        }

        index = 0;
        return address switch
        {
            MsrAmd64PerfCntrGlobalCtl.Address => Reg.GlobalCtrl,
            MsrAmd64PerfCntrGlobalStatus.Address => Reg.GlobalStatus,
            MsrAmd64PerfCntrGlobalStatusClr.Address => Reg.StatusReset,
            MsrAmd64PerfCntrGlobalStatusSet.Address => Reg.StatusSet,
            _ => Reg.None,
        };
    }

    private static bool InArray(uint address, uint baseAddress, uint stride, int count, out int index)
    {
        uint delta = address - baseAddress;
        if (delta % stride == 0 && delta / stride < (uint)count)
        {
            index = (int)(delta / stride);
            return true;
        }

        index = -1;
        return false;
    }

    public ulong ReadMsr(uint address) => Decode(address, out int i) switch
    {
        Reg.LegacyCounter or Reg.FullWidthCounter => _gp[i],
        Reg.EventSelect => _evtsel[i],
        Reg.FixedCounter => _fixed[i],
        Reg.FixedCtrl => _fixedCtrl,
        Reg.GlobalCtrl => _globalCtrl,
        Reg.GlobalStatus => _globalStatus,
        Reg.StatusReset or Reg.StatusSet => 0,
        _ => throw Unknown(address),
    };

    public void WriteMsr(uint address, ulong value)
    {
        switch (Decode(address, out int i))
        {
            // Intel's legacy alias writes the low 32 bits sign-extended; full-width aliases write all bits.
            case Reg.LegacyCounter:
                _gp[i] = (ulong)(long)(int)(uint)value & GpMask;
                break;
            case Reg.FullWidthCounter:
                _gp[i] = value & GpMask;
                break;
            case Reg.EventSelect:
                _evtsel[i] = value;
                break;
            case Reg.FixedCounter:
                _fixed[i] = value & FixedMask;
                break;
            case Reg.FixedCtrl:
                _fixedCtrl = value;
                break;
            case Reg.GlobalCtrl:
                _globalCtrl = value;
                break;
            case Reg.StatusReset:
                _globalStatus &= ~value;
                break;
            case Reg.StatusSet:
                _globalStatus |= value;
                break;
            default:
                throw Unknown(address);
        }
    }

    /// <summary>
    /// A guest WRMSR the MSR bitmap let through: the hardware's own checks apply (reserved bits of
    /// this CPU's registers, a full-width counter write above the counter width), so an illegal
    /// value is a #GP for the guest, never an exception.
    /// </summary>
    public MsrAccessResult GuestWrite(uint address, ulong value)
    {
        if (!MsrCatalog.TryFind(address, out var reg) || Decode(address, out _) == Reg.None)
        {
            return MsrAccessResult.GeneralProtection;
        }

        bool counter = reg.Id is MsrId.Ia32Pmc or MsrId.Ia32FixedCtr or MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr;
        if (!counter && (value & MsrCatalog.ReservedMask(reg, Caps)) != 0)
        {
            return MsrAccessResult.GeneralProtection;
        }

        WriteMsr(address, value);
        return MsrAccessResult.Ok;
    }

    /// <summary>A guest RDMSR the MSR bitmap let through.</summary>
    public MsrAccessResult GuestRead(uint address, out ulong value)
    {
        if (Decode(address, out _) == Reg.None)
        {
            value = 0;
            return MsrAccessResult.GeneralProtection;
        }

        value = ReadMsr(address);
        return MsrAccessResult.Ok;
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

    private static InvalidOperationException Unknown(uint address) =>
        new($"host access to MSR 0x{address:X} which this physical PMU does not implement (a bug in the caller)");
}
