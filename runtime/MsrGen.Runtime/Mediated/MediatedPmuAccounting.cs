using System.Collections.Generic;
using System.Threading;

namespace MsrGen.Runtime.Mediated;

/// <summary>What perf answers when asked to account a mediated VM or an event.</summary>
public enum AccountingResult
{
    Ok = 0,
    /// <summary>-EBUSY: a mediated VM was refused because <c>!exclude_guest</c> events exist.</summary>
    Busy = 16,
    /// <summary>-EOPNOTSUPP: a <c>!exclude_guest</c> event was refused because a mediated VM exists.</summary>
    NotSupported = 95,
}

/// <summary>A WARN_ON_ONCE-style report: logged, never thrown.</summary>
public sealed record KernelWarning(string Site, string Message, long Occurrences);

/// <summary>
/// A kernel-log sink for "this is a bug" reports. The first occurrence of each site is logged as a
/// warning (like WARN_ON_ONCE); later ones only bump a counter so a storm cannot flood the log.
/// Thread-safe because the accounting calls it from any thread.
/// </summary>
public sealed class KernelLog
{
    private readonly object _gate = new();
    private readonly List<string> _order = new();
    private readonly Dictionary<string, (string Message, long Count)> _sites = new();

    public void WarnOnce(string site, string message)
    {
        lock (_gate)
        {
            if (_sites.TryGetValue(site, out var entry))
            {
                _sites[site] = (entry.Message, entry.Count + 1);
                return;
            }

            _order.Add(site);
            _sites[site] = (message, 1);
        }
    }

    /// <summary>One entry per site that fired, in first-fired order, with how often it fired.</summary>
    public IReadOnlyList<KernelWarning> Warnings
    {
        get
        {
            lock (_gate)
            {
                var list = new List<KernelWarning>(_order.Count);
                foreach (string site in _order)
                {
                    var (message, count) = _sites[site];
                    list.Add(new KernelWarning(site, message, count));
                }

                return list;
            }
        }
    }
}

/// <summary>
/// perf's side of mediated-vPMU accounting (Kan Liang, "[PATCH v6 04/44] perf: Add APIs to create/release mediated guest vPMUs", LKML, December 2025; kernel/events/core.c as merged after the
/// review): <c>nr_include_guest_events</c> counts <c>!exclude_guest</c> events on PMUs with
/// PERF_PMU_CAP_MEDIATED_VPMU, <c>nr_mediated_pmu_vms</c> counts VMs with a mediated PMU, and the
/// two may never both be non-zero.
/// </summary>
/// <remarks>
/// The v6 review asked for one shape on both sides. Getting: increment without the mutex when the
/// count is already non-zero (the other count is then necessarily zero and cannot become
/// non-zero, because its 0→1 step happens under the mutex after checking this count); otherwise
/// take the mutex, refuse when the other count is non-zero, increment. Putting: report underflow,
/// decrement without the mutex unless that would reach zero; the 1→0 step takes the mutex so that
/// it cannot interleave with the other side's check-then-increment.
/// </remarks>
public sealed class MediatedPmuAccounting
{
    private readonly object _mutex = new();
    private readonly KernelLog _log;
    private int _includeGuestEvents;
    private int _mediatedVms;
    private long _lockedPaths;

    public MediatedPmuAccounting(KernelLog? log = null) => _log = log ?? new KernelLog();

    public KernelLog Log => _log;
    public int IncludeGuestEvents => Volatile.Read(ref _includeGuestEvents);
    public int MediatedVms => Volatile.Read(ref _mediatedVms);
    /// <summary>How many calls had to take the mutex (the fast paths avoid it).</summary>
    public long LockedPaths => Interlocked.Read(ref _lockedPaths);

    /// <summary>True for events that count: on a mediated-capable PMU and not excluding the guest.</summary>
    public static bool IsIncludeGuestEvent(bool pmuSupportsMediated, bool excludeGuest) => pmuSupportsMediated && !excludeGuest;

    /// <summary><c>perf_create_mediated_pmu()</c>: a VM wants a mediated PMU.</summary>
    public AccountingResult CreateMediatedPmu() =>
        Get(ref _mediatedVms, ref _includeGuestEvents, AccountingResult.Busy);

    /// <summary><c>perf_release_mediated_pmu()</c>.</summary>
    public void ReleaseMediatedPmu() => Put(ref _mediatedVms, "perf_release_mediated_pmu", "nr_mediated_pmu_vms");

    /// <summary><c>mediated_pmu_account_event()</c>, called from perf_event_alloc().</summary>
    public AccountingResult AccountEvent(bool pmuSupportsMediated, bool excludeGuest) =>
        IsIncludeGuestEvent(pmuSupportsMediated, excludeGuest)
            ? Get(ref _includeGuestEvents, ref _mediatedVms, AccountingResult.NotSupported)
            : AccountingResult.Ok;

    /// <summary><c>mediated_pmu_unaccount_event()</c>, called when an event is freed.</summary>
    public void UnaccountEvent(bool pmuSupportsMediated, bool excludeGuest)
    {
        if (IsIncludeGuestEvent(pmuSupportsMediated, excludeGuest))
        {
            Put(ref _includeGuestEvents, "mediated_pmu_unaccount_event", "nr_include_guest_events");
        }
    }

    private AccountingResult Get(ref int mine, ref int other, AccountingResult refusal)
    {
        if (IncrementNotZero(ref mine))
        {
            return AccountingResult.Ok;
        }

        lock (_mutex)
        {
            Interlocked.Increment(ref _lockedPaths);
            if (Volatile.Read(ref other) != 0)
            {
                return refusal;
            }

            Interlocked.Increment(ref mine);
            return AccountingResult.Ok;
        }
    }

    private void Put(ref int mine, string site, string counterName)
    {
        while (true)
        {
            int seen = Volatile.Read(ref mine);
            if (seen == 0)
            {
                _log.WarnOnce(site, $"WARNING: {site}: {counterName} underflow (release without a matching create); ignored");
                return;
            }

            if (seen == 1)
            {
                break;
            }

            if (Interlocked.CompareExchange(ref mine, seen - 1, seen) == seen)
            {
                return;
            }
        }

        lock (_mutex)
        {
            Interlocked.Increment(ref _lockedPaths);
            // Under the mutex only another locked put could take the count to zero, and none can
            // run now; fast-path increments may have raised it, which the decrement tolerates.
            if (Volatile.Read(ref mine) == 0)
            {
                _log.WarnOnce(site, $"WARNING: {site}: {counterName} underflow (release without a matching create); ignored");
                return;
            }

            Interlocked.Decrement(ref mine);
        }
    }

    private static bool IncrementNotZero(ref int value)
    {
        int seen = Volatile.Read(ref value);
        while (seen != 0)
        {
            int previous = Interlocked.CompareExchange(ref value, seen + 1, seen);
            if (previous == seen)
            {
                return true;
            }

            seen = previous;
        }

        return false;
    }
}
