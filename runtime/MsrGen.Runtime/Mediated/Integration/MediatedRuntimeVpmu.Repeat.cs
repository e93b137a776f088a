using System;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Mediated.Integration;

/// <summary>The closed form of many identical exits, on the mediated state.</summary>
internal sealed partial class MediatedRuntimeVpmu : IRepeatableCounters
{
    public int RepeatableCounterCount => State.RepeatableCounterCount;

    public void ReadRepeatableCounters(Span<ulong> values) => State.ReadRepeatableCounters(values);

    public ulong RepeatableCounterMask(int index) => State.RepeatableCounterMask(index);

    public bool RepeatableCounterWrapIsSilent(int index) => State.RepeatableCounterWrapIsSilent(index);

    public bool CanRepeat => State.CanRepeat;

    public int RepeatableStatisticCount => State.RepeatableStatisticCount;

    public void ReadRepeatableStatistics(Span<long> values) => State.ReadRepeatableStatistics(values);

    public void AddRepeatableStatistics(ReadOnlySpan<long> perStep, ulong times) => State.AddRepeatableStatistics(perStep, times);

    public void AddToRepeatableCounters(ReadOnlySpan<ulong> deltas) => State.AddToRepeatableCounters(deltas);
}
