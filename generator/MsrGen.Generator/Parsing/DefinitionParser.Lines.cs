using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

internal sealed partial class DefinitionParser
{
    private void ProcessRegisterLine(string word, List<Token> tokens)
    {
        var reg = _register!;
        switch (word)
        {
            case "end":
                if (ExpectArgs(tokens, 1))
                {
                    FinishRegister(reg);
                }
                else
                {
                    FinishRegister(reg);
                }

                _register = null;
                break;
            case "array":
                ReadArray(reg, tokens);
                break;
            case "vendor":
                if (ExpectArgs(tokens, 2))
                {
                    reg.Vendor = ParseVendor(tokens[1]);
                }

                break;
            case "profile":
                if (ExpectArgs(tokens, 2))
                {
                    reg.Profile = ParseProfile(tokens[1]);
                }

                break;
            case "access":
                if (ExpectArgs(tokens, 2))
                {
                    reg.Access = ParseAccess(tokens[1]);
                }

                break;
            case "host-access":
                if (ExpectArgs(tokens, 2))
                {
                    reg.HostAccess = ParseAccess(tokens[1]);
                }

                break;
            case "effects":
                for (int i = 1; i < tokens.Count; i++)
                {
                    if (EffectOf(tokens[i].Text.ToLowerInvariant()) is { } effect)
                    {
                        reg.Effects |= effect;
                    }
                    else
                    {
                        Report(GeneratorDiagnostics.BadValue, $"unknown side effect '{tokens[i].Text}' (w1c, w1s, rc or reads-zero)", tokens[i]);
                        MarkRegisterBroken();
                    }
                }

                break;
            case "reserved-writes":
                if (ExpectArgs(tokens, 2))
                {
                    switch (tokens[1].Text.ToLowerInvariant())
                    {
                        case "fault": reg.ReservedWritesFault = true; break;
                        case "drop": reg.ReservedWritesFault = false; break;
                        default:
                            Report(GeneratorDiagnostics.BadValue, $"'reserved-writes' is 'fault' or 'drop', not '{tokens[1].Text}'", tokens[1]);
                            MarkRegisterBroken();
                            break;
                    }
                }

                break;
            case "switched":
                if (ExpectArgs(tokens, 2))
                {
                    switch (tokens[1].Text.ToLowerInvariant())
                    {
                        case "yes": reg.Switched = true; break;
                        case "no": reg.Switched = false; break;
                        default:
                            Report(GeneratorDiagnostics.BadValue, $"'switched' is 'yes' or 'no', not '{tokens[1].Text}'", tokens[1]);
                            MarkRegisterBroken();
                            break;
                    }
                }

                break;
            case "reset":
                if (ExpectArgs(tokens, 2) && TryNumber(tokens[1], out ulong reset))
                {
                    reg.Reset = reset;
                    reg.ResetToken = tokens[1];
                }

                break;
            case "gate":
                if (tokens.Count < 2)
                {
                    ExpectArgs(tokens, 2);
                    break;
                }

                int quoted = tokens.FindIndex(1, t => t.Quoted);
                if (quoted > 0)
                {
                    // Quoted text is not part of a condition (it used to leave nothing to check: an internal error).
                    Report(GeneratorDiagnostics.Syntax, "'gate' takes a condition, not quoted text", tokens[quoted]);
                    break;
                }

                string gate = RestOfLine(tokens, 1);
                if (CheckExpression(gate, tokens.Skip(1).Where(t => !t.Quoted).ToList(), allowIndex: false, allowHost: false, CapabilityExpression.ValueKind.Boolean))
                {
                    reg.Gate = ConstantFolded(gate);
                }

                break;
            case "intercept":
                ReadIntercept(reg, tokens);
                break;
            case "alias":
                ReadAliases(reg, tokens);
                break;
            case "kernel":
                ReadKernelName(reg, tokens);
                break;
            case "source":
            case "doc":
                if (tokens.Count != 2 || !tokens[1].Quoted)
                {
                    Report(GeneratorDiagnostics.Syntax, $"expected '{word} \"TEXT\"'", tokens[0]);
                    MarkRegisterBroken();
                    break;
                }

                if (word == "source")
                {
                    reg.Source = tokens[1].Text;
                }
                else
                {
                    reg.Description = tokens[1].Text;
                }

                break;
            case "field":
                if (ReadField(tokens, 64) is { } field)
                {
                    reg.Fields.Add((field, tokens[1]));
                }

                break;
            case "enum":
                if (ReadField(tokens, 64) is { } enumField)
                {
                    _enum = new EnumBuilder(enumField, tokens[1]);
                }
                else
                {
                    // Swallow the block's values and its 'end' without further errors.
                    _enum = new EnumBuilder(new FieldModel("?", 0, 1, AccessKind.ReadWrite, EffectKinds.None, "", "", EquatableArray<EnumValueModel>.Empty, ""), tokens[0]);
                    MarkRegisterBroken();
                }

                break;
            case "reserved":
                if (tokens.Count >= 2 && TryBitRange(tokens[1], 64, out int msb, out int lsb))
                {
                    ReadTail(tokens, 2, Array.Empty<string>(), allowFlags: false, allowWhen: false);
                    reg.Reserved.Add((msb, lsb, tokens[1]));
                }
                else if (tokens.Count < 2)
                {
                    ExpectArgs(tokens, 2);
                }

                break;
            case "array-field":
                ReadArrayField(reg, tokens);
                break;
            case "group":
                StartGroup(tokens);
                break;
            case "msr":
                Report(GeneratorDiagnostics.UnterminatedBlock, $"register '{reg.Name}' has no 'end' before the next 'msr'", reg.NameToken);
                reg.HasErrors = true;
                _register = null;
                StartRegister(tokens);
                break;
            default:
                Report(GeneratorDiagnostics.UnknownKeyword, $"unknown keyword '{tokens[0].Text}' in register '{reg.Name}'", tokens[0]);
                MarkRegisterBroken();
                break;
        }
    }

