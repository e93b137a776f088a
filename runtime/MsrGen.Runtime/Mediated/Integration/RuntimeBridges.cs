using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;

namespace MsrGen.Runtime.Mediated.Integration;

/// <summary>
/// The runtime's physical PMU seen through <see cref="IPmuHardware"/>: host accesses go through
/// its counted RDMSR/WRMSR/RDPMC (so VM metrics and the cost table see them), and LVTPC writes
/// go through host perf's perf_load/put_guest_lvtpc so its NMI handler knows who owns the vector.
/// </summary>
internal sealed class PhysicalPmuBridge : IPmuHardware
{
    private readonly PhysicalPmu _pmu;
    private readonly HostPerfContext _perf;

    public PhysicalPmuBridge(PhysicalPmu pmu, HostPerfContext perf)
    {
        _pmu = pmu;
        _perf = perf;
    }

    public PmuCaps Caps => _pmu.Caps;

    /// <summary>The physical PMU behind this bridge (for its bulk operations).</summary>
    internal PhysicalPmu Pmu => _pmu;

    public ulong ReadMsr(uint address)
    {
        _pmu.ReadMsr(address, out ulong value);
        return value;
    }

    public void WriteMsr(uint address, ulong value) => _pmu.WriteMsr(address, value);

    public bool TryRdpmc(uint ecx, out ulong value) => _pmu.Rdpmc(ecx, out value) == MsrAccessResult.Ok;

    public uint Lvtpc
    {
        get => _pmu.Lvtpc;
        set
        {
            _pmu.CountLvtpcWrite();
            if ((value & LvtpcValues.DeliveryModeMask) == LvtpcValues.DeliveryNmi)
            {
                _perf.PutGuestLvtpc();
            }
            else
            {
                _perf.LoadGuestLvtpc(value);
            }
        }
    }
}

/// <summary>perf_load/put_guest_context of the runtime's host perf.</summary>
internal sealed class HostPerfContextBridge : IGuestContextHost
{
    private readonly HostPerfContext _perf;

    public HostPerfContextBridge(HostPerfContext perf) => _perf = perf;

    /// <summary>Host perf has no event on this CPU: its guest-context put and load write no register.</summary>
    internal bool HostIdle => _perf.HasNoEvents;

    public bool LoadGuestContext()
    {
        bool anyActive = false;
        var events = _perf.Events;
        for (int i = 0; i < events.Count; i++)
        {
            anyActive |= events[i].State == PerfEventState.Active;
        }

        _perf.LoadGuestContext();
        return anyActive;
    }

    public void PutGuestContext() => _perf.PutGuestContext();
}

/// <summary>
/// The runtime's perf accounting hook backed by <see cref="MediatedPmuAccounting"/>. Installed once
/// per host when the first mediated VM appears; events that already exist are counted then, so a
/// later release never underflows.
/// </summary>
public sealed class MediatedAccountingHook : IMediatedPmuAccounting
{
    public MediatedAccountingHook(MediatedPmuAccounting accounting) => Accounting = accounting;

    public MediatedPmuAccounting Accounting { get; }

    public PerfError OnEventCreate(PerfEventAttr attr) =>
        Accounting.AccountEvent(pmuSupportsMediated: true, attr.ExcludeGuest) == AccountingResult.Ok ? PerfError.None : PerfError.Eopnotsupp;

    public void OnEventRelease(PerfEventAttr attr) => Accounting.UnaccountEvent(pmuSupportsMediated: true, attr.ExcludeGuest);

    public PerfError OnMediatedPmuCreate() =>
        Accounting.CreateMediatedPmu() == AccountingResult.Ok ? PerfError.None : PerfError.Ebusy;

    public void OnMediatedPmuRelease() => Accounting.ReleaseMediatedPmu();

    /// <summary>The host's hook, installing it (and counting existing include-guest events) on first use.</summary>
    public static MediatedAccountingHook For(Kvm.HostMachine host)
    {
        if (host.Accounting is MediatedAccountingHook existing)
        {
            return existing;
        }

        var hook = new MediatedAccountingHook(new MediatedPmuAccounting());
        foreach (var cpu in host.Cpus)
        {
            foreach (var ev in cpu.Perf.Events)
            {
                hook.Accounting.AccountEvent(pmuSupportsMediated: true, ev.Attr.ExcludeGuest);
            }
        }

        host.Accounting = hook;
        return hook;
    }
}
