namespace MsrGen.Generator.Model;

/// <summary>The catalog-relevant part of one definition file.</summary>
internal sealed record CatalogFile(string Path, string HintName, EquatableArray<CatalogEntry> Entries);

/// <summary>What the catalog source is made from: identities and addresses of every valid register.</summary>
internal sealed record CatalogSourceModel(string Namespace, EquatableArray<CatalogEntry> Entries);

/// <summary>A register the catalog rejected (duplicate name or type, address clash): its file leaves it out too.</summary>
internal sealed record DroppedRegister(string Path, string Name);

/// <summary>The catalog step's result: its source model, the cross-file diagnostics and the rejected registers, kept apart.</summary>
internal sealed record CatalogResult(CatalogSourceModel Source, EquatableArray<DiagnosticInfo> Diagnostics, EquatableArray<DroppedRegister> Dropped);
