using System.Collections.Generic;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Runner;

/// <summary>
/// Host perf LBR users (<c>host perf open NAME EVENT lbr pinned</c>): a CPU-pinned branch-stack
/// event outranks KVM's task-pinned guest LBR event, so while it is enabled on a CPU the guest
/// LBR event of every vCPU there is not ACTIVE (arch/x86/kvm/vmx/pmu_intel.c intel_pmu_handle_lbr_msrs_access(): intercepted reads return 0, writes
/// are dropped); when it is disabled or closed the guest event runs again and gets its stack back.
/// A flexible (not pinned) branch-stack event ranks below the task-pinned guest event and takes
/// nothing from it.
/// </summary>
internal sealed partial class ScenarioExecution
{
    private readonly HashSet<string> _hostLbrEvents = new(System.StringComparer.Ordinal);

    /// <summary>Remembers a branch-stack event that was opened (by name).</summary>
    private void NoteHostLbrEvent(HostPerfOpen open)
    {
        if ((open.Flags & HostPerfFlags.Lbr) != 0 && _perfEvents.ContainsKey(open.Name))
        {
            _hostLbrEvents.Add(open.Name);
        }
    }

    /// <summary>Tells every live vCPU's LBR model whether a host LBR user now owns its CPU's LBR.</summary>
    private void SyncHostLbrUsers()
    {
        _hostLbrEvents.RemoveWhere(name => !_perfEvents.ContainsKey(name));
        foreach (var vm in _allVms)
        {
            if (vm.Destroyed)
            {
                continue;
            }

            foreach (var vcpu in vm.Vcpus)
            {
                vcpu.Lbr?.SetHostLbrUser(HostLbrUserOn(vcpu));
            }
        }
    }

    private bool HostLbrUserOn(Vcpu vcpu)
    {
        foreach (string name in _hostLbrEvents)
        {
            var perfEvent = _perfEvents[name];
            if (perfEvent.Attr.Pinned
                && perfEvent.State >= PerfEventState.Inactive
                && _perfContexts[perfEvent].Cpu == vcpu.Cpu.Index)
            {
                return true;
            }
        }

        return false;
    }
}
