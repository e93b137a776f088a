using System.Collections.Generic;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;

namespace MsrGen.Runtime.Tests.HostPerf;

/// <summary>Host perf's hook into the mediated vPMU (perf→KVM, as discussed in the 2024 mediated-PMU review): when it asks the guest PMU's owner, and with which counters.</summary>
[TestClass]
public sealed class GuestPmuOwnerHookTests
{
    /// <summary>Records perf's calls; puts the guest context when asked while it is loaded, as KVM would.</summary>
    private sealed class RecordingOwner : IGuestPmuOwner
    {
        private readonly HostPerfContext _perf;

        public RecordingOwner(HostPerfContext perf, GuestPmuHandoff handoff)
        {
            _perf = perf;
            Handoff = handoff;
        }

        public GuestPmuHandoff Handoff { get; }
        public bool Loaded { get; set; }
        public bool Resident { get; set; }
        public bool HoldsGuestState => Loaded || Resident;
        public List<ulong> Calls { get; } = new();

        public void ReleaseCounters(ulong counterMask)
        {
            Calls.Add(counterMask);
            if (Loaded)
            {
                Loaded = false;
                _perf.PutGuestContext();
            }
        }
    }

    private static HostPerfContext Context() => new(0, new PhysicalPmu(PmuPresets.Get("sapphire-rapids").Caps, new SimClock()));

    private static PerfEvent OpenDisabled(HostPerfContext perf, ulong config)
    {
        var error = perf.Open($"e{config:x}", new PerfEventAttr { Config = config, ExcludeGuest = true, Disabled = true }, null, null, null, out var e);
        Assert.AreEqual(PerfError.None, error);
        return e!;
    }

    private static (HostPerfContext Perf, RecordingOwner Owner, PerfEvent Event) LoadedGuest(GuestPmuHandoff handoff)
    {
        var perf = Context();
        var owner = new RecordingOwner(perf, handoff) { Loaded = true };
        perf.GuestPmuOwner = owner;
        var ev = OpenDisabled(perf, 0xC4);
        perf.LoadGuestContext();
        return (perf, owner, ev);
    }

    [TestMethod]
    public void Deferral_leaves_the_event_off_the_pmu_until_the_put_and_never_calls_kvm()
    {
        var (perf, owner, ev) = LoadedGuest(GuestPmuHandoff.Defer);
        perf.Enable(ev);
        Assert.AreEqual(PerfEventState.Inactive, ev.State);
        Assert.AreEqual(0, owner.Calls.Count);
        owner.Loaded = false;
        perf.PutGuestContext();
        Assert.AreEqual(PerfEventState.Active, ev.State);
        Assert.AreEqual(0, owner.Calls.Count);
    }

    [TestMethod]
    public void The_callback_puts_the_guest_before_the_event_is_programmed()
    {
        var (perf, owner, ev) = LoadedGuest(GuestPmuHandoff.Callback);
        long writesBefore = perf.Pmu.Accesses.MsrWrites;
        perf.Enable(ev);
        Assert.AreEqual(1, owner.Calls.Count, "one call into KVM");
        Assert.IsFalse(perf.GuestContextLoaded, "KVM put the guest context");
        Assert.AreEqual(PerfEventState.Active, ev.State, "the event runs at once");
        Assert.IsTrue(perf.Pmu.Accesses.MsrWrites > writesBefore);
        Assert.AreEqual(1, perf.GuestPutCallbacks);
    }

    [TestMethod]
    public void Without_a_guard_the_event_is_programmed_over_the_loaded_guest_and_kvm_is_not_called()
    {
        var (perf, owner, ev) = LoadedGuest(GuestPmuHandoff.None);
        perf.Enable(ev);
        Assert.AreEqual(PerfEventState.Active, ev.State);
        Assert.IsTrue(perf.GuestContextLoaded);
        Assert.AreEqual(0, owner.Calls.Count);
    }

    [TestMethod]
    public void Resident_guest_registers_are_asked_for_exactly_the_counters_perf_programs()
    {
        var perf = Context();
        var owner = new RecordingOwner(perf, GuestPmuHandoff.Defer) { Resident = true };
        perf.GuestPmuOwner = owner;
        var branches = OpenDisabled(perf, 0xC4);
        var instructions = OpenDisabled(perf, 0xC0);
        perf.Enable(branches);
        perf.Enable(instructions);
        Assert.AreEqual(0, branches.Counter);
        Assert.AreEqual(32, instructions.Counter);
        CollectionAssert.AreEqual(new[] { 1UL << 0, 1UL << 32 }, owner.Calls, "GP0 for branches, then fixed counter 0 (bit 32) for instructions");
        Assert.AreEqual(2, perf.GuestReclaimCallbacks);
    }

    [TestMethod]
    public void Without_a_guard_resident_registers_are_not_asked_for()
    {
        var perf = Context();
        var owner = new RecordingOwner(perf, GuestPmuHandoff.None) { Resident = true };
        perf.GuestPmuOwner = owner;
        perf.Enable(OpenDisabled(perf, 0xC4));
        Assert.AreEqual(0, owner.Calls.Count);
    }
}
