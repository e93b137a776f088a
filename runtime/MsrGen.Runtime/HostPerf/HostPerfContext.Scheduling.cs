using System;
using System.Collections.Generic;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.HostPerf;

/// <summary>Counter assignment: which events own which counters, with perf's constraints.</summary>
public sealed partial class HostPerfContext
{
    private const int FixedBase = 32;
    private const ulong InTxcp = 1UL << 33;
    private ulong _fixedCtrlShadow;

    /// <summary>Largest period: half the counter (x86_pmu.max_period); 2^31-1 through the 32-bit alias.</summary>
    public ulong MaxPeriod => _maxPeriod;

    private readonly ulong _maxPeriod;

    private static ulong MaxPeriodOf(PhysicalPmu pmu) => pmu.Caps.IsIntel && !pmu.Caps.FullWidthWrites ? (1UL << 31) - 1 : pmu.GpMask >> 1;

    // Scratch space of the outermost Reschedule, reused so a world switch allocates nothing; a
    // nested Reschedule (perf calling KVM, which calls perf) gets fresh buffers.
    private PerfEvent?[]? _gpUsedScratch;
    private PerfEvent?[]? _fixedUsedScratch;
    private readonly Dictionary<PerfEvent, int> _placedScratch = new();
    private readonly List<PerfEvent> _membersScratch = new();
    private readonly List<(PerfEvent Event, int Counter)> _tentativeScratch = new();
    private int _rescheduleDepth;

    /// <summary>Recomputes which events own which counters and reprograms only what changed.</summary>
    private void Reschedule()
    {
        if (HasNoEvents)
        {
            // No event to place (a mediated guest's world switch with an idle host): nothing is
            // written and nothing is handed back; only the rotation state is settled, as a full one does.
            RotationPending = false;
            NextRotationCycle = ulong.MaxValue;
            return;
        }

        bool outermost = _rescheduleDepth++ == 0;
        try
        {
            Reschedule(outermost);
        }
        finally
        {
            _rescheduleDepth--;
        }
    }

    private void Reschedule(bool outermost)
    {
        UpdateTimes();
        PerfEvent?[] gpUsed, fixedUsed;
        Dictionary<PerfEvent, int> placed;
        List<PerfEvent> members;
        List<(PerfEvent Event, int Counter)> tentative;
        if (outermost)
        {
            gpUsed = _gpUsedScratch ??= new PerfEvent?[Pmu.GpCount];
            fixedUsed = _fixedUsedScratch ??= new PerfEvent?[Pmu.FixedCount];
            Array.Clear(gpUsed);
            Array.Clear(fixedUsed);
            placed = _placedScratch;
            placed.Clear();
            members = _membersScratch;
            tentative = _tentativeScratch;
        }
        else
        {
            gpUsed = new PerfEvent?[Pmu.GpCount];
            fixedUsed = new PerfEvent?[Pmu.FixedCount];
            placed = new Dictionary<PerfEvent, int>();
            members = new List<PerfEvent>();
            tentative = new List<(PerfEvent Event, int Counter)>();
        }

        bool flexibleBlocked = false;
        RotationPending = false;

        // Pinned leaders first, then the flexible ones in rotation order (perf's ctx_sched_in order).
        int pinnedCount = _events.Count;
        for (int l = 0; l < pinnedCount + _flexibleOrder.Count; l++)
        {
            var leader = l < pinnedCount ? _events[l] : _flexibleOrder[l - pinnedCount];
            if (!leader.IsLeader || leader.State < PerfEventState.Inactive || (l < pinnedCount && !leader.Attr.Pinned))
            {
                continue;
            }

            CollectMembers(leader, members);
            if (members.Count == 0)
            {
                continue;
            }

            bool eligible = !(HoldsOutExcludeGuest && leader.Attr.ExcludeGuest) && !IsTaskOut(leader);
            bool pinned = leader.Attr.Pinned;
            if (!eligible || (!pinned && flexibleBlocked))
            {
                RotationPending |= eligible;
                continue;
            }

            tentative.Clear();
            bool fits = true;
            foreach (var member in members)
            {
                int counter = Pick(member, gpUsed, fixedUsed);
                if (counter < 0)
                {
                    fits = false;
                    break;
                }

                Occupy(counter, member, gpUsed, fixedUsed);
                tentative.Add((member, counter));
            }

            if (fits)
            {
                foreach (var (e, c) in tentative)
                {
                    placed[e] = c;
                }

                continue;
            }

            foreach (var (_, c) in tentative)
            {
                Occupy(c, null, gpUsed, fixedUsed);
            }

            if (pinned)
            {
                // A pinned group that cannot be placed goes to error state and stops counting.
                foreach (var member in members)
                {
                    if (member.State == PerfEventState.Active)
                    {
                        Unprogram(member);
                    }

                    member.State = PerfEventState.Error;
                }
            }
            else
            {
                flexibleBlocked = true;
                RotationPending = true;
            }
        }

        ReclaimFromGuestOwner(placed);
        bool changed = false;
        foreach (var e in _events)
        {
            if (e.State == PerfEventState.Active && (!placed.TryGetValue(e, out int c) || c != e.Counter))
            {
                if (!changed)
                {
                    DisableAll();
                    changed = true;
                }

                Unprogram(e);
                e.State = PerfEventState.Inactive;
            }
        }

        foreach (var (e, c) in placed)
        {
            if (e.State == PerfEventState.Active)
            {
                continue;
            }

            if (!changed)
            {
                DisableAll();
                changed = true;
            }

            e.State = PerfEventState.Active;
            e.Counter = c;
            e.Stopped = false;
            Program(e);
        }

        if (changed)
        {
            EnableAll();
        }

        NextRotationCycle = RotationPending ? Pmu.Clock.Cycles + MuxIntervalCycles : ulong.MaxValue;
    }

