using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Comparisons;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Traces;

/// <summary>
/// Replays a trace's PMU accesses through vPMU designs on the runtime: every traced CPU (or, for
/// kvm:kvm_msr, every vCPU thread) becomes one vCPU of one VM per design, all on the same host
/// preset; each access is that vCPU's guest RDMSR / WRMSR / RDPMC, in order, and the time before it
/// is guest execution (<see cref="TraceTimeline"/>). Two streaming passes over the file (one to
/// count the vCPUs, one to replay), every design fed from the same pass: memory does not grow with
/// the trace.
/// </summary>
public static class TraceReplay
{
    /// <summary>The x2APIC LVTPC register (MSR 0x834): a guest that writes it through WRMSR sets its LVTPC.</summary>
    public const uint X2ApicLvtpc = LvtpcValues.X2ApicMsr;

    public static TraceReplayResult Run(string source, Func<TraceReader> open, TraceGuest guest, TraceReplayOptions? options = null, TraceProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(guest);
        options ??= new TraceReplayOptions();

        // Pass 1: which vCPUs the trace has, so each design's VM is created with them.
        var sources = new HashSet<int>();
        long pmu = 0;
        using (var first = open())
        {
            while (first.TryRead(out var access))
            {
                if (IsReplayed(access, guest.Profile))
                {
                    pmu++;
                    if (sources.Count <= 64)
                    {
                        sources.Add(TraceTimeline.SourceKey(access));
                    }
                }
            }

            if (pmu == 0)
            {
                return new TraceReplayResult(source, guest, 0, 0, 0, 0, 0, first.Stats, []);
            }
        }

        int vcpus = Math.Min(sources.Count, 64);
        var runs = options.Designs.Select(d => new DesignRun(d, guest, vcpus, options)).ToList();
        var timeline = new TraceTimeline(guest.Caps, options.Rates, vcpus);
        using var reader = open();
        long next = 0;
        ulong guestCycles = 0;
        while (reader.TryRead(out var access))
        {
            if (!IsReplayed(access, guest.Profile))
            {
                continue;
            }

            var step = timeline.Next(access);
            guestCycles += step.RunCycles;
            foreach (var run in runs)
            {
                run.Apply(step);
            }

            if (progress is not null && reader.Position >= next)
            {
                progress(reader.Position, reader.Length ?? 0);
                next = reader.Position + (1 << 20);
            }
        }

        var rows = runs.Select(r => r.Finish()).ToList();
        double seconds = guestCycles / (options.Rates.CyclesPerNanosecond * 1e9);
        return new TraceReplayResult(source, guest, vcpus, pmu, seconds, timeline.Reveals, timeline.FoldedSources, reader.Stats, rows);
    }

    /// <summary>Replayed: RDPMC, MSRs of the PMU catalog, and x2APIC LVTPC writes; other MSRs are the same for every design and are left out.</summary>
    internal static bool IsReplayed(in TraceAccess access, MsrProfile profile) =>
        access.Kind == TraceAccessKind.Rdpmc
        || (access.Index == X2ApicLvtpc && access.Kind == TraceAccessKind.Wrmsr)
        || MsrCatalog.TryFind(access.Index, profile, out _);

    /// <summary>A write that acknowledges counter overflows (IA32_PERF_GLOBAL_OVF_CTRL, AMD's GLOBAL_STATUS_CLR): the end of a PMI handler.</summary>
    internal static bool UnmasksLvtpc(in TraceAccess access) =>
        access.Kind == TraceAccessKind.Wrmsr && !access.Faulted
        && MsrCatalog.TryFind(access.Index, MsrProfile.Upstream, out var register)
        && register.Id is MsrId.Ia32PerfGlobalOvfCtrl or MsrId.MsrAmd64PerfCntrGlobalStatusClr;

