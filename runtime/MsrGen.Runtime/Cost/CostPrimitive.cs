using System;
using System.Collections.Concurrent;

namespace MsrGen.Runtime.Cost;

/// <summary>
/// A cost primitive's handle: its public name (the <c>cost NAME=N</c> key of a scenario and the
/// <c>cost.NAME</c> metric) and a dense id that <see cref="CostTable"/> and
/// <see cref="Metrics.VmMetrics"/> index arrays with, so that charging a cost on every VM-exit is
/// an array update rather than a string lookup. Ids are process-wide: one per distinct name, the
/// built-in primitives first.
/// </summary>
public readonly struct CostPrimitive : IEquatable<CostPrimitive>
{
    // Reads are lock-free (the hot path charges by name too); ids are only added under the gate.
    private static readonly object Gate = new();
    private static readonly ConcurrentDictionary<string, int> Ids = new(StringComparer.Ordinal);
    private static volatile string[] _names = new string[32];
    private static volatile int _count;

    private CostPrimitive(int id, string name)
    {
        Id = id;
        Name = name;
    }

    public int Id { get; }

    public string Name { get; }

    /// <summary>How many primitives have an id so far.</summary>
    public static int Count => _count;

    /// <summary>The handle of <paramref name="name"/>, giving it the next id on first use.</summary>
    public static CostPrimitive Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Ids.TryGetValue(name, out int known))
        {
            return new CostPrimitive(known, name);
        }

        lock (Gate)
        {
            if (!Ids.TryGetValue(name, out int id))
            {
                id = _count;
                var names = _names;
                if (id == names.Length)
                {
                    Array.Resize(ref names, id * 2);
                }

                names[id] = name;
                _names = names;
                _count = id + 1;
                Ids[name] = id;
            }

            return new CostPrimitive(id, name);
        }
    }

    /// <summary>The handle of a name that already has an id.</summary>
    public static bool TryFind(string name, out CostPrimitive primitive)
    {
        if (Ids.TryGetValue(name, out int id))
        {
            primitive = new CostPrimitive(id, name);
            return true;
        }

        primitive = default;
        return false;
    }

    /// <summary>The name of an id handed out by <see cref="Of"/>.</summary>
    public static string NameOf(int id)
    {
        var names = _names;
        return (uint)id < (uint)_count && (uint)id < (uint)names.Length ? names[id] : throw new ArgumentOutOfRangeException(nameof(id));
    }

    /// <summary>Reports, dictionaries and scenario keys keep using the name.</summary>
    public static implicit operator string(CostPrimitive primitive) => primitive.Name;

    public bool Equals(CostPrimitive other) => Id == other.Id && string.Equals(Name, other.Name, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is CostPrimitive other && Equals(other);

    public override int GetHashCode() => Id;

    public override string ToString() => Name;

    public static bool operator ==(CostPrimitive left, CostPrimitive right) => left.Equals(right);

    public static bool operator !=(CostPrimitive left, CostPrimitive right) => !left.Equals(right);
}
