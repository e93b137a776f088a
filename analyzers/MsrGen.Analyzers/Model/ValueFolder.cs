using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace MsrGen.Analyzers.Model;

/// <summary>Where some bits of a folded value came from: a raw constant or one <c>With…</c> call.</summary>
internal sealed class BitSource
{
    public BitSource(IOperation origin, ulong bits, FieldSetter? setter)
    {
        Origin = origin;
        Bits = bits;
        Setter = setter;
    }

    public IOperation Origin { get; }
    /// <summary>The bits this source set that no later setter overwrote.</summary>
    public ulong Bits { get; set; }
    /// <summary>Null for a raw constant.</summary>
    public FieldSetter? Setter { get; }
}

/// <summary>A <c>With…</c> call on a register value, as its [MsrField] describes it.</summary>
internal sealed class FieldSetter
{
    public FieldSetter(IInvocationOperation call, string field, int shift, int width, bool readOnly, IArgumentOperation valueArgument)
    {
        Call = call;
        Field = field;
        Shift = shift;
        Width = width;
        ReadOnly = readOnly;
        ValueArgument = valueArgument;
    }

    public IInvocationOperation Call { get; }
    public string Field { get; }
    public int Shift { get; }
    public int Width { get; }
    public bool ReadOnly { get; }
    public IArgumentOperation ValueArgument { get; }
}

/// <summary>
/// Constant folding of register values: compile-time constants, <c>X.Zero</c>, <c>default</c>,
/// <c>X.FromRawUnchecked(c)</c> and chains of <c>With…</c> setters on them. Anything else (a local, a
/// parameter, a call) is not a constant, and nothing is judged.
/// </summary>
internal static class ValueFolder
{
    public sealed class Result
    {
        public ulong Value { get; set; }
        public List<BitSource> Sources { get; } = new();
        public List<FieldSetter> Setters { get; } = new();
    }

    public static Result? Fold(IOperation operation, RegisterCatalog catalog)
    {
        var result = new Result();
        return FoldInto(operation, catalog, result) ? result : null;
    }

    /// <summary>Setters along a chain, even when the value it starts from is not a constant.</summary>
    public static List<FieldSetter> SettersAlong(IOperation operation, RegisterCatalog catalog)
    {
        var setters = new List<FieldSetter>();
        IOperation? current = Unwrap(operation);
        while (true)
        {
            if (current is ILocalReferenceOperation local && catalog.Get(local.Type) is not null && OnlyValueOf(local) is { } initializer)
            {
                current = Unwrap(initializer);
                continue;
            }

            if (current is not IInvocationOperation { Instance: not null } call)
            {
                return setters;
            }

            if (AsSetter(call, catalog) is { } setter)
            {
                setters.Add(setter);
            }

            current = Unwrap(call.Instance);
        }
    }

    /// <summary>
    /// The initializer of a register-typed local that is never assigned again, passed by reference or
    /// captured for writing: then every read of the local sees that value (<c>var ctrl = X.Zero.WithA(..);
    /// bus.Write(ctrl);</c>). Null when the local may hold anything else.
    /// </summary>
    private static IOperation? OnlyValueOf(ILocalReferenceOperation reference)
    {
        IOperation top = reference;
        while (top.Parent is not null)
        {
            top = top.Parent;
        }

        return OnlyValueOf(top, reference.Local);
    }