    /// <summary>One design: a VM on its own host, fed every step.</summary>
    private sealed class DesignRun
    {
        private readonly TraceDesign _design;
        private readonly TraceReplayOptions _options;
        private readonly Vm? _vm;
        private readonly string? _unavailable;
        private readonly EventBatch _batch = new();
        private readonly ulong[] _sinceTick;
        private readonly ulong _tickCycles;
        private readonly ulong _hostWorkCycles;
        private readonly ulong _instructions;
        private readonly ulong _cycles;
        private readonly ulong[][] _modelAnchor;
        private readonly ulong _gpMask;
        private readonly ulong _fixedMask;
        private ulong _hostWork;
        private ulong _hostBlind;
        private ulong _traceCounted;
        private ulong _modelCounted;

        public DesignRun(TraceDesign design, TraceGuest guest, int vcpus, TraceReplayOptions options)
        {
            _design = design;
            _options = options;
            _sinceTick = new ulong[vcpus];
            _modelAnchor = new ulong[vcpus][];
            for (int i = 0; i < vcpus; i++)
            {
                _modelAnchor[i] = new ulong[64];
            }

            _gpMask = guest.Caps.GpCounterMask;
            _fixedMask = guest.Caps.FixedWidth == 0 ? _gpMask : guest.Caps.FixedCounterMask;
            double perNs = options.Rates.CyclesPerNanosecond;
            _tickCycles = (ulong)(options.TickNanoseconds * perNs);
            _hostWorkCycles = (ulong)(options.HostWorkNanoseconds * perNs);
            var vendor = guest.Host.Caps.Vendor;
            _instructions = HardwareEvent.Encode(EventKind.Instructions, vendor);
            _cycles = HardwareEvent.Encode(EventKind.Cycles, vendor);

            var host = new HostMachine(guest.Host, new KvmModuleParameters { EnableMediatedPmu = design.Mode == VpmuMode.Mediated }, options.Costs);
            var optionsMap = new Dictionary<string, string>(StringComparer.Ordinal);
            if (design.Placement is { } placement)
            {
                optionsMap["placement"] = placement;
            }

            bool pv = design.Lbr == "pv";
            var request = guest.Request with
            {
                Mode = design.Mode,
                Vcpus = vcpus,
                Lbr = design.Lbr ?? "none",
                PvLbr = pv || guest.Request.PvLbr,
                Profile = pv ? MsrProfile.PvLbr2018 : guest.Request.Profile,
                Options = optionsMap,
            };
            var creation = Vm.Create(host, request);
            if (creation.Vm is null)
            {
                _unavailable = creation.Message ?? "KVM refuses this VM";
                return;
            }

            _vm = creation.Vm;
            foreach (var vcpu in _vm.Vcpus)
            {
                // A Linux guest's perf programs LVTPC for NMI delivery, unmasked.
                vcpu.Lvtpc = LvtpcValues.DeliveryNmi;
                var perf = vcpu.Cpu.Perf;
                for (int i = 0; i < options.HostEvents; i++)
                {
                    var attr = new PerfEventAttr { Config = _instructions, ExcludeGuest = true, Pinned = true };
                    if (perf.Open("host" + i, attr, null, null, null, out var ev) == PerfError.None && ev is not null)
                    {
                        perf.Enable(ev);
                    }
                }
            }
        }

        public ulong GuestCycles { get; private set; }

        public void Apply(in TraceStep step)
        {
            if (_vm is null)
            {
                return;
            }

            var vcpu = _vm.Vcpus[step.Vcpu];
            if (step.IdleCycles > 0)
            {
                vcpu.Idle(step.IdleCycles);
            }

            Run(vcpu, step.RunCycles, step.RunInstructions);
            var a = step.Access;
            GuestAccess result;
            switch (a.Kind)
            {
                case TraceAccessKind.Wrmsr when a.Index == X2ApicLvtpc:
                    vcpu.Lvtpc = (uint)a.Value;
                    return;
                case TraceAccessKind.Wrmsr:
                    result = vcpu.GuestWrmsr(a.Index, a.Value);
                    break;
                case TraceAccessKind.Rdmsr:
                    result = vcpu.GuestRdmsr(a.Index);
                    break;
                default:
                    result = vcpu.GuestRdpmc(a.Index);
                    break;
            }

            if (UnmasksLvtpc(a))
            {
                // perf's PMI handler acknowledges the overflow, then unmasks LVTPC (an APIC write the msr trace does not show).
                vcpu.Lvtpc &= ~LvtpcValues.Masked;
            }

            if (step.Counter >= 0 && step.Counter < 32 && !result.Faulted)
            {
                // What the guest would see against what it saw: the model's count over the same interval.
                ulong mask = step.FixedCounter ? _fixedMask : _gpMask;
                ref ulong anchor = ref _modelAnchor[step.Vcpu][(step.FixedCounter ? 32 : 0) + step.Counter];
                ulong value = (a.Kind == TraceAccessKind.Wrmsr ? TraceTimeline.WrittenCounterValue(a) : result.Value) & mask;
                if (step.Revealed)
                {
                    _traceCounted += step.TraceDelta;
                    _modelCounted += (value - anchor) & mask;
                }

                anchor = value;
            }
        }

