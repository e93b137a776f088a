using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;

namespace MsrGen.Runtime.Kvm;

/// <summary>vpmu=off: the guest has no PMU (CPUID.0AH.EAX = 0); every PMU MSR and RDPMC faults.</summary>
public sealed class NoVpmu : IVpmu, IRepeatableCounters
{
    public static NoVpmu Instance { get; } = new();

    public VpmuMode Mode => VpmuMode.Off;
    public bool InterceptsRdpmc => true;

    public bool IsValidMsr(MsrRef register, bool hostInitiated) => false;

    /// <summary>No counters: a run of exits only adds to the metrics.</summary>
    public int RepeatableCounterCount => 0;

    public void ReadRepeatableCounters(System.Span<ulong> values)
    {
    }

    public ulong RepeatableCounterMask(int index) => throw new System.ArgumentOutOfRangeException(nameof(index));

    public bool RepeatableCounterWrapIsSilent(int index) => throw new System.ArgumentOutOfRangeException(nameof(index));

    public void AddToRepeatableCounters(System.ReadOnlySpan<ulong> deltas)
    {
    }

    public MsrAccessResult GetMsr(MsrRef register, out ulong value)
    {
        value = 0;
        return MsrAccessResult.GeneralProtection;
    }

    public MsrAccessResult SetMsr(MsrRef register, ulong value, bool hostInitiated) => MsrAccessResult.GeneralProtection;

    public MsrAccessResult Rdpmc(uint ecx, out ulong value)
    {
        value = 0;
        return MsrAccessResult.GeneralProtection;
    }

    public MsrAccessResult PassthroughRead(MsrRef register, out ulong value)
    {
        value = 0;
        return MsrAccessResult.GeneralProtection;
    }

    public MsrAccessResult PassthroughWrite(MsrRef register, ulong value) => MsrAccessResult.GeneralProtection;

    public bool OnEmulatedEvent(EmulatedEvent kind) => false;

    public void BeforeGuestRun(EventBatch batch, int cpl)
    {
    }

    public void AfterGuestRun(EventBatch batch, int cpl)
    {
    }

    public void HandlePmuRequest()
    {
    }

    public void BeforeRunLoop()
    {
    }

    public void BeforeVmEntry()
    {
    }

    public ulong? EntryGlobalCtrl() => null;

    public void AfterVmExit(VmExitKind kind)
    {
    }

    public void AfterRunLoop()
    {
    }

    public void SchedIn()
    {
    }

    public void SchedOut()
    {
    }

    public void ReturnToUserspace()
    {
    }

    public void OnFirstRun()
    {
    }

    public void OnEventFilterChanged()
    {
    }

    public void OnPmiDelivered()
    {
    }

    public void Destroy()
    {
    }
}

/// <summary>Factory of <see cref="NoVpmu"/>.</summary>
public sealed class NoVpmuFactory : IVpmuFactory
{
    public VpmuMode Mode => VpmuMode.Off;

    public KvmPmuCapabilities Supported(HostMachine host, VmRequest request) => new(0, 0, 0, 0, 0, 0);

    public string? Validate(HostMachine host, VmConfig config) => null;

    public PerfError TryCreate(Vcpu vcpu, out IVpmu? vpmu)
    {
        vpmu = NoVpmu.Instance;
        return PerfError.None;
    }
}
