using System;
using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Mediated;

/// <summary>
/// What the mediated vPMU needs from a physical CPU's PMU: the instructions KVM executes on the
/// host (RDMSR, WRMSR, RDPMC) and the local APIC's LVTPC entry. A fake implements it in tests; the
/// runtime's physical PMU implements it for scenarios.
/// </summary>
public interface IPmuHardware
{
    PmuCaps Caps { get; }

    ulong ReadMsr(uint address);

    void WriteMsr(uint address, ulong value);

    /// <summary>RDPMC with this ECX; false when the index names no counter (a #GP on hardware).</summary>
    bool TryRdpmc(uint ecx, out ulong value);

    /// <summary>The APIC LVT performance-counter entry (x2APIC MSR 0x834 on hardware).</summary>
    uint Lvtpc { get; set; }
}

/// <summary>The kinds of physical PMU operation a switch performs.</summary>
public enum PmuOp : byte
{
    Rdmsr,
    Wrmsr,
    Rdpmc,
    LvtpcWrite,
    /// <summary>GLOBAL_CTRL moved by VM-entry / VM-exit controls (no instruction, VMCS field).</summary>
    VmcsGlobalCtrl,
}

/// <summary>One physical access as the order tests see it.</summary>
public readonly record struct PmuAccessRecord(PmuOp Op, uint Address, ulong Value);

/// <summary>
/// An MSR address with its catalog lookup on the runtime's physical PMU, done once (a world switch
/// touches the same few registers every time); on other hardware only the address is used.
/// </summary>
internal readonly record struct PmuRegister(uint Address, bool Known, MsrRef Register);

/// <summary>Counts of physical operations (a value type so snapshots and differences are free).</summary>
public readonly record struct PmuOpCounts(long Rdmsr, long Wrmsr, long Rdpmc, long LvtpcWrites, long VmcsGlobalCtrl)
{
    /// <summary>Instructions that touch PMU state: RDMSR + WRMSR + RDPMC + LVTPC writes.</summary>
    public long Total => Rdmsr + Wrmsr + Rdpmc + LvtpcWrites;

    public static PmuOpCounts operator -(PmuOpCounts a, PmuOpCounts b) =>
        new(a.Rdmsr - b.Rdmsr, a.Wrmsr - b.Wrmsr, a.Rdpmc - b.Rdpmc, a.LvtpcWrites - b.LvtpcWrites, a.VmcsGlobalCtrl - b.VmcsGlobalCtrl);

    public static PmuOpCounts operator +(PmuOpCounts a, PmuOpCounts b) =>
        new(a.Rdmsr + b.Rdmsr, a.Wrmsr + b.Wrmsr, a.Rdpmc + b.Rdpmc, a.LvtpcWrites + b.LvtpcWrites, a.VmcsGlobalCtrl + b.VmcsGlobalCtrl);
}

/// <summary>
/// The one door through which host code (KVM and host perf) touches the physical PMU: every
/// operation is counted, and when a trace is attached, recorded in order. Guest-mode accesses to
/// passed-through registers do not come through here; they are the guest's own instructions.
/// </summary>
public sealed class PmuAccess
{
    private long _rdmsr, _wrmsr, _rdpmc, _lvtpc, _vmcs;

    // The runtime's bridge, when that is the hardware: calls through the sealed type are direct
    // (and inlined) where the interface would dispatch on every one of a switch's few dozen accesses.
    private readonly Integration.PhysicalPmuBridge? _bridge;

    public PmuAccess(IPmuHardware hardware)
    {
        Hardware = hardware;
        _bridge = hardware as Integration.PhysicalPmuBridge;
    }

    public IPmuHardware Hardware { get; }

    /// <summary>When set, every operation is appended (tests of switch order); null costs nothing.</summary>
    public List<PmuAccessRecord>? Trace { get; set; }

    public PmuOpCounts Counts => new(_rdmsr, _wrmsr, _rdpmc, _lvtpc, _vmcs);

    /// <summary>Adds the counts of a replayed switch (what its single accesses would have counted).</summary>
    internal void AddReplayed(PmuOpCounts counts)
    {
        _rdmsr += counts.Rdmsr;
        _wrmsr += counts.Wrmsr;
        _rdpmc += counts.Rdpmc;
        _lvtpc += counts.LvtpcWrites;
        _vmcs += counts.VmcsGlobalCtrl;
    }

    /// <summary>Adds <paramref name="times"/> × <paramref name="perStep"/> (a run of identical exits in closed form).</summary>
    internal void AddRepeated(PmuOpCounts perStep, ulong times)
    {
        _rdmsr = MediatedVpmu.Repeated(_rdmsr, perStep.Rdmsr, times);
        _wrmsr = MediatedVpmu.Repeated(_wrmsr, perStep.Wrmsr, times);
        _rdpmc = MediatedVpmu.Repeated(_rdpmc, perStep.Rdpmc, times);
        _lvtpc = MediatedVpmu.Repeated(_lvtpc, perStep.LvtpcWrites, times);
        _vmcs = MediatedVpmu.Repeated(_vmcs, perStep.VmcsGlobalCtrl, times);
    }