        /// <summary>Guest execution, cut at the host's ticks.</summary>
        private void Run(Vcpu vcpu, ulong cycles, ulong instructions)
        {
            GuestCycles += cycles;
            ulong remaining = cycles, remainingInstructions = instructions;
            if (cycles == 0 && instructions > 0)
            {
                vcpu.GuestRun(_batch.Clear().Add(_instructions, instructions));
                return;
            }

            while (remaining > 0)
            {
                ulong chunk = _tickCycles == 0 ? remaining : Math.Min(remaining, _tickCycles - _sinceTick[vcpu.Index]);
                ulong chunkInstructions = chunk == remaining ? remainingInstructions : (ulong)((UInt128)remainingInstructions * chunk / remaining);
                vcpu.GuestRun(_batch.Clear().Add(_instructions, chunkInstructions).Add(_cycles, chunk).WithCycles(chunk));
                remaining -= chunk;
                remainingInstructions -= chunkInstructions;
                if (_tickCycles == 0)
                {
                    continue;
                }

                _sinceTick[vcpu.Index] += chunk;
                if (_sinceTick[vcpu.Index] >= _tickCycles)
                {
                    _sinceTick[vcpu.Index] = 0;
                    HostTick(vcpu);
                }
            }
        }

        private void HostTick(Vcpu vcpu)
        {
            vcpu.InterruptGuest();
            if (_hostWorkCycles == 0)
            {
                return;
            }

            if (vcpu.Cpu.Perf.GuestContextLoaded)
            {
                _hostBlind += _hostWorkCycles;
            }

            _hostWork += _hostWorkCycles;
            vcpu.Cpu.Perf.RunHost(_batch.Clear().Add(_instructions, _hostWorkCycles).Add(_cycles, _hostWorkCycles).WithCycles(_hostWorkCycles), cpl: 0);
        }

        public TraceReplayRow Finish()
        {
            if (_vm is null)
            {
                return new TraceReplayRow(_design.Name, _unavailable, 0, 0, 0, null, null, 0, 0, 0, 0, 0, 0, 0);
            }

            var m = _vm.Metrics;
            var ops = RuntimeSubstrate.Ops(m);
            ulong hostCycles = m.Cost;
            double seconds = GuestCycles / (_options.Rates.CyclesPerNanosecond * 1e9);
            double? accuracy = _traceCounted == 0 ? null : 100.0 * _modelCounted / _traceCounted;
            long drift = (long)Int128.Clamp((Int128)_modelCounted - _traceCounted, long.MinValue, long.MaxValue);
            return new TraceReplayRow(
                _design.Name,
                null,
                GuestCycles == 0 ? 0 : 100.0 * hostCycles / GuestCycles,
                seconds == 0 ? 0 : m.Exits / seconds,
                m.Exits == 0 ? 0 : (double)ops.Total / m.Exits,
                accuracy,
                _hostWork == 0 ? null : 100.0 * _hostBlind / _hostWork,
                m.Exits,
                ops.Total,
                hostCycles,
                GuestCycles,
                drift,
                m.Pmis,
                m.GuestFaults);
        }
    }
}