    /// <summary>The same search for <paramref name="local"/> anywhere below <paramref name="top"/> (the body's operation tree).</summary>
    internal static IOperation? OnlyValueOf(IOperation top, ILocalSymbol local)
    {
        IOperation? initializer = null;
        // Deconstruction, assignment, ref/out and address-of each end the search: the local may change.
        foreach (var op in top.Descendants())
        {
            switch (op)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    initializer = declarator.Initializer?.Value;
                    break;
                case IDeconstructionAssignmentOperation deconstruction when Mentions(deconstruction.Target, local):
                case IAssignmentOperation { Target: ILocalReferenceOperation target } when SymbolEqualityComparer.Default.Equals(target.Local, local):
                case IArgumentOperation { Parameter.RefKind: not RefKind.None, Value: ILocalReferenceOperation byRef } when SymbolEqualityComparer.Default.Equals(byRef.Local, local):
                case IAddressOfOperation { Reference: ILocalReferenceOperation pointed } when SymbolEqualityComparer.Default.Equals(pointed.Local, local):
                case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation stepped } when SymbolEqualityComparer.Default.Equals(stepped.Local, local):
                    return null;
            }
        }

        return local.IsRef ? null : initializer;
    }

    private static bool Mentions(IOperation target, ILocalSymbol local)
    {
        foreach (var op in target.DescendantsAndSelf())
        {
            if (op is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                return true;
            }
        }

        return false;
    }

    private static bool FoldInto(IOperation operation, RegisterCatalog catalog, Result result)
    {
        var op = Unwrap(operation);
        if (op.ConstantValue.HasValue)
        {
            if (!TryToUInt64(op.ConstantValue.Value, out ulong constant))
            {
                return false;
            }

            result.Value = constant;
            if (constant != 0)
            {
                result.Sources.Add(new BitSource(op, constant, null));
            }

            return true;
        }

        switch (op)
        {
            case IDefaultValueOperation:
            case IObjectCreationOperation { Arguments.Length: 0, Initializer: null } when catalog.Get(op.Type) is not null:
                result.Value = 0;
                return true;
            case IPropertyReferenceOperation { Instance: null, Property.Name: "Zero" } zero when catalog.Get(zero.Type) is not null:
                result.Value = 0;
                return true;
            case IPropertyReferenceOperation { Property.Name: "Value" } value when value.Instance is not null && catalog.Get(value.Instance.Type) is not null:
                return FoldInto(value.Instance, catalog, result);
            case ILocalReferenceOperation local when catalog.Get(local.Type) is not null:
                return OnlyValueOf(local) is { } initializer && FoldInto(initializer, catalog, result);
            case IInvocationOperation { Instance: null, TargetMethod.Name: "FromRawUnchecked", Arguments.Length: 1 } raw
                when catalog.Get(raw.TargetMethod.ContainingType) is not null:
                return FoldInto(raw.Arguments[0].Value, catalog, result);
            case IInvocationOperation call when call.Instance is not null && AsSetter(call, catalog) is { } setter:
                if (!FoldInto(call.Instance, catalog, result))
                {
                    return false;
                }

                return Apply(setter, result);
            default:
                return false;
        }
    }

    private static bool Apply(FieldSetter setter, Result result)
    {
        result.Setters.Add(setter);
        if (setter.Shift < 0 || setter.Shift >= 64)
        {
            // An element index beyond the field array: the generated setter changes nothing.
            return true;
        }

        var value = Unwrap(setter.ValueArgument.Value);
        if (!value.ConstantValue.HasValue || !TryToUInt64(value.ConstantValue.Value, out ulong fieldValue))
        {
            return false;
        }

        ulong fieldMask = setter.Width >= 64 ? ulong.MaxValue : (1UL << setter.Width) - 1;
        ulong placed = fieldMask << setter.Shift;
        ulong bits = (fieldValue & fieldMask) << setter.Shift;
        result.Value = (result.Value & ~placed) | bits;
        foreach (var source in result.Sources)
        {
            source.Bits &= ~placed;
        }

        if (bits != 0)
        {
            result.Sources.Add(new BitSource(setter.Call, bits, setter));
        }

        return true;
    }

    /// <summary>A call to a generated <c>With…</c> setter; null for anything else.</summary>
    public static FieldSetter? AsSetter(IInvocationOperation call, RegisterCatalog catalog)
    {
        var method = call.TargetMethod;
        if (method.IsStatic || catalog.Get(method.ContainingType) is null ||
            !SymbolEqualityComparer.Default.Equals(method.ReturnType.OriginalDefinition, method.ContainingType.OriginalDefinition))
        {
            return null;
        }

        var field = KnownSymbols.FindAttribute(method.GetAttributes(), catalog.Symbols.FieldAttribute);
        if (field is null || field.ConstructorArguments.Length != 3 ||
            field.ConstructorArguments[0].Value is not string name ||
            field.ConstructorArguments[1].Value is not int lsb ||
            field.ConstructorArguments[2].Value is not int width)
        {
            return null;
        }

        int stride = 0;
        int count = 0;
        bool readOnly = false;
        foreach (var named in field.NamedArguments)
        {
            if (named.Key == "ElementStride" && named.Value.Value is int s)
            {
                stride = s;
            }
            else if (named.Key == "ElementCount" && named.Value.Value is int c)
            {
                count = c;
            }
            else if (named.Key == "Access")
            {
                readOnly = System.Convert.ToInt32(named.Value.Value, CultureInfo.InvariantCulture) == (int)RegisterAccess.ReadOnly;
            }
        }

        IArgumentOperation? valueArgument = null;
        long element = 0;
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter is null)
            {
                continue;
            }

            if (stride != 0 && argument.Parameter.Name == "n")
            {
                var index = Unwrap(argument.Value);
                if (!index.ConstantValue.HasValue || !TryToInt64(index.ConstantValue.Value, out element))
                {
                    element = -1;
                }
            }
            else if (argument.Parameter.Name == "value")
            {
                valueArgument = argument;
            }
        }

        if (valueArgument is null)
        {
            return null;
        }

        // The generated setter ignores an element index beyond the field array.
        bool outside = element < 0 || element > 64 || (stride != 0 && count > 0 && element >= count);
        int shift = outside ? -1 : lsb + (int)element * stride;
        return new FieldSetter(call, name, shift, width, readOnly, valueArgument);
    }

    public static IOperation Unwrap(IOperation operation)
    {
        var op = operation;
        while (true)
        {
            switch (op)
            {
                case IConversionOperation { IsImplicit: true } implicitConversion when !implicitConversion.ConstantValue.HasValue:
                    op = implicitConversion.Operand;
                    continue;
                case IParenthesizedOperation parenthesized:
                    op = parenthesized.Operand;
                    continue;
                default:
                    return op;
            }
        }
    }

    public static bool TryToUInt64(object? value, out ulong result)
    {
        switch (value)
        {
            case bool b:
                result = b ? 1UL : 0UL;
                return true;
            case ulong u:
                result = u;
                return true;
            case uint u32:
                result = u32;
                return true;
            case ushort u16:
                result = u16;
                return true;
            case byte u8:
                result = u8;
                return true;
            case long l:
                result = unchecked((ulong)l);
                return true;
            case int i:
                result = unchecked((ulong)(long)i);
                return true;
            case short s:
                result = unchecked((ulong)(long)s);
                return true;
            case sbyte sb:
                result = unchecked((ulong)(long)sb);
                return true;
            case char c:
                result = c;
                return true;
            default:
                result = 0;
                return false;
        }
    }

    public static bool TryToInt64(object? value, out long result)
    {
        switch (value)
        {
            case ulong u when u <= long.MaxValue:
                result = (long)u;
                return true;
            case ulong:
                result = long.MaxValue;
                return true;
            case bool:
            case null:
                result = 0;
                return false;
            default:
                if (TryToUInt64(value, out ulong raw))
                {
                    result = unchecked((long)raw);
                    return true;
                }

                result = 0;
                return false;
        }
    }
}