    /// <summary>
    /// The runtime's physical PMU when a switch may use its bulk operations instead of single
    /// accesses: it is the hardware, and no trace records the order of the accesses (a bulk
    /// operation has the same effect and counts, but not the same interleaving). Null otherwise.
    /// </summary>
    internal PhysicalPmu? BulkPmu => Trace is null ? _bridge?.Pmu : null;

    /// <summary>The runtime's physical PMU, whether or not a trace is attached (to plan bulk operations once).</summary>
    internal PhysicalPmu? PlanningPmu => _bridge?.Pmu;

    /// <summary>
    /// <see cref="PhysicalPmu.SaveAndClearCounters"/> counted here as its single accesses would be:
    /// one RDPMC per counter and its WRMSRs.
    /// </summary>
    internal void SaveAndClearCounters(PhysicalPmu pmu, PhysicalPmu.CounterBank bank, Span<ulong> gp, ReadOnlySpan<ulong> selectsHw, Span<ulong> fixedCounters)
    {
        _wrmsr += pmu.SaveAndClearCounters(bank, gp, selectsHw, fixedCounters);
        _rdpmc += gp.Length + fixedCounters.Length;
    }

    /// <summary><see cref="PhysicalPmu.RestoreCounters"/> counted here as its single accesses would be.</summary>
    internal void RestoreCounters(PhysicalPmu pmu, PhysicalPmu.CounterBank bank, ReadOnlySpan<ulong> gp, ReadOnlySpan<ulong> selectsHw,
        ReadOnlySpan<ulong> fixedCounters, ulong gpMask, ulong fixedMask, bool readFirst)
    {
        _wrmsr += pmu.RestoreCounters(bank, gp, selectsHw, fixedCounters, gpMask, fixedMask, readFirst, out long rdpmcs);
        _rdpmc += rdpmcs;
    }

    /// <summary>Looks <paramref name="address"/> up once for <see cref="Rdmsr(PmuRegister)"/> and <see cref="Wrmsr(PmuRegister, ulong)"/>.</summary>
    internal PmuRegister Resolve(uint address)
    {
        bool known = MsrCatalog.TryFind(address, _bridge?.Pmu.Profile ?? MsrProfile.Upstream, out var register);
        return new PmuRegister(address, known, register);
    }

    /// <summary><see cref="Rdmsr(uint)"/> of a register looked up once: the same access, count and trace record.</summary>
    internal ulong Rdmsr(PmuRegister register)
    {
        _rdmsr++;
        ulong value;
        if (_bridge is { } bridge)
        {
            bridge.Pmu.ReadMsr(register.Known, register.Register, out value);
        }
        else
        {
            value = Hardware.ReadMsr(register.Address);
        }

        Trace?.Add(new PmuAccessRecord(PmuOp.Rdmsr, register.Address, value));
        return value;
    }

    /// <summary><see cref="Wrmsr(uint, ulong)"/> of a register looked up once.</summary>
    internal void Wrmsr(PmuRegister register, ulong value)
    {
        _wrmsr++;
        Trace?.Add(new PmuAccessRecord(PmuOp.Wrmsr, register.Address, value));
        if (_bridge is { } bridge)
        {
            bridge.Pmu.WriteMsr(register.Known, register.Register, value);
        }
        else
        {
            Hardware.WriteMsr(register.Address, value);
        }
    }

    /// <summary>A physical RDMSR of a register not looked up beforehand (the switch's own registers are, once per vCPU).</summary>
    public ulong Rdmsr(uint address) => Rdmsr(Resolve(address));

    /// <summary>A physical WRMSR of a register not looked up beforehand.</summary>
    public void Wrmsr(uint address, ulong value) => Wrmsr(Resolve(address), value);

    public ulong Rdpmc(uint ecx)
    {
        _rdpmc++;
        ulong value;
        if (_bridge is { } bridge)
        {
            bridge.TryRdpmc(ecx, out value);
        }
        else
        {
            Hardware.TryRdpmc(ecx, out value);
        }

        Trace?.Add(new PmuAccessRecord(PmuOp.Rdpmc, ecx, value));
        return value;
    }

    public void WriteLvtpc(uint value)
    {
        _lvtpc++;
        Trace?.Add(new PmuAccessRecord(PmuOp.LvtpcWrite, 0, value));
        Hardware.Lvtpc = value;
    }

    /// <summary>VM-entry's "load IA32_PERF_GLOBAL_CTRL" control.</summary>
    public void VmEntryLoadGlobalCtrl(uint address, ulong value)
    {
        _vmcs++;
        Trace?.Add(new PmuAccessRecord(PmuOp.VmcsGlobalCtrl, address, value));
        Hardware.WriteMsr(address, value);
    }

    /// <summary>VM-exit's "save IA32_PERF_GLOBAL_CTRL" then "load IA32_PERF_GLOBAL_CTRL" (host value).</summary>
    public ulong VmExitSwapGlobalCtrl(uint address, ulong hostValue)
    {
        _vmcs++;
        ulong guest = Hardware.ReadMsr(address);
        Hardware.WriteMsr(address, hostValue);
        Trace?.Add(new PmuAccessRecord(PmuOp.VmcsGlobalCtrl, address, hostValue));
        return guest;
    }
}
