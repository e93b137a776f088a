using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Runner;

/// <summary>Guest and host actions and their <c>=&gt;</c> expectations.</summary>
internal sealed partial class ScenarioExecution
{
    private void ExecuteAction(Statement statement)
    {
        switch (statement)
        {
            case GuestWrmsr w:
                var written = CurrentVcpu.GuestWrmsr(CurrentVcpu.ResolveMsr(w.Msr.Address), w.Value);
                Observer?.OnGuestAccess(CurrentVcpu, Traces.TraceAccessKind.Wrmsr, w.Msr.Address, w.Value, written.Faulted);
                CheckGuest(w, w.Expect, written);
                break;
            case GuestRdmsr r:
                var readResult = CurrentVcpu.GuestRdmsr(CurrentVcpu.ResolveMsr(r.Msr.Address));
                Observer?.OnGuestAccess(CurrentVcpu, Traces.TraceAccessKind.Rdmsr, r.Msr.Address, readResult.Value, readResult.Faulted);
                CheckGuest(r, r.Expect, readResult);
                break;
            case GuestRdpmc p:
                var counter = CurrentVcpu.GuestRdpmc(p.Ecx);
                Observer?.OnGuestAccess(CurrentVcpu, Traces.TraceAccessKind.Rdpmc, p.Ecx, counter.Value, counter.Faulted);
                CheckGuest(p, p.Expect, counter);
                break;
            case GuestCpl cpl:
                // Guest statements run in the guest: the first one is the vCPU's first KVM_RUN.
                CurrentVcpu.EnterGuest();
                CurrentVcpu.Cpl = cpl.Level;
                break;
            case GuestCr4Pce pce:
                CurrentVcpu.EnterGuest();
                CurrentVcpu.Cr4Pce = pce.Enabled;
                break;
            case GuestLvtpcWrite lw:
                CurrentVcpu.EnterGuest();
                CurrentVcpu.Lvtpc = (uint)lw.Value;
                break;
            case GuestLvtpcRead lr:
                CurrentVcpu.EnterGuest();
                CheckGuest(lr, lr.Expect, GuestAccess.Ok(CurrentVcpu.Lvtpc));
                break;
            case GuestRun run:
                CurrentVcpu.GuestRun(Batch(run.Events, CurrentVcpu.GuestCaps.Vendor));
                break;
            case GuestEmulate emulate:
                CurrentVcpu.GuestEmulate(CountOf(emulate.Events, EventKind.Instructions), CountOf(emulate.Events, EventKind.Branches));
                break;
            case GuestExits exits:
                CurrentVcpu.GuestExits(exits.Fastpath, exits.Slow);
                break;
            case GuestBranches branches:
                _batch.Clear().Add(HardwareEvent.Encode(EventKind.Branches, CurrentVcpu.GuestCaps.Vendor), branches.Count);
                CurrentVcpu.GuestRun(_batch);
                break;
            case GuestLbrCallstack callstack:
                CurrentVcpu.Lbr?.SetCallstackMode(callstack.Enabled);
                break;
            case GuestContextSwitch:
                CurrentVcpu.Lbr?.GuestContextSwitch();
                break;
            case GuestPmi:
                CurrentVcpu.Lbr?.GuestPmi();
                break;
            case GuestLbrRead read:
                CheckLbr(read);
                break;
            case HostThreadBranches thread:
                CurrentVcpu.Lbr?.HostThreadBranches(thread.Branches);
                break;
            case HostWrmsr hw:
                CheckHost(hw, hw.Expect, CurrentVcpu.HostSetMsr(CurrentVcpu.ResolveMsr(hw.Msr.Address), hw.Value));
                break;
            case HostRdmsr hr:
                CheckHost(hr, hr.Expect, CurrentVcpu.HostGetMsr(CurrentVcpu.ResolveMsr(hr.Msr.Address)));
                break;
            case HostPerfOpen open:
                OpenPerf(open);
                NoteHostLbrEvent(open);
                SyncHostLbrUsers();
                break;
            case HostPerfClose close:
                var (closing, closingContext) = Named(close.Name);
                closingContext.Release(closing);
                _perfEvents.Remove(close.Name);
                SyncHostLbrUsers();
                break;
            case HostPerfRead perfRead:
                var (reading, readingContext) = Named(perfRead.Name);
                CheckGuest(perfRead, perfRead.Expect, GuestAccess.Ok(readingContext.Read(reading)));
                break;
            case HostPerfEnable enable:
                EnablePerf(enable);
                SyncHostLbrUsers();
                break;
            case HostPerfDisable disable:
                var (disabling, disablingContext) = Named(disable.Name);
                disablingContext.Disable(disabling);
                CheckErrno(disable, disable.Expect, PerfError.None);
                SyncHostLbrUsers();
                break;
            case HostRun hostRun:
                RunHost(hostRun);
                break;
            case FilterStatement filter:
                var error = CurrentVm.SetEventFilter(filter.Action == FilterAction.Deny ? PmuFilterAction.Deny : PmuFilterAction.Allow,
                    filter.Events, filter.FixedBitmap ?? 0, filter.Masked);
                CheckErrno(filter, filter.Expect, error);
                break;
            default:
                throw new ScenarioRuntimeError($"statement '{statement.GetType().Name}' is not supported by this runtime");
        }
    }