    /// <summary>
    /// Guest registers left resident by a lazy put (no guest context loaded) are handed back before
    /// perf writes the PMU: exactly the counters it is about to program. Without any guard
    /// (<see cref="GuestPmuHandoff.None"/>) perf never calls KVM.
    /// </summary>
    private void ReclaimFromGuestOwner(Dictionary<PerfEvent, int> placed)
    {
        if (GuestContextLoaded || GuestPmuOwner is not { HoldsGuestState: true } owner || owner.Handoff == GuestPmuHandoff.None)
        {
            return;
        }

        ulong programming = 0;
        bool writes = false;
        foreach (var e in _events)
        {
            writes |= e.State == PerfEventState.Active && (!placed.TryGetValue(e, out int c) || c != e.Counter);
        }

        foreach (var (e, c) in placed)
        {
            // A newly scheduled event, or an active one moving to another counter, writes counter c.
            if (e.State != PerfEventState.Active || c != e.Counter)
            {
                programming |= 1UL << c;
                writes = true;
            }
        }

        if (writes)
        {
            GuestReclaimCallbacks++;
            owner.ReleaseCounters(programming);
        }
    }

    private static List<PerfEvent> Members(PerfEvent leader)
    {
        var members = new List<PerfEvent>();
        CollectMembers(leader, members);
        return members;
    }

    /// <summary>The leader and its schedulable siblings, into <paramref name="members"/> (cleared first).</summary>
    private static void CollectMembers(PerfEvent leader, List<PerfEvent> members)
    {
        members.Clear();
        members.Add(leader);
        foreach (var sibling in leader.Siblings)
        {
            if (sibling.State >= PerfEventState.Inactive)
            {
                members.Add(sibling);
            }
        }
    }

    /// <summary>
    /// Counter constraints: perf's ref-cycles encoding (0x0300) and TOPDOWN.SLOTS only on their fixed
    /// counters (the architectural 0x013C event runs on any GP counter), instructions
    /// and cycles preferably on theirs, IN_TXCP only on GP counter 2 (HSW+ constraint tables).
    /// </summary>
    private int Pick(PerfEvent e, PerfEvent?[] gpUsed, PerfEvent?[] fixedUsed)
    {
        ulong identity = e.Attr.Config & HardwareEvent.IdentityMask;
        bool intel = Pmu.Caps.IsIntel;
        int fixedIndex = intel ? HardwareEvent.FixedCounterFor(identity) : -1;
        bool plain = (e.Attr.Config & ~HardwareEvent.IdentityMask) == 0;
        if (fixedIndex >= 0 && fixedIndex < fixedUsed.Length && fixedUsed[fixedIndex] is null && plain)
        {
            return FixedBase + fixedIndex;
        }

        if (intel && HardwareEvent.IsFixedOnly(identity))
        {
            return -1;
        }

        if (intel && (e.Attr.Config & InTxcp) != 0)
        {
            return gpUsed.Length > 2 && gpUsed[2] is null ? 2 : -1;
        }

        if (e.Counter >= 0 && e.Counter < gpUsed.Length && gpUsed[e.Counter] is null)
        {
            return e.Counter;
        }

        for (int i = 0; i < gpUsed.Length; i++)
        {
            if (gpUsed[i] is null)
            {
                return i;
            }
        }

        return -1;
    }

    private static void Occupy(int counter, PerfEvent? e, PerfEvent?[] gpUsed, PerfEvent?[] fixedUsed)
    {
        if (counter >= FixedBase)
        {
            fixedUsed[counter - FixedBase] = e;
        }
        else
        {
            gpUsed[counter] = e;
        }
    }

    /// <summary>validate_group: could the group fit an otherwise empty PMU with this new member?</summary>
    private bool GroupCanEverFit(PerfEvent leader, PerfEventAttr extra)
    {
        var gpUsed = new PerfEvent?[Pmu.GpCount];
        var fixedUsed = new PerfEvent?[Pmu.FixedCount];
        var probe = new PerfEvent(0, "probe", extra, null, null, null);
        foreach (var member in new List<PerfEvent>(Members(leader)) { probe })
        {
            int saved = member.Counter;
            member.Counter = -1;
            int counter = Pick(member, gpUsed, fixedUsed);
            member.Counter = saved;
            if (counter < 0)
            {
                return false;
            }

            Occupy(counter, member, gpUsed, fixedUsed);
        }

        return true;
    }
}
