using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Cli.Commands;

/// <summary>
/// <c>msrgen decode MSR VALUE [--cpu PRESET]</c>: the fields of a value and which of its bits are
/// reserved for a guest on that CPU (a #GP on Intel registers that fault, dropped on AMD's).
/// </summary>
internal static class DecodeCommand
{
    public static Command Create(TextWriter output, TextWriter errors)
    {
        var msr = new Argument<string>("msr") { Description = "Register name (IA32_PERFEVTSEL0) or address (0x186)" };
        var value = new Argument<string>("value") { Description = "Value, decimal or 0x hex (_ separators allowed)" };
        var cpu = new Option<string>("--cpu")
        {
            Description = $"CPU preset whose capabilities decide the reserved bits: {string.Join(", ", PmuPresets.Names)}",
            DefaultValueFactory = _ => PmuPresets.Default,
            HelpName = "PRESET",
        };
        cpu.AcceptOnlyFromAmong([.. PmuPresets.Names]);
        var command = new Command("decode", "Decode an MSR value field by field and show its reserved bits for a CPU.\n" + CommandLineRules.DecodeExitCodes) { msr, value, cpu };
        command.SetAction(result => Run(result.GetValue(msr) ?? "", result.GetValue(value) ?? "", result.GetValue(cpu) ?? PmuPresets.Default, output, errors));
        return command;
    }

    public static int Run(string msrText, string valueText, string preset, TextWriter output, TextWriter errors)
    {
        if (!TryResolve(msrText, out var register))
        {
            errors.WriteLine($"msrgen: unknown register '{msrText}'");
            return Program.BadInput;
        }

        if (!TryParseNumber(valueText, out ulong value))
        {
            errors.WriteLine($"msrgen: '{valueText}' is not a 64-bit number");
            return Program.BadInput;
        }

        if (!PmuPresets.TryGet(preset, out var model))
        {
            errors.WriteLine($"msrgen: unknown CPU preset '{preset}'; expected one of {string.Join(", ", PmuPresets.Names)}");
            return Program.BadInput;
        }

        var caps = model.Caps;
        var descriptor = MsrCatalog.Describe(register.Id)!;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{MsrCatalog.Decode(register, value)}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  address 0x{register.Address:X}, {descriptor.Vendor.ToString().ToLowerInvariant()}, {descriptor.Source}"));
        if (descriptor.AliasesOf(register.Index) is { Length: > 0 } aliases)
        {
            output.WriteLine($"  also known as {string.Join(", ", aliases)}");
        }

        if (!MsrCatalog.Exists(register, caps))
        {
            bool alias = register.Id switch
            {
                MsrId.Ia32Pmc or MsrId.Ia32Perfevtsel => register.Index < 2,
                MsrId.MsrK7Evntsel or MsrId.MsrK7Perfctr => true,
                _ => false,
            };
            output.WriteLine(alias
                ? $"  does not exist on {model.Name}: KVM reads it as 0 and drops writes (P6/K7 counter alias)"
                : $"  does not exist on {model.Name}: a guest access would #GP");
            return 0;
        }

        ulong reserved = MsrCatalog.ReservedMask(register, caps);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  reserved on {model.Name}: 0x{reserved:X16} ({Bits.Describe(reserved)})"));
        ulong offending = value & reserved;
        if (offending == 0)
        {
            output.WriteLine("  no reserved bit is set: a guest write is accepted");
        }
        else
        {
            string effect = descriptor.ReservedWritesFault ? "a guest write would #GP" : "a guest write would have them dropped";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  sets reserved {Bits.Describe(offending)} (0x{offending:X}): {effect}"));
        }

        return 0;
    }

    private static bool TryResolve(string text, out MsrRef register)
    {
        if (MsrCatalog.TryFindByName(text.ToUpperInvariant(), MsrProfile.All, out register))
        {
            return true;
        }

        return TryParseNumber(text, out ulong address) && address <= uint.MaxValue
            && (MsrCatalog.TryFind((uint)address, MsrProfile.Upstream, out register) || MsrCatalog.TryFind((uint)address, MsrProfile.PvLbr2018, out register));
    }

    /// <summary>The scenario language's number lexer: decimal or 0x hex, '_' only between digits, -N the two's complement.</summary>
    internal static bool TryParseNumber(string text, out ulong value) => MsrGen.Scenarios.NumberLiteral.TryParseValue(text, out value);
}