    private void ReadArray(RegisterBuilder reg, List<Token> tokens)
    {
        var tail = ReadTail(tokens, 1, new[] { "stride", "max", "count" }, allowFlags: false, allowWhen: false);
        if (tail is null)
        {
            return;
        }

        reg.HasArray = true;
        if (!tail.Keys.TryGetValue("max", out var maxToken) || !tail.Keys.TryGetValue("count", out var countToken))
        {
            Report(GeneratorDiagnostics.ArrayWithoutBound, "an array needs 'max=' (architectural limit) and 'count=' (instances for the caps)", tokens[0]);
            MarkRegisterBroken();
            return;
        }

        if (TryNumber(maxToken, out ulong max, 4096))
        {
            if (max == 0)
            {
                Report(GeneratorDiagnostics.BadValue, "'max' must be at least 1", maxToken);
                MarkRegisterBroken();
            }

            reg.Max = (int)Math.Max(max, 1);
        }

        reg.Stride = 1;
        if (tail.Keys.TryGetValue("stride", out var strideToken) && TryNumber(strideToken, out ulong stride, 0x1000))
        {
            if (stride == 0)
            {
                // Every instance would sit at one address: the catalog could not tell them apart.
                Report(GeneratorDiagnostics.BadValue, "'stride' must be at least 1 (stride=0 puts every instance at one address)", strideToken);
                MarkRegisterBroken();
            }
            else
            {
                reg.Stride = (uint)stride;
            }
        }

        ulong last = reg.Address + ((ulong)reg.Stride * (ulong)(Math.Max(reg.Max, 1) - 1));
        if (last > uint.MaxValue)
        {
            Report(GeneratorDiagnostics.BadValue,
                $"{reg.Max} instances {reg.Stride} apart from 0x{reg.Address:X} run past the last MSR address 0xFFFFFFFF", maxToken);
            MarkRegisterBroken();
        }

        if (CheckExpression(countToken.Text, countToken, allowIndex: false, allowHost: false, CapabilityExpression.ValueKind.Integer))
        {
            reg.Count = countToken.Text;
        }
    }

    private void ReadIntercept(RegisterBuilder reg, List<Token> tokens)
    {
        if (tokens.Count < 3)
        {
            Report(GeneratorDiagnostics.Syntax, "expected 'intercept emulated|mediated none|r|w|rw [when CONDITION]'", tokens[0]);
            MarkRegisterBroken();
            return;
        }

        ModeKind? mode = tokens[1].Text.ToLowerInvariant() switch
        {
            "emulated" => ModeKind.Emulated,
            "mediated" => ModeKind.Mediated,
            _ => null,
        };
        int policy = tokens[2].Text.ToLowerInvariant() switch
        {
            "none" => 0,
            "r" => 1,
            "w" => 2,
            "rw" => 3,
            _ => -1,
        };
        if (mode is null)
        {
            Report(GeneratorDiagnostics.BadValue, $"unknown vPMU mode '{tokens[1].Text}' (emulated or mediated)", tokens[1]);
        }

        if (policy < 0)
        {
            Report(GeneratorDiagnostics.BadValue, $"unknown intercept '{tokens[2].Text}' (none, r, w or rw: the accesses that exit)", tokens[2]);
        }

        var tail = ReadTail(tokens, 3, Array.Empty<string>(), allowFlags: false, allowWhen: true);
        if (mode is null || policy < 0 || tail is null)
        {
            MarkRegisterBroken();
            return;
        }

        if (tail.Condition.Length > 0 &&
            !CheckExpression(tail.Condition, tail.ConditionTokens, allowIndex: true, allowHost: true, CapabilityExpression.ValueKind.Boolean))
        {
            return;
        }

        if (tail.Condition == "false")
        {
            // A rule whose condition can never hold never applies (and would be unreachable code).
            return;
        }

        foreach (var earlier in reg.Intercepts)
        {
            if (earlier.Mode == mode.Value && earlier.Condition is "" or "true")
            {
                // The first rule whose condition holds wins: after an unconditional one, this never applies.
                Report(GeneratorDiagnostics.Syntax, $"this intercept rule can never apply: an earlier '{tokens[1].Text}' rule of the register has no condition and always wins", tokens[0]);
                return;
            }
        }

        reg.Intercepts.Add(new InterceptRule(mode.Value, policy, tail.Condition));
    }
}
