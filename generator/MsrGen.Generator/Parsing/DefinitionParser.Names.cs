using System;
using System.Collections.Generic;
using MsrGen.Generator.Emit;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

internal sealed partial class DefinitionParser
{
    /// <summary>Types the catalog source declares next to the register types.</summary>
    private static readonly HashSet<string> s_catalogTypeNames = new(StringComparer.Ordinal) { "MsrCatalog", "MsrId", "MsrRef" };

    /// <summary>
    /// Different definition names can become one C# name (EN_0 and EN0 are both En0; a field named like its
    /// register's type): that would not compile, so it is a duplicate name here, at the later definition.
    /// </summary>
    private bool HasGeneratedNameClash(RegisterBuilder reg)
    {
        string typeName = TypeNameOf(reg.Name);
        if (s_catalogTypeNames.Contains(typeName))
        {
            Report(GeneratorDiagnostics.DuplicateName,
                $"register '{reg.Name}' would become type '{typeName}', which the generated catalog declares: rename the register", reg.NameToken);
            return true;
        }

        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        bool clash = false;

        void Claim(string member, string owner, Token at)
        {
            // One diagnostic per definition, not one per C# member it would have produced.
            if (reported.Contains(owner))
            {
                return;
            }

            if (member == typeName)
            {
                Report(GeneratorDiagnostics.DuplicateName,
                    $"'{owner}' would become C# member '{member}', the name of its register's type: rename the field", at);
                reported.Add(owner);
                clash = true;
            }
            else if (owners.TryGetValue(member, out string? other) && other != owner)
            {
                Report(GeneratorDiagnostics.DuplicateName,
                    $"'{owner}' and '{other}' would both become C# member '{member}' of {typeName}: rename one", at);
                reported.Add(owner);
                clash = true;
            }
            else
            {
                owners[member] = owner;
            }
        }

        foreach (var (field, at) in reg.Fields)
        {
            string member = Naming.Member(field.Name);
            Claim(member, field.Name, at);
            Claim("With" + member, field.Name, at);
            if (field.IsEnum)
            {
                Claim(member + "Value", field.Name, at);
            }
        }

        foreach (var (array, at) in reg.FieldArrays)
        {
            string prefix = array.Name.Replace("{n}", "");
            bool single = array.Fields.Count == 1;
            foreach (var field in array.Fields)
            {
                string member = single ? Naming.Member(prefix) : Naming.Member(prefix + "_" + field.Name);
                string owner = single ? array.Name : prefix + "{n}." + field.Name;
                Claim(member, owner, at);
                Claim("With" + member, owner, at);
            }

            if (single && array.Stride == 1)
            {
                Claim(Naming.Member(prefix) + "Bits", array.Name, at);
            }
        }

        if (clash)
        {
            MarkRegisterBroken();
        }

        return clash;
    }
}