    private EventBatch Batch(IReadOnlyList<EventCount> events, CpuVendor vendor)
    {
        _batch.Clear();
        foreach (var e in events)
        {
            _batch.Add(HardwareEvent.Encode(e.Event, vendor), e.Count);
            if (e.Event.Kind == EventKind.Cycles)
            {
                _batch.WithCycles(e.Count);
            }
        }

        return _batch;
    }

    private static ulong CountOf(IReadOnlyList<EventCount> events, EventKind kind)
    {
        ulong total = 0;
        foreach (var e in events)
        {
            if (e.Event.Kind == kind)
            {
                total += e.Count;
            }
        }

        return total;
    }

    /// <summary>The CPU host-side actions run on: the current vCPU's (CPU 0 before any VM).</summary>
    private PhysicalCpu CurrentCpu => _vm is { Destroyed: false } vm ? vm.Vcpus[_vcpuIndex].Cpu : Host.Cpu(0);

    private void RunHost(HostRun run)
    {
        var cpu = CurrentCpu;
        var batch = Batch(run.Events, Host.Caps.Vendor);
        if (cpu.RunningVcpu is { } vcpu)
        {
            // Another task runs on this CPU: the vCPU thread is preempted for the stretch.
            vcpu.SchedOut();
            cpu.Perf.RunHost(batch, cpl: 3);
            vcpu.SchedIn();
            return;
        }

        cpu.Perf.RunHost(batch, cpl: 3);
    }

    private void OpenPerf(HostPerfOpen open)
    {
        if (_perfEvents.ContainsKey(open.Name))
        {
            throw new ScenarioRuntimeError($"host perf event '{open.Name}' is already open");
        }

        PerfEvent? leader = null;
        HostPerfContext context;
        if (open.Group is { } groupName)
        {
            (leader, context) = Named(groupName);
        }
        else
        {
            // cpu= is bounded by the front end (ScenarioLimits.MaxCpus).
            context = open.Cpu is ulong cpu ? Host.Cpu((int)cpu).Perf : CurrentCpu.Perf;
        }

        var attr = new PerfEventAttr
        {
            Config = HardwareEvent.EncodeForPerf(open.Event, Host.Caps.Vendor),
            ExcludeGuest = (open.Flags & HostPerfFlags.ExcludeGuest) != 0,
            ExcludeHost = (open.Flags & HostPerfFlags.ExcludeHost) != 0,
            Pinned = (open.Flags & HostPerfFlags.Pinned) != 0,
            Disabled = (open.Flags & HostPerfFlags.Disabled) != 0,
            SamplePeriod = open.Period ?? 0,
            Cpu = open.Cpu is ulong c ? (int)c : -1,
        };
        var error = context.Open(open.Name, attr, leader, null, null, out var perfEvent);
        if (perfEvent is not null)
        {
            _perfEvents[open.Name] = perfEvent;
            _perfContexts[perfEvent] = context;
        }

        CheckErrno(open, open.Expect, error);
    }

