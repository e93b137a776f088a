using System;
using System.Linq;
using System.Text;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

internal sealed partial class DefinitionParser
{
    private void FinishRegister(RegisterBuilder reg)
    {
        if (_enum is not null || _group is not null)
        {
            Report(GeneratorDiagnostics.UnterminatedBlock, "an 'enum' or 'group' is still open at the register's 'end'", reg.NameToken);
            reg.HasErrors = true;
            _enum = null;
            _group = null;
        }

        if (reg.Name == "?")
        {
            return;
        }

        if (!_registerNames.Add(reg.Name))
        {
            Report(GeneratorDiagnostics.DuplicateName, $"register '{reg.Name}' is defined twice in this file", reg.NameToken);
            reg.HasErrors = true;
        }

        bool named = reg.Name.Contains("{n}");
        if (named && !reg.HasArray)
        {
            Report(GeneratorDiagnostics.ArrayWithoutBound, $"'{reg.Name}' has '{{n}}' in its name but no 'array max=… count=…' bound", reg.NameToken);
            reg.HasErrors = true;
        }
        else if (!named && reg.HasArray)
        {
            Report(GeneratorDiagnostics.Syntax, $"array register '{reg.Name}' needs '{{n}}' in its name where the index goes", reg.NameToken);
            reg.HasErrors = true;
        }

        var vendor = reg.Vendor ?? _fileVendor;
        if (vendor is null)
        {
            Report(GeneratorDiagnostics.MissingProperty, $"register '{reg.Name}' has no 'vendor' (intel, amd, kvm or synthetic)", reg.NameToken);
            reg.HasErrors = true;
        }

        if (reg.Access is null)
        {
            Report(GeneratorDiagnostics.MissingProperty, $"register '{reg.Name}' has no 'access' (ro, wo or rw)", reg.NameToken);
            reg.HasErrors = true;
        }

        var all = reg.Fields.Select(f => (f.Field, f.At))
            .Concat(reg.FieldArrays.Select(a => (new FieldModel(a.Array.Name.Replace("{n}", ""), 0, 1, AccessKind.ReadWrite,
                EffectKinds.None, "", "", EquatableArray<EnumValueModel>.Empty, ""), a.At)));
        if (HasDuplicateNames(all) || HasGeneratedNameClash(reg))
        {
            reg.HasErrors = true;
        }

        var coverage = reg.Fields.Select(f => (f.Field.Name, f.Field.Mask, f.At))
            .Concat(reg.FieldArrays.Select(a => (a.Array.Name, Replicate(a.Array), a.At)))
            .Concat(reg.Reserved.Select(r => ("reserved " + r.At.Text, Bits(r.Msb, r.Lsb), r.At)));
        if (!CheckCoverage(coverage, ulong.MaxValue, $"register '{reg.Name}'", reg.NameToken, out ulong staticReserved,
                reportUncovered: !reg.LayoutIncomplete))
        {
            reg.HasErrors = true;
        }

        if ((reg.Reset & staticReserved) != 0 && !reg.HasErrors)
        {
            Report(GeneratorDiagnostics.ResetHasReservedBits,
                $"reset value 0x{reg.Reset:X} of '{reg.Name}' sets reserved {DescribeBits(reg.Reset & staticReserved)}",
                reg.ResetToken ?? reg.NameToken);
            reg.HasErrors = true;
        }

        if (reg.HasErrors)
        {
            return;
        }

        var model = new RegisterModel(
            reg.Name,
            TypeNameOf(reg.Name),
            reg.Address,
            reg.HasArray ? reg.Stride : 0,
            reg.HasArray ? reg.Max : 1,
            reg.Count,
            reg.Access!.Value,
            reg.HostAccess ?? reg.Access!.Value,
            reg.Effects,
            vendor!.Value,
            reg.Profile ?? _fileProfile,
            reg.Gate,
            reg.ReservedWritesFault,
            reg.Switched,
            reg.Reset,
            staticReserved,
            reg.Source,
            reg.Description,
            reg.Fields.Select(f => f.Field).OrderByDescending(f => f.Lsb).ToEquatableArray(),
            reg.FieldArrays.Select(a => a.Array).OrderByDescending(a => a.BaseLsb).ToEquatableArray(),
            reg.Intercepts.ToEquatableArray()) { Aliases = reg.Aliases.ToEquatableArray(), KernelName = CheckedKernelName(reg) };
        _registers.Add(model);
        _catalog.Add(new CatalogEntry(model.Name, model.TypeName, model.Address, model.Stride, model.Max,
            model.Vendor, model.Profile, reg.Position) { Aliases = model.Aliases });
    }

    private static ulong Replicate(FieldArrayModel array)
    {
        ulong mask = 0;
        ulong element = array.ElementFieldMask;
        for (int k = 0; k < array.Max; k++)
        {
            mask |= element << (array.BaseLsb + k * array.Stride);
        }

        return mask;
    }

    /// <summary>IA32_PERF_GLOBAL_CTRL → Ia32PerfGlobalCtrl; LBR_FROM_{n} → LbrFrom.</summary>
    internal static string TypeNameOf(string name)
    {
        var sb = new StringBuilder();
        foreach (var part in name.Replace("{n}", "").Split(new[] { '_' }, StringSplitOptions.RemoveEmptyEntries))
        {
            sb.Append(char.ToUpperInvariant(part[0]));
            sb.Append(part.Substring(1).ToLowerInvariant());
        }

        return sb.ToString();
    }
}
