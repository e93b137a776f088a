using System;
using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;

namespace MsrGen.Runtime.Kvm;

/// <summary>One physical CPU: its PMU and host perf's context on it.</summary>
public sealed class PhysicalCpu
{
    internal PhysicalCpu(int index, PhysicalPmu pmu, HostPerfContext perf)
    {
        Index = index;
        Pmu = pmu;
        Perf = perf;
        Lbr = new Lbr.LbrStack(pmu.Caps);
    }

    public int Index { get; }
    public PhysicalPmu Pmu { get; }
    public HostPerfContext Perf { get; }

    /// <summary>This CPU's LBR stack (Intel SDM Vol. 3B, "Last Branch Records"): whatever runs here, host or guest, records into it.</summary>
    public Lbr.LbrStack Lbr { get; }

    /// <summary>The vCPU whose guest state is loaded on this CPU (between VM-entry and VM-exit), if any.</summary>
    public Vcpu? RunningVcpu { get; internal set; }
}

/// <summary>
/// KVM module parameters that change vPMU behaviour, and the host perf and VMX facts KVM checks
/// next to them at module init (kvm_init_pmu_capability()): one type for all of them.
/// </summary>
public sealed record KvmModuleParameters
{
    /// <summary>enable_pmu (default on).</summary>
    public bool EnablePmu { get; init; } = true;
    /// <summary>enable_mediated_pmu (default off).</summary>
    public bool EnableMediatedPmu { get; init; }
    /// <summary>enable_vmware_backdoor (default off).</summary>
    public bool VmwareBackdoor { get; init; }
    /// <summary>kvm_intel pt_mode=1 (host-guest): guests get Intel PT and GLOBAL_STATUS.TRACE_TOPA_PMI (default off, pt_mode=0).</summary>
    public bool PtHostGuest { get; init; }
    /// <summary>Host perf's core PMU supports mediated vPMUs (PERF_PMU_CAP_MEDIATED_VPMU; default on).</summary>
    public bool PerfSupportsMediated { get; init; } = true;
    /// <summary>The CPU has the VM-entry/VM-exit controls that load and save IA32_PERF_GLOBAL_CTRL (default on).</summary>
    public bool VmEntryLoadsGlobalCtrl { get; init; } = true;
}

/// <summary>
/// The host: one CPU model, a shared simulated clock, physical CPUs created on demand (vCPU n runs
/// on CPU n), host perf on each, KVM's module parameters, the cost table, and the VMs.
/// </summary>
public sealed class HostMachine
{
    private readonly List<PhysicalCpu> _cpus = new();
    private readonly List<Vm> _vms = new();
    private IMediatedPmuAccounting _accounting = AlwaysAllowMediatedPmuAccounting.Instance;

    public HostMachine(HostCpuModel model, KvmModuleParameters? parameters = null, CostTable? costs = null)
    {
        Model = model;
        Parameters = parameters ?? new KvmModuleParameters();
        Costs = costs ?? new CostTable();
    }

    public HostCpuModel Model { get; }
    public PmuCaps Caps => Model.Caps;
    public KvmModuleParameters Parameters { get; }

    /// <summary>
    /// Whether mediated vPMUs replay an unchanged run-loop world switch instead of performing it
    /// register by register (an optimisation of the simulator: both give the same registers,
    /// counts and costs; tests turn it off to compare).
    /// </summary>
    internal bool ReplaySwitches { get; init; } = true;
    public bool EnablePmu => Parameters.EnablePmu;
    public SimClock Clock { get; } = new();
    public CostTable Costs { get; }
    public IReadOnlyList<Vm> Vms => _vms;

    /// <summary>perf's mediated-PMU bookkeeping shared by all CPUs; the mediated design installs its own.</summary>
    public IMediatedPmuAccounting Accounting
    {
        get => _accounting;
        set
        {
            _accounting = value ?? AlwaysAllowMediatedPmuAccounting.Instance;
            foreach (var cpu in _cpus)
            {
                cpu.Perf.Accounting = _accounting;
            }
        }
    }

    /// <summary>Design-specific state that lives once per host (keyed by the design's own type).</summary>
    public Dictionary<Type, object> Extensions { get; } = new();

    public PhysicalCpu Cpu(int index)
    {
        if (index < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        while (_cpus.Count <= index)
        {
            var pmu = new PhysicalPmu(Caps, Clock);
            var perf = new HostPerfContext(_cpus.Count, pmu, _accounting);
            _cpus.Add(new PhysicalCpu(_cpus.Count, pmu, perf));
        }

        return _cpus[index];
    }

    public IReadOnlyList<PhysicalCpu> Cpus => _cpus;

    internal void Add(Vm vm) => _vms.Add(vm);

    internal void Remove(Vm vm) => _vms.Remove(vm);
}
