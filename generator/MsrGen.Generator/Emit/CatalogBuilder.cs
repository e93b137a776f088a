using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Emit;

/// <summary>
/// Joins the registers of all definition files: reports names defined twice and addresses claimed
/// twice within one profile (each at the later definition), and keeps the rest for the catalog.
/// </summary>
internal static class CatalogBuilder
{
    public static CatalogResult Build(ImmutableArray<CatalogFile> files, string ns)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var kept = new List<CatalogEntry>();
        var dropped = new List<DroppedRegister>();
        var names = new Dictionary<string, CatalogEntry>(StringComparer.Ordinal);
        var typeNames = new Dictionary<string, CatalogEntry>(StringComparer.Ordinal);
        var addresses = new Dictionary<(uint Address, ProfileKinds Profile), (CatalogEntry Entry, int Index)>();
        var hints = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        // Ordinal path order makes "the later definition" the same on every machine.
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            if (hints.TryGetValue(file.HintName, out var otherPath))
            {
                diagnostics.Add(new DiagnosticInfo(GeneratorDiagnostics.DuplicateFileName,
                    $"definition file name '{FileName(file.Path)}' is also used by '{otherPath}': generated files are named after definition files, so rename one",
                    new SourcePosition(file.Path, 1, 1, 0, 1)));
                continue;
            }

            hints[file.HintName] = file.Path;
            foreach (var entry in file.Entries)
            {
                if (names.TryGetValue(entry.Name, out var first) || typeNames.TryGetValue(entry.TypeName, out first))
                {
                    diagnostics.Add(new DiagnosticInfo(GeneratorDiagnostics.DuplicateName,
                        $"register '{entry.Name}' (type {entry.TypeName}) is already defined at {Where(first.Position)}",
                        entry.Position));
                    dropped.Add(new DroppedRegister(file.Path, entry.Name));
                    continue;
                }

                var clash = FindClash(entry, addresses);
                if (clash is { } c)
                {
                    diagnostics.Add(new DiagnosticInfo(GeneratorDiagnostics.AddressClash,
                        $"'{Instance(entry, c.MyIndex)}' at 0x{c.Address:X} clashes with '{Instance(c.Other, c.OtherIndex)}' ({Where(c.Other.Position)}) in profile {ProfileName(c.Profile)}: " +
                        "put one of them in another profile (upstream or pv-lbr-2018) or move it",
                        entry.Position));
                    dropped.Add(new DroppedRegister(file.Path, entry.Name));
                    continue;
                }

                names[entry.Name] = entry;
                typeNames[entry.TypeName] = entry;
                var aliases = new List<string>();
                foreach (string alias in entry.Aliases)
                {
                    string key = AliasKey(alias);
                    if (names.TryGetValue(key, out var owner) && (owner.Profile & entry.Profile) != 0)
                    {
                        diagnostics.Add(new DiagnosticInfo(GeneratorDiagnostics.DuplicateName,
                            $"alias '{alias}' of '{entry.Name}' is already a name of '{owner.Name}' ({Where(owner.Position)}): a name must find one register",
                            entry.Position));
                        continue;
                    }

                    names[key] = entry;
                    aliases.Add(alias);
                }

                var kept1 = aliases.Count == entry.Aliases.Count ? entry : entry with { Aliases = aliases.ToEquatableArray() };
                for (int n = 0; n < entry.Max; n++)
                {
                    uint address = entry.Address + (uint)n * entry.Stride;
                    foreach (var profile in Profiles(entry.Profile))
                    {
                        addresses[(address, profile)] = (entry, n);
                    }
                }

                kept.Add(kept1);
            }
        }

        // Positions are not part of the source model, so moving a definition does not re-emit the catalog.
        var source = kept.OrderBy(e => e.Address).ThenBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => e with { Position = new SourcePosition("", 0, 0, 0, 0) });
        return new CatalogResult(new CatalogSourceModel(ns, source.ToEquatableArray()), diagnostics.ToEquatableArray(),
            dropped.OrderBy(d => d.Path, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal).ToEquatableArray());
    }

    private static (uint Address, ProfileKinds Profile, CatalogEntry Other, int OtherIndex, int MyIndex)? FindClash(
        CatalogEntry entry, Dictionary<(uint, ProfileKinds), (CatalogEntry Entry, int Index)> addresses)
    {
        for (int n = 0; n < entry.Max; n++)
        {
            uint address = entry.Address + (uint)n * entry.Stride;
            foreach (var profile in Profiles(entry.Profile))
            {
                if (addresses.TryGetValue((address, profile), out var other))
                {
                    return (address, profile, other.Entry, other.Index, n);
                }
            }
        }

        return null;
    }

    /// <summary>The name an alias claims: NAME@k claims its instance's name, NAME{n} the pattern.</summary>
    private static string AliasKey(string alias)
    {
        int at = alias.IndexOf('@');
        return at < 0 ? alias : alias.Substring(0, at);
    }

    private static IEnumerable<ProfileKinds> Profiles(ProfileKinds profiles)
    {
        if ((profiles & ProfileKinds.Upstream) != 0)
        {
            yield return ProfileKinds.Upstream;
        }

        if ((profiles & ProfileKinds.PvLbr2018) != 0)
        {
            yield return ProfileKinds.PvLbr2018;
        }
    }

    private static string ProfileName(ProfileKinds profile) => profile == ProfileKinds.Upstream ? "upstream" : "pv-lbr-2018";

    private static string Instance(CatalogEntry entry, int n) =>
        entry.Name.Replace("{n}", n.ToString(CultureInfo.InvariantCulture));

    private static string Where(SourcePosition p) => $"{FileName(p.Path)}({p.Line},{p.Column})";

    private static string FileName(string path)
    {
        string normalized = path.Replace('\\', '/');
        int slash = normalized.LastIndexOf('/');
        return slash >= 0 ? normalized.Substring(slash + 1) : normalized;
    }
}
