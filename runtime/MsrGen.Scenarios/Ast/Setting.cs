using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace MsrGen.Scenarios;

/// <summary>The value of a <c>KEY=VALUE</c> pair, typed by the key's declared kind.</summary>
public abstract record SettingValue;

public sealed record NumberValue(ulong Value) : SettingValue;

/// <summary><c>on</c> / <c>off</c>.</summary>
public sealed record SwitchValue(bool On) : SettingValue;

/// <summary>A choice (lower-cased) or a name / free word (as written).</summary>
public sealed record WordValue(string Word) : SettingValue;

/// <summary><c>V,V,...</c>.</summary>
public sealed record NumberListValue(EquatableList<ulong> Values) : SettingValue;

/// <summary>One <c>KEY=VALUE</c> pair; <see cref="Key"/> is lower-case, <see cref="Span"/> points at the key.</summary>
public sealed record Setting(SourceSpan Span, string Key, SettingValue Value);

/// <summary>The <c>KEY=VALUE</c> pairs of a statement, in file order, each key at most once.</summary>
public sealed class SettingList : IReadOnlyList<Setting>, IEquatable<SettingList>
{
    private readonly EquatableList<Setting> items;

    public SettingList(IEnumerable<Setting> settings) => items = new EquatableList<Setting>(settings);

    public static SettingList Empty { get; } = new([]);

    public int Count => items.Count;

    public Setting this[int index] => items[index];

    public Setting? Find(string key) => items.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase));

    public bool Contains(string key) => Find(key) is not null;

    public ulong? Number(string key) => (Find(key)?.Value as NumberValue)?.Value;

    public bool? Switch(string key) => (Find(key)?.Value as SwitchValue)?.On;

    public string? Word(string key) => (Find(key)?.Value as WordValue)?.Word;

    public EquatableList<ulong>? Numbers(string key) => (Find(key)?.Value as NumberListValue)?.Values;

    public IEnumerator<Setting> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(SettingList? other) => other is not null && items.Equals(other.items);

    public override bool Equals(object? obj) => Equals(obj as SettingList);

    public override int GetHashCode() => items.GetHashCode();

    public override string ToString() => items.ToString();
}
