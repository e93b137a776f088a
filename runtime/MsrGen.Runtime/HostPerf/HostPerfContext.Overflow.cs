using System;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.HostPerf;

/// <summary>The PMI handler (intel_pmu_handle_irq / amd_pmu_v2_handle_irq) and the mediated vector.</summary>
public sealed partial class HostPerfContext
{
    /// <summary>The PMI: host perf's NMI handler, or the mediated vector forwarded to KVM.</summary>
    public void OnPmi(PhysicalPmu pmu, bool nmi, byte vector)
    {
        if (!nmi)
        {
            if (vector == LvtpcValues.MediatedPmiVector && GuestLvtpcLoaded)
            {
                MediatedPmiHandler?.Invoke();
            }

            return;
        }

        if (GuestLvtpcLoaded)
        {
            // perf's NMI handler ignores NMIs while a guest LVTPC is loaded.
            return;
        }

        DisableAll();
        ulong status;
        if (Pmu.Caps.Version >= 2)
        {
            if (Pmu.Caps.IsIntel)
            {
                Pmu.Read(out Ia32PerfGlobalStatus s);
                status = s.Value;
            }
            else
            {
                Pmu.Read(out MsrAmd64PerfCntrGlobalStatus s);
                status = s.Value;
            }
        }
        else
        {
            status = Pmu.PendingStatusForV1();
        }

        // Overflow handlers only record requests (KVM defers its work), so the list is stable here.
        for (int i = 0; i < _events.Count; i++)
        {
            var e = _events[i];
            if (e.State != PerfEventState.Active || e.Counter < 0 || (status & (1UL << e.Counter)) == 0 || e.Stopped)
            {
                continue;
            }

            ulong leftBefore = e.PeriodLeft;
            bool periodElapsed = Update(e) >= leftBefore;
            ulong period = e.IsSampling ? e.SamplePeriod : MaxPeriod;
            if (periodElapsed)
            {
                e.PeriodLeft = period;
            }

            e.HardwareStart = (0 - Math.Min(e.PeriodLeft, MaxPeriod)) & (e.Counter >= FixedBase ? Pmu.FixedMask : Pmu.GpMask);
            WriteCounter(e.Counter, e.HardwareStart);
            if (periodElapsed && e.IsSampling)
            {
                e.Overflows++;
                e.OverflowHandler?.Invoke(e, period);
            }
        }

        if (Pmu.Caps.Version >= 2)
        {
            if (Pmu.Caps.IsIntel)
            {
                Pmu.Write(Ia32PerfGlobalOvfCtrl.FromRawUnchecked(status & ~MsrCatalog.ReservedMask(new MsrRef(MsrId.Ia32PerfGlobalOvfCtrl, 0), Pmu.Caps)));
            }
            else
            {
                Pmu.Write(MsrAmd64PerfCntrGlobalStatusClr.FromRawUnchecked(status & ~MsrCatalog.ReservedMask(new MsrRef(MsrId.MsrAmd64PerfCntrGlobalStatusClr, 0), Pmu.Caps)));
            }
        }

        EnableAll();
        Pmu.Lvtpc = LvtpcValues.DeliveryNmi;
        AfterNmi?.Invoke();
    }
}
