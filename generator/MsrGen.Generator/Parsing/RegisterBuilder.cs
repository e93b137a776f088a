using System.Collections.Generic;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

/// <summary>Mutable state of the register being read; turned into a <see cref="RegisterModel"/> at 'end'.</summary>
internal sealed class RegisterBuilder
{
    public RegisterBuilder(string name, Token nameToken, uint address, SourcePosition position)
    {
        Name = name;
        NameToken = nameToken;
        Address = address;
        Position = position;
    }

    public string Name { get; }
    public Token NameToken { get; }
    public uint Address { get; }
    public SourcePosition Position { get; }
    public bool HasErrors { get; set; }

    /// <summary>A line that declared bits was rejected, so uncovered bits are a consequence, not a finding.</summary>
    public bool LayoutIncomplete { get; set; }

    public uint Stride { get; set; }
    public int Max { get; set; } = 1;
    public string Count { get; set; } = "";
    public bool HasArray { get; set; }
    public AccessKind? Access { get; set; }
    public AccessKind? HostAccess { get; set; }
    public EffectKinds Effects { get; set; }
    public VendorKind? Vendor { get; set; }
    public ProfileKinds? Profile { get; set; }
    public string Gate { get; set; } = "";
    public bool ReservedWritesFault { get; set; } = true;
    public bool Switched { get; set; } = true;
    public ulong Reset { get; set; }
    public Token? ResetToken { get; set; }
    public string Source { get; set; } = "";
    public string Description { get; set; } = "";
    public List<string> Aliases { get; } = new();

    /// <summary>The 'kernel' line's name as written (checked against the names at 'end'), and where it is.</summary>
    public string KernelName { get; set; } = "";
    public Token? KernelToken { get; set; }

    public List<(FieldModel Field, Token At)> Fields { get; } = new();
    public List<(FieldArrayModel Array, Token At)> FieldArrays { get; } = new();
    public List<(int Msb, int Lsb, Token At)> Reserved { get; } = new();
    public List<InterceptRule> Intercepts { get; } = new();
}

/// <summary>State of an 'enum' block inside a register.</summary>
internal sealed class EnumBuilder
{
    public EnumBuilder(FieldModel field, Token at)
    {
        Field = field;
        At = at;
    }

    public FieldModel Field { get; }
    public Token At { get; }
    public List<EnumValueModel> Values { get; } = new();
}

/// <summary>State of a 'group' (field array with several fields per element) inside a register.</summary>
internal sealed class GroupBuilder
{
    public GroupBuilder(string name, Token at, int baseLsb, int stride, int max, string count, string condition, ulong reset, string description)
    {
        Name = name;
        At = at;
        BaseLsb = baseLsb;
        Stride = stride;
        Max = max;
        Count = count;
        Condition = condition;
        Reset = reset;
        Description = description;
    }

    public string Name { get; }
    public Token At { get; }
    public int BaseLsb { get; }
    public int Stride { get; }
    public int Max { get; }
    public string Count { get; }
    public string Condition { get; }
    public ulong Reset { get; }
    public string Description { get; }
    public List<(FieldModel Field, Token At)> Fields { get; } = new();
    public List<(int Msb, int Lsb, Token At)> Reserved { get; } = new();

    /// <summary>'rename FIELD@k NAME' lines, resolved against the fields at 'end'.</summary>
    public List<(string Field, int Element, string Name, Token FieldAt, Token NameAt)> Renames { get; } = new();
}
