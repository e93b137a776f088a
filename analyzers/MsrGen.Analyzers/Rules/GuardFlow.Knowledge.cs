using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MsrGen.Analyzers.Model;
using MsrGen.Generator.Parsing;
using Range = MsrGen.Generator.Parsing.CapabilityExpression.Range;

namespace MsrGen.Analyzers.Rules;

/// <summary>The facts <see cref="GuardFlow"/> tracks along a path.</summary>
internal sealed partial class GuardFlow
{
    /// <summary>
    /// Facts at one program point: a range per capability name, and the registers whose
    /// <c>Exists(caps)</c> was checked true. <see cref="Unreachable"/> is the state of a point no path
    /// reaches (every fact holds there).
    /// </summary>
    public sealed class Knowledge : IEquatable<Knowledge>
    {
        public static readonly Knowledge Empty = new(ImmutableDictionary<string, Range>.Empty, ImmutableHashSet<string>.Empty, false);
        public static readonly Knowledge Unreachable = new(ImmutableDictionary<string, Range>.Empty, ImmutableHashSet<string>.Empty, true);

        private readonly ImmutableDictionary<string, Range> _ranges;
        private readonly ImmutableHashSet<string> _exists;

        private Knowledge(ImmutableDictionary<string, Range> ranges, ImmutableHashSet<string> exists, bool unreachable)
        {
            _ranges = ranges;
            _exists = exists;
            IsUnreachable = unreachable;
        }

        public bool IsUnreachable { get; }

        public Range? RangeOf(string name) => _ranges.TryGetValue(name, out var range) ? range : null;

        public bool ExistsChecked(INamedTypeSymbol register) => IsUnreachable || _exists.Contains(Key(register));

        public Knowledge Constrain(string name, Range range)
        {
            if (IsUnreachable)
            {
                return this;
            }

            var merged = _ranges.TryGetValue(name, out var old) ? old.Intersect(range) : range;
            return merged.IsEmpty ? Unreachable : new Knowledge(_ranges.SetItem(name, merged), _exists, false);
        }

        public Knowledge WithExists(INamedTypeSymbol register) =>
            IsUnreachable ? this : new Knowledge(_ranges, _exists.Add(Key(register)), false);

        /// <summary>
        /// Combines two states: <paramref name="conjunction"/> keeps what holds in either (both are
        /// known at once), otherwise only what holds in both (paths joining).
        /// </summary>
        public Knowledge Meet(Knowledge other, bool conjunction)
        {
            if (conjunction)
            {
                var result = this;
                if (other.IsUnreachable)
                {
                    return other;
                }

                foreach (var pair in other._ranges)
                {
                    result = result.Constrain(pair.Key, pair.Value);
                }

                foreach (var register in other._exists)
                {
                    result = result.IsUnreachable ? result : new Knowledge(result._ranges, result._exists.Add(register), false);
                }

                return result;
            }

            if (IsUnreachable)
            {
                return other;
            }

            if (other.IsUnreachable)
            {
                return this;
            }

            var ranges = ImmutableDictionary<string, Range>.Empty;
            foreach (var pair in _ranges)
            {
                if (other._ranges.TryGetValue(pair.Key, out var theirs))
                {
                    ranges = ranges.Add(pair.Key, pair.Value.Hull(theirs));
                }
            }

            return new Knowledge(ranges, _exists.Intersect(other._exists), false);
        }

        public bool Equals(Knowledge? other)
        {
            if (other is null || other.IsUnreachable != IsUnreachable || other._ranges.Count != _ranges.Count || !_exists.SetEquals(other._exists))
            {
                return false;
            }

            foreach (var pair in _ranges)
            {
                if (!other._ranges.TryGetValue(pair.Key, out var range) || range != pair.Value)
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as Knowledge);

        public override int GetHashCode() => _ranges.Count ^ (_exists.Count << 8) ^ (IsUnreachable ? 1 << 16 : 0);

        private static string Key(INamedTypeSymbol register) => register.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
    }
}
