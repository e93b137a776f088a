using System;
using System.Collections.Generic;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Metrics;

/// <summary>
/// Checkpoints of every metric, so that a run of identical VM-exits can be measured on two exact
/// exits and then applied in closed form (see <c>Vcpu.GuestExits</c>).
/// </summary>
public sealed partial class VmMetrics
{
    /// <summary>A copy of every metric.</summary>
    public sealed class Checkpoint
    {
        internal Checkpoint(VmMetrics from)
        {
            Scalars =
            [
                from.Entries, from.Exits, from.FastpathExits, from.GuestFaults, from.Pmis, from.PerfCreates,
                from.PerfReleases, from.PerfReprograms, from.PmuRequests,
            ];
            Unsigned = [from.Cost, from.CountExpected, from.CountObserved];
            ExitsByReason = (long[])from._exitsByReason.Clone();
            Custom = new SortedDictionary<string, long>(from._custom, StringComparer.Ordinal);
            CostById = (ulong[])from._costById.Clone();
            Charged = (bool[])from._charged.Clone();
            Hardware = from.Hardware.Capture();
        }

        internal long[] Scalars { get; }
        internal ulong[] Unsigned { get; }
        internal long[] ExitsByReason { get; }
        internal SortedDictionary<string, long> Custom { get; }
        internal ulong[] CostById { get; }
        internal bool[] Charged { get; }
        internal HardwareAccessCounters.Checkpoint Hardware { get; }

        /// <summary>Whether a→b and b→c added the same, non-negative amount to every metric.</summary>
        public static bool SameDelta(Checkpoint a, Checkpoint b, Checkpoint c)
        {
            if (!HardwareAccessCounters.SameDelta(a.Scalars, b.Scalars, c.Scalars)
                || !HardwareAccessCounters.SameDelta(a.ExitsByReason, b.ExitsByReason, c.ExitsByReason)
                || !HardwareAccessCounters.SameDelta(a.Hardware, b.Hardware, c.Hardware))
            {
                return false;
            }

            for (int i = 0; i < a.Unsigned.Length; i++)
            {
                if (b.Unsigned[i] < a.Unsigned[i] || b.Unsigned[i] - a.Unsigned[i] != c.Unsigned[i] - b.Unsigned[i])
                {
                    return false;
                }
            }

            int n = Math.Max(a.CostById.Length, Math.Max(b.CostById.Length, c.CostById.Length));
            for (int i = 0; i < n; i++)
            {
                ulong av = At(a.CostById, i), bv = At(b.CostById, i), cv = At(c.CostById, i);
                if (bv < av || bv - av != cv - bv || At(b.Charged, i) != At(c.Charged, i))
                {
                    return false;
                }
            }

            return SameDelta(a.Custom, b.Custom, c.Custom);
        }

        private static bool SameDelta<T>(SortedDictionary<string, T> a, SortedDictionary<string, T> b, SortedDictionary<string, T> c)
            where T : struct, IComparable<T>
        {
            // Names only ever appear (never vanish); a name new in c must have appeared with a zero step.
            foreach (var (name, cv) in c)
            {
                T av = a.GetValueOrDefault(name), bv = b.GetValueOrDefault(name);
                if (ToDecimal(bv) - ToDecimal(av) != ToDecimal(cv) - ToDecimal(bv) || ToDecimal(bv) < ToDecimal(av))
                {
                    return false;
                }
            }

            return true;
        }

        internal static T At<T>(T[] values, int i) where T : struct => i < values.Length ? values[i] : default;

        private static decimal ToDecimal<T>(T value) where T : struct => value switch
        {
            long l => l,
            ulong u => u,
            _ => throw new ArgumentException("unexpected metric type", nameof(value)),
        };
    }

    /// <summary>Every metric as it is now.</summary>
    public Checkpoint Capture() => new(this);

    /// <summary>Puts every metric back to <paramref name="checkpoint"/>.</summary>
    public void Restore(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        SetScalars(checkpoint.Scalars, checkpoint.Unsigned);
        Array.Copy(checkpoint.ExitsByReason, _exitsByReason, _exitsByReason.Length);
        _custom.Clear();
        foreach (var (name, value) in checkpoint.Custom)
        {
            _custom[name] = value;
        }

        _costById = (ulong[])checkpoint.CostById.Clone();
        _charged = (bool[])checkpoint.Charged.Clone();

        Hardware.Restore(checkpoint.Hardware);
    }

    /// <summary>Adds <paramref name="times"/> × (<paramref name="to"/> − <paramref name="from"/>) to every metric, saturating.</summary>
    public void AddRepeated(Checkpoint from, Checkpoint to, ulong times)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        long[] scalars =
        [
            Entries, Exits, FastpathExits, GuestFaults, Pmis, PerfCreates, PerfReleases, PerfReprograms, PmuRequests,
        ];
        HardwareAccessCounters.AddRepeated(scalars, from.Scalars, to.Scalars, times);
        ulong[] unsigned = [Cost, CountExpected, CountObserved];
        for (int i = 0; i < unsigned.Length; i++)
        {
            unsigned[i] = SaturatingAdd(unsigned[i], SaturatingMultiply(to.Unsigned[i] - from.Unsigned[i], times));
        }

        SetScalars(scalars, unsigned);
        HardwareAccessCounters.AddRepeated(_exitsByReason, from.ExitsByReason, to.ExitsByReason, times);
        foreach (var (name, value) in to.Custom)
        {
            long delta = value - from.Custom.GetValueOrDefault(name);
            _custom[name] = HardwareAccessCounters.SaturatingAddRepeated(_custom.GetValueOrDefault(name), delta, times);
        }

        if (_costById.Length < to.CostById.Length)
        {
            Array.Resize(ref _costById, to.CostById.Length);
            Array.Resize(ref _charged, to.Charged.Length);
        }

        for (int i = 0; i < to.CostById.Length; i++)
        {
            ulong delta = to.CostById[i] - Checkpoint.At(from.CostById, i);
            _costById[i] = SaturatingAdd(_costById[i], SaturatingMultiply(delta, times));
            _charged[i] |= to.Charged[i];
        }

        Hardware.AddRepeated(from.Hardware, to.Hardware, times);
    }

    private void SetScalars(long[] s, ulong[] u)
    {
        (Entries, Exits, FastpathExits, GuestFaults, Pmis, PerfCreates, PerfReleases, PerfReprograms, PmuRequests) =
            (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]);
        (Cost, CountExpected, CountObserved) = (u[0], u[1], u[2]);
    }
}
