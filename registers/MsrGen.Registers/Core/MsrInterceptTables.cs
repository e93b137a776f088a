using System;
using System.Collections.Generic;

namespace MsrGen.Registers;

/// <summary>
/// Fills the hardware intercept tables from a generated catalog's rows: every register instance
/// that exists for the guest follows its intercept policy; everything else keeps the tables'
/// default (exit). Generated catalogs call this with their own rows.
/// </summary>
public static class MsrInterceptTables
{
    /// <summary>The VMX MSR bitmap KVM would load for a vCPU.</summary>
    public static VmxMsrBitmap BuildVmxBitmap(IReadOnlyList<MsrCatalogEntry> rows, VpmuMode mode, in PmuCaps guest, in PmuCaps host, MsrProfile profile)
    {
        var bitmap = new VmxMsrBitmap();
        Apply(rows, mode, guest, host, profile, bitmap.Set);
        return bitmap;
    }

    /// <summary>The SVM MSR permission map KVM would load for a vCPU.</summary>
    public static SvmMsrPermissionMap BuildSvmPermissionMap(IReadOnlyList<MsrCatalogEntry> rows, VpmuMode mode, in PmuCaps guest, in PmuCaps host, MsrProfile profile)
    {
        var map = new SvmMsrPermissionMap();
        Apply(rows, mode, guest, host, profile, map.Set);
        return map;
    }

    private static void Apply(IReadOnlyList<MsrCatalogEntry> rows, VpmuMode mode, in PmuCaps guest, in PmuCaps host, MsrProfile profile, Func<uint, MsrIntercept, bool> set)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (mode == VpmuMode.Off)
        {
            return;
        }

        foreach (var row in rows)
        {
            var descriptor = row.Descriptor;
            if ((descriptor.Profile & profile) == 0)
            {
                continue;
            }

            for (int n = 0; n < descriptor.MaxInstances; n++)
            {
                if (row.Exists(guest, n))
                {
                    set(descriptor.AddressOf(n), row.InterceptPolicy(mode, guest, host, n));
                }
            }
        }
    }
}
