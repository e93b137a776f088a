using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using CsCheck;
using MsrGen.Registers;
using Xunit;

namespace MsrGen.Generator.Tests.Semantics;

/// <summary>
/// Every typed field of every generated register, found by reflection on the register library: a value set
/// with its With… setter reads back, and the setter leaves every other bit of the register unchanged.
/// </summary>
public sealed class FieldRoundTripProperties
{
    private const string Seed = "0N0XIzNsQ0O2";

    /// <summary>One field accessor pair: getter and With… setter, with the bits they cover.</summary>
    private sealed record FieldAccess(Type Register, string Member, int Lsb, int Width, int Stride, int Elements, Type ValueType,
        MethodInfo Setter, MemberInfo Getter)
    {
        public bool IsArray => Elements > 0;

        public ulong Mask(int n) => Bits.Mask(Lsb + n * Stride, Width);

        public object Box(ulong raw)
        {
            ulong value = raw & Bits.LowOnes(Width);
            return ValueType == typeof(bool) ? value != 0
                : ValueType.IsEnum ? Enum.ToObject(ValueType, value)
                : Convert.ChangeType(value, ValueType, System.Globalization.CultureInfo.InvariantCulture);
        }

        public ulong Unbox(object value) =>
            value is bool b ? (b ? 1UL : 0UL) : Convert.ToUInt64(ValueType.IsEnum ? Convert.ChangeType(value, Enum.GetUnderlyingType(ValueType), System.Globalization.CultureInfo.InvariantCulture) : value, System.Globalization.CultureInfo.InvariantCulture);

        public object Create(ulong raw) => Register.GetMethod("FromRawUnchecked")!.Invoke(null, new object[] { raw })!;

        public object With(object register, int n, object value) =>
            Setter.Invoke(register, IsArray ? new[] { n, value } : new[] { value })!;

        public object Get(object register, int n) => Getter switch
        {
            PropertyInfo p => p.GetValue(register)!,
            MethodInfo m => m.Invoke(register, new object[] { n })!,
            _ => throw new InvalidOperationException(Member),
        };

        public override string ToString() => Register.Name + "." + Member;
    }

    private static readonly IReadOnlyList<FieldAccess> Fields = Discover();

    private static ulong ValueOf(object register) => (ulong)register.GetType().GetProperty("Value")!.GetValue(register)!;

    private static IReadOnlyList<FieldAccess> Discover()
    {
        var result = new List<FieldAccess>();
        var registers = typeof(PmuCaps).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<MsrRegisterAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in registers)
        {
            foreach (var setter in type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                         .Where(m => m.Name.StartsWith("With", StringComparison.Ordinal))
                         .OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                var field = setter.GetCustomAttribute<MsrFieldAttribute>();
                Assert.True(field is not null, type.Name + "." + setter.Name + " has no [MsrField]");
                string member = setter.Name.Substring(4);
                var parameters = setter.GetParameters();
                bool isArray = parameters.Length == 2;
                MemberInfo getter = isArray
                    ? type.GetMethod(member, new[] { typeof(int) })!
                    : type.GetProperty(member)!;
                Assert.True(getter is not null, type.Name + "." + member + " has a setter but no getter");
                result.Add(new FieldAccess(type, member, field!.Lsb, field.Width, field.ElementStride, isArray ? field.ElementCount : 0,
                    parameters[^1].ParameterType, setter, getter!));
            }
        }

        return result;
    }

    [Fact]
    public void Discovery_finds_the_fields_of_every_register()
    {
        int registers = typeof(PmuCaps).Assembly.GetTypes().Count(t => t.GetCustomAttribute<MsrRegisterAttribute>() is not null);

        Assert.True(registers >= 30, "found " + registers + " registers");
        Assert.Equal(registers, Fields.Select(f => f.Register).Distinct().Count());
        Assert.Contains(Fields, f => f.ToString() == "Ia32PerfGlobalCtrl.EnPmc" && f.IsArray && f.Stride == 1);
        Assert.Contains(Fields, f => f.ToString() == "Ia32FixedCtrCtrl.FixedPmi" && f.Stride == 4);
        Assert.Contains(Fields, f => f.ToString() == "Ia32PerfCapabilities.LbrFmt" && f.ValueType.IsEnum);
    }

    [Fact]
    public void Every_field_round_trips_and_leaves_other_bits_alone()
    {
        var gen = Gen.Select(Gen.Int[0, Fields.Count - 1], Gen.ULong, Gen.ULong, Gen.Int[0, 63]);

        gen.Sample((index, initial, raw, element) =>
        {
            var field = Fields[index];
            int n = field.IsArray ? element % field.Elements : 0;
            object value = field.Box(raw);
            object before = field.Create(initial);

            object after = field.With(before, n, value);

            Assert.Equal(value, field.Get(after, n));
            ulong mask = field.Mask(n);
            Assert.Equal(initial & ~mask, ValueOf(after) & ~mask);
            Assert.Equal((field.Unbox(value) << (field.Lsb + n * field.Stride)) & mask, ValueOf(after) & mask);
        }, seed: Seed, iter: 20_000, threads: 1, print: t => Fields[t.Item1] + " initial=0x" + t.Item2.ToString("X") + " raw=0x" + t.Item3.ToString("X") + " n=" + t.Item4);
    }

    [Fact]
    public void Array_fields_ignore_indices_outside_the_array()
    {
        var arrays = Fields.Where(f => f.IsArray).ToList();
        Assert.NotEmpty(arrays);
        foreach (var field in arrays)
        {
            object zero = field.Box(0);
            object ones = field.Box(ulong.MaxValue);
            foreach (int n in new[] { -1, field.Elements, field.Elements + 1, 64, 1 << 20, int.MaxValue, int.MinValue })
            {
                foreach (ulong initial in new[] { 0UL, ulong.MaxValue, 0x5A5A_5A5A_5A5A_5A5AUL })
                {
                    object register = field.Create(initial);

                    Assert.Equal(zero, field.Get(register, n));
                    Assert.Equal(initial, ValueOf(field.With(register, n, ones)));
                    Assert.Equal(initial, ValueOf(field.With(register, n, zero)));
                }
            }
        }
    }

    [Fact]
    public void Every_field_reads_back_all_ones_and_zero()
    {
        foreach (var field in Fields)
        {
            for (int n = 0; n < Math.Max(field.Elements, 1); n++)
            {
                foreach (ulong initial in new[] { 0UL, ulong.MaxValue })
                {
                    object after = field.With(field.Create(initial), n, field.Box(~initial));
                    Assert.Equal(initial ^ field.Mask(n), ValueOf(after));
                }
            }
        }
    }
}
