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

    public void AddToRepeatableCounters(ReadOnlySpan<ulong> deltas) => State.AddToRepeatableCounters(deltas);
}
