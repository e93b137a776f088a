using System;
using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Metrics;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Runner;

/// <summary>Thrown inside one scenario when a statement cannot run (no VM, unknown name); ends the file as malformed.</summary>
internal sealed class ScenarioRuntimeError : Exception
{
    public ScenarioRuntimeError(string message) : base(message)
    {
    }

    /// <summary>An error at a place inside the statement (a key's value) rather than its start.</summary>
    public ScenarioRuntimeError(string message, SourceSpan at) : base(message) => At = at;

    public SourceSpan? At { get; }
}

/// <summary>Stops a file after a failed <c>vm</c> line, as the scenario language requires.</summary>
internal sealed class ScenarioStop : Exception
{
}

/// <summary>Runs the statements of one scenario file against a fresh host.</summary>
internal sealed partial class ScenarioExecution
{
    private readonly string _path;
    private readonly IEnumerable<Statement> _statements;
    private readonly List<ScenarioDiagnostic> _late;
    private readonly ScenarioRunOptions _options;
    private readonly ScenarioOutcome _outcome;
    private readonly CostTable _costs = new();
    private readonly Dictionary<string, Vm> _vms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PerfEvent> _perfEvents = new(StringComparer.Ordinal);
    private readonly Dictionary<PerfEvent, HostPerfContext> _perfContexts = new();
    private readonly List<Vm> _allVms = new();
    private readonly EventBatch _batch = new();
    private HostMachine? _host;
    private Vm? _vm;
    private int _vcpuIndex;

    /// <param name="late">Where a streamed reader reports a line that no longer parses (the file changed).</param>
    public ScenarioExecution(string path, IEnumerable<Statement> statements, List<ScenarioDiagnostic> late, ScenarioRunOptions options)
    {
        _path = path;
        _statements = statements;
        _late = late;
        _options = options;
        _outcome = new ScenarioOutcome(path);
    }

    /// <summary>Sees every guest RDMSR / WRMSR / RDPMC (msrgen run --emit-trace).</summary>
    public Traces.IGuestAccessObserver? Observer { get; init; }

    /// <summary>
    /// Runs the statements in order until the end, a stop or an error. No exception leaves: the
    /// file's own problems are located errors, anything unexpected a located internal error.
    /// </summary>
    public ScenarioOutcome Run()
    {
        var meter = new WorkMeter(_options.WorkLimit);
        using (WorkMeter.Install(meter))
        {
            RunStatements();
        }

        _outcome.WorkUsed = meter.Used;
        _outcome.Errors.AddRange(_late);
        try
        {
            foreach (var vm in _allVms)
            {
                _outcome.Vms.Add(new VmSummary(vm.Name, vm.Mode, Design(vm), vm.Metrics.Snapshot()));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _outcome.InternalErrors.Add(ScenarioRunner.InternalError(_path, 1, 1, e));
        }

        return _outcome;
    }

    private void RunStatements()
    {
        foreach (var statement in _statements)
        {
            try
            {
                _options.BeforeStatement?.Invoke(statement);
                Execute(statement);
            }
            catch (ScenarioStop)
            {
                break;
            }
            catch (ScenarioRuntimeError e)
            {
                var at = e.At ?? statement.Span;
                _outcome.Errors.Add(new ScenarioDiagnostic(_path, at.Line, at.Column, e.Message));
                break;
            }
            catch (WorkLimitExceededException e)
            {
                _outcome.Errors.Add(new ScenarioDiagnostic(_path, statement.Span.Line, statement.Span.Column, e.Message));
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _outcome.InternalErrors.Add(ScenarioRunner.InternalError(_path, statement.Span.Line, statement.Span.Column, e));
                break;
            }
        }
    }

    private static string Design(Vm vm)
    {
        string design = vm.Mode switch
        {
            VpmuMode.Off => "no vPMU",
            VpmuMode.Emulated => vm.Config.Request.GroupedMetrics ? "emulated+grouped" : "emulated",
            _ => vm.Config.Option("placement") is { } placement ? $"mediated ({placement})" : "mediated",
        };
        return vm.LbrStrategy is { } lbr ? $"{design}, lbr={lbr}" : design;
    }

    /// <summary>
    /// The module parameters a scenario's host starts with: KVM's defaults, except
    /// enable_mediated_pmu, which is on so that <c>vm vpmu=mediated</c> works on a capable host as
    /// the scenario language says (<c>host ... mediated=off</c> turns it off).
    /// </summary>
    internal static readonly KvmModuleParameters ScenarioDefaultParameters = new() { EnableMediatedPmu = true };

    private HostMachine Host => _host ??= new HostMachine(PmuPresets.Get(PmuPresets.Default), ScenarioDefaultParameters, _costs)
    {
        ReplaySwitches = _options.ReplaySwitches,
    };

    private Vm CurrentVm => _vm ?? throw new ScenarioRuntimeError("no VM: a 'vm' line must come first");

    private Vcpu CurrentVcpu
    {
        get
        {
            var vm = CurrentVm;
            if (vm.Destroyed)
            {
                throw new ScenarioRuntimeError($"VM '{vm.Name}' was destroyed");
            }

            return vm.Vcpus[_vcpuIndex];
        }
    }

    private void Execute(Statement statement)
    {
        switch (statement)
        {
            case TitleStatement t:
                _outcome.Title = t.Text;
                break;
            case DescribeStatement d:
                _outcome.Descriptions.Add(d.Text);
                break;
            case ReportStatement r:
                foreach (var entry in r.Entries)
                {
                    _outcome.ReportEntries.Add(new(entry.Key, (entry.Value as WordValue)?.Word ?? entry.Value.ToString()));
                }

                break;
            case HostStatement h:
                SetUpHost(h);
                break;
            case VmStatement v:
                CreateVm(v);
                break;
            case VmDestroy:
                CurrentVm.Destroy();
                break;
            case VmUse use:
                _vm = _vms.TryGetValue(use.Name, out var named) ? named : throw new ScenarioRuntimeError($"no VM named '{use.Name}'");
                _vcpuIndex = 0;
                break;
            case CostStatement c:
                foreach (var entry in c.Entries)
                {
                    if (entry.Value is not NumberValue number || !_costs.TryOverride(entry.Key, number.Value))
                    {
                        throw new ScenarioRuntimeError($"unknown cost primitive '{entry.Key}'");
                    }
                }

                break;
            case VcpuSelect select:
                if (select.Index >= (ulong)CurrentVm.Vcpus.Count)
                {
                    throw new ScenarioRuntimeError($"VM '{CurrentVm.Name}' has {CurrentVm.Vcpus.Count} vCPU(s); there is no vCPU {select.Index}");
                }

                _vcpuIndex = (int)select.Index;
                break;
            case VcpuSchedOut:
                CurrentVcpu.SchedOut();
                break;
            case VcpuSchedIn:
                CurrentVcpu.SchedIn();
                break;
            case VcpuUserspace:
                CurrentVcpu.ExitToUserspace();
                break;
            case IdleStatement idle:
                CurrentVcpu.Idle(idle.Cycles);
                break;
            case ExpectMetric expect:
                CheckMetric(expect);
                break;
            case ResetMetrics:
                CurrentVm.Metrics.Reset();
                break;
            default:
                ExecuteAction(statement);
                break;
        }
    }
}