    private void EnablePerf(HostPerfEnable enable)
    {
        var (perfEvent, context) = Named(enable.Name);
        var vcpu = _vm is { Destroyed: false } ? CurrentVcpu : null;
        switch (enable.At)
        {
            case PerfEnablePoint.Outside:
                // The vCPU task is back in userspace: host PMU state.
                vcpu?.ExitToUserspace();
                break;
            case PerfEnablePoint.GuestMode:
                // The enabling IPI (event_function_call) forces a VM-exit; its handler runs after the exit path.
                vcpu?.InterruptGuest();
                break;
            case PerfEnablePoint.RunLoop:
                // The IPI preempts KVM's run loop between a VM-exit and the next entry.
                vcpu?.StopInRunLoop();
                break;
        }

        context.Enable(perfEvent);
        CheckErrno(enable, enable.Expect, PerfError.None);
    }

    private (PerfEvent Event, HostPerfContext Context) Named(string name) =>
        _perfEvents.TryGetValue(name, out var perfEvent)
            ? (perfEvent, _perfContexts[perfEvent])
            : throw new ScenarioRuntimeError($"no host perf event named '{name}'");

    private void CheckGuest(Statement statement, Expectation? expect, GuestAccess result)
    {
        if (expect is null)
        {
            return;
        }

        string actual = result.Faulted ? "#GP" : expect is OkExpectation or GeneralProtectionExpectation ? "ok" : Value(result.Value);
        bool passed = expect switch
        {
            ValueExpectation v => !result.Faulted && result.Value == v.Value,
            ComparisonExpectation c => !result.Faulted && c.Operator.Holds(result.Value, c.Value),
            OkExpectation => !result.Faulted,
            GeneralProtectionExpectation => result.Faulted,
            _ => false,
        };
        Record(statement, Describe(expect), actual, passed);
    }

    private void CheckHost(Statement statement, Expectation? expect, HostAccess result)
    {
        if (expect is null)
        {
            if (result.Failed)
            {
                RecordUnexpectedFailure(statement, "error");
            }

            return;
        }

        string actual = result.Failed ? "error" : expect is OkExpectation or HostErrorExpectation or ErrnoExpectation ? "ok" : Value(result.Value);
        bool passed = expect switch
        {
            ValueExpectation v => !result.Failed && result.Value == v.Value,
            ComparisonExpectation c => !result.Failed && c.Operator.Holds(result.Value, c.Value),
            OkExpectation => !result.Failed,
            HostErrorExpectation or ErrnoExpectation => result.Failed,
            _ => false,
        };
        Record(statement, Describe(expect), actual, passed);
    }

    private void CheckErrno(Statement statement, Expectation? expect, PerfError error)
    {
        if (expect is null)
        {
            if (error != PerfError.None)
            {
                RecordUnexpectedFailure(statement, ErrnoName(error) ?? "error");
            }

            return;
        }

        string actual = ErrnoName(error) ?? "ok";
        bool passed = expect switch
        {
            OkExpectation => error == PerfError.None,
            HostErrorExpectation => error != PerfError.None,
            ErrnoExpectation e => ErrnoName(error) == e.Errno.ToName(),
            _ => false,
        };
        Record(statement, Describe(expect), actual, passed);
    }

    private void CheckLbr(GuestLbrRead read)
    {
        var result = CurrentVcpu.Lbr?.ReadStack() ?? LbrReadResult.Empty;
        if (read.Expect is not LbrContentExpectation expect)
        {
            return;
        }

        string actual = result switch
        {
            LbrReadResult.Clean => "clean",
            LbrReadResult.Polluted => "polluted",
            _ => "empty",
        };
        bool passed = (expect.Content == LbrContent.Clean && result == LbrReadResult.Clean)
            || (expect.Content == LbrContent.Polluted && result == LbrReadResult.Polluted);
        Record(read, Describe(expect), actual, passed);
    }

    private static string Describe(Expectation expect) => expect switch
    {
        ValueExpectation v => Value(v.Value),
        ComparisonExpectation c => $"{c.Operator.ToSymbol()} {Value(c.Value)}",
        OkExpectation => "ok",
        GeneralProtectionExpectation => "#GP",
        HostErrorExpectation => "error",
        ErrnoExpectation e => e.Errno.ToName(),
        LbrContentExpectation l => l.Content == LbrContent.Clean ? "clean" : "polluted",
        _ => expect.ToString(),
    };
}
