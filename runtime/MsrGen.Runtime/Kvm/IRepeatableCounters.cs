using System;

namespace MsrGen.Runtime.Kvm;

/// <summary>
/// What a vPMU design exposes so that a long run of identical VM-exits (<c>guest exits</c>, or
/// the instructions KVM emulates for <c>guest emulate</c>) can be applied in closed form: the
/// guest's counters as KVM sees them (pmc_read_counter() in arch/x86/kvm/pmu.h), their widths,
/// and a way to add to them that leaves the design in the state the same events one by one would
/// have left it, short of an observable overflow (the caller never lets a counter wrap in the
/// closed form unless the wrap is silent).
/// </summary>
/// <remarks>
/// Counters are numbered GP first, then fixed. Reads may touch the modelled hardware; the caller
/// discards those accesses from the metrics, since no guest instruction made them.
/// </remarks>
public interface IRepeatableCounters
{
    /// <summary>GP plus fixed counters of the guest.</summary>
    int RepeatableCounterCount { get; }

    /// <summary>The guest value of every counter, masked to its width.</summary>
    void ReadRepeatableCounters(Span<ulong> values);

    /// <summary>The width mask of counter <paramref name="index"/> (2^width - 1).</summary>
    ulong RepeatableCounterMask(int index);

    /// <summary>
    /// Whether a wrap of counter <paramref name="index"/> now would change nothing but its value:
    /// its overflow bit in GLOBAL_STATUS is already set (it is sticky until the guest clears it)
    /// and its overflow asks for no PMI. Such a counter may wrap inside the closed form.
    /// </summary>
    bool RepeatableCounterWrapIsSilent(int index);

    /// <summary>
    /// Whether the closed form may be used now (false while something records every operation in
    /// order, such as an access trace of the world switch).
    /// </summary>
    bool CanRepeat => true;

    /// <summary>How many statistics the design keeps outside the VM's metrics (loads, puts, ...).</summary>
    int RepeatableStatisticCount => 0;

    /// <summary>The design's own statistics, in a fixed order.</summary>
    void ReadRepeatableStatistics(Span<long> values)
    {
    }

    /// <summary>Adds <paramref name="times"/> × <paramref name="perStep"/>[i] to statistic i (saturating).</summary>
    void AddRepeatableStatistics(ReadOnlySpan<long> perStep, ulong times)
    {
    }

    /// <summary>
    /// Adds <paramref name="deltas"/>[i] events to counter i, as KVM's emulated-event path would
    /// have (kvm_pmu_incr_counter() in arch/x86/kvm/pmu.c), modulo its width; only a counter whose
    /// wrap is silent is ever asked to pass its width.
    /// </summary>
    void AddToRepeatableCounters(ReadOnlySpan<ulong> deltas);
}
