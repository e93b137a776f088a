using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using MsrGen.Registers;
using MsrGen.Runtime.Reporting;

namespace MsrGen.Cli.Commands;

/// <summary><c>msrgen list</c>: the generated register catalog as a table.</summary>
internal static class ListCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("list", "List the registers of the generated catalog (address, name, vendor, access, gating feature).");
        command.SetAction(_ =>
        {
            Write(output);
            return 0;
        });
        return command;
    }

    public static void Write(TextWriter output)
    {
        var rows = new List<string[]>();
        foreach (var id in MsrCatalog.Ids)
        {
            var d = MsrCatalog.Describe(id);
            if (d is null)
            {
                continue;
            }

            string address = d.IsArray
                ? string.Create(CultureInfo.InvariantCulture, $"0x{d.BaseAddress:X}{(d.Stride == 1 ? "+n" : $"+{d.Stride}n")}")
                : string.Create(CultureInfo.InvariantCulture, $"0x{d.BaseAddress:X}");
            string access = d.Access switch
            {
                MsrAccess.ReadOnly => "ro",
                MsrAccess.WriteOnly => "wo",
                _ => "rw",
            };
            string profile = d.Profile == MsrProfile.All ? "" : d.Profile == MsrProfile.Upstream ? " (upstream)" : " (pv-lbr-2018)";
            // NAME@k names instance k only: shown as "NAME (n=k)".
            var names = new List<string>();
            foreach (string alias in d.Aliases)
            {
                int at = alias.IndexOf('@', System.StringComparison.Ordinal);
                names.Add(at < 0 ? alias : alias[..at] + " (n=" + alias[(at + 1)..] + ")");
            }

            string aliases = names.Count == 0 ? "-" : string.Join(", ", names);
            rows.Add(new[] { address, d.Name + profile, d.Vendor.ToString().ToLowerInvariant(), access, d.Gate.Length == 0 ? "-" : d.Gate, aliases });
        }

        TextTable.Write(output, new[] { "address", "name", "vendor", "access", "gate", "kernel names" }, rows, leftAligned: 6);
    }
}
