using MsrGen.Registers;
using MsrGen.Runtime.Kvm.Pmu;

namespace MsrGen.Runtime.Legacy;

/// <summary>
/// The perf-emulated design behind the common PMU layer (<see cref="KvmPmu"/>): a counter's value
/// is its base plus the backing perf event's count (pmc_read_counter()), and a change to an enable
/// requests a reprogram before the next VM-entry (kvm_pmu_request_counter_reprogram()). Which MSRs
/// exist, their reserved bits and widths are decided in the common layer and the vendor ops.
/// </summary>
public sealed partial class LegacyVpmu : IPmuDesign, IPerfMetricsDesign
{
    private ulong _perfMetricsBase;

    /// <summary>MSR_IA32_DS_AREA as the guest wrote it (pmu->ds_area).</summary>
    public ulong DsArea => _pmu.DsArea;

    /// <summary>MSR_PEBS_DATA_CFG as the guest wrote it (pmu->pebs_data_cfg).</summary>
    public ulong PebsDataCfg => _pmu.PebsDataCfg;

    public ulong PebsEnable => _pmu.PebsEnable;

    public bool IsValidMsr(MsrRef register, bool hostInitiated) => _pmu.IsValidMsr(register, hostInitiated);

    public MsrAccessResult GetMsr(MsrRef register, out ulong value) => _pmu.GetMsr(register, out value);

    public MsrAccessResult SetMsr(MsrRef register, ulong value, bool hostInitiated) => _pmu.SetMsr(register, value, hostInitiated);

    public MsrAccessResult Rdpmc(uint ecx, out ulong value) => _pmu.Rdpmc(ecx, out value);

    /// <summary>Every PMU MSR exits under this design: a pass-through access never happens, and would be the same access.</summary>
    public MsrAccessResult PassthroughRead(MsrRef register, out ulong value) => GetMsr(register, out value);

    public MsrAccessResult PassthroughWrite(MsrRef register, ulong value) => SetMsr(register, value, false);

    // ---- IPmuDesign: where the perf-emulated values live ------------------------------------------

    int IPmuDesign.GpCounters => _gp.Length;

    int IPmuDesign.FixedCounters => _fixed.Length;

    ulong IPmuDesign.ReadCounter(PmuMsr pmc) => ReadCounter(PmcOf(pmc));

    void IPmuDesign.WriteCounter(PmuMsr pmc, ulong value)
    {
        WriteCounter(PmcOf(pmc), value);
        if (pmc.IsFixed && pmc.Index == 3)
        {
            // Software zeroes FIXED_CTR3 (with PERF_METRICS) to start a new measurement.
            _perfMetricsBase = 0;
        }
    }

    ulong IPmuDesign.ReadEventSelect(int index) => _gp[index].Eventsel;

    void IPmuDesign.WriteEventSelect(int index, ulong value)
    {
        var pmc = _gp[index];
        if (value != pmc.Eventsel)
        {
            pmc.Eventsel = value;
            RequestReprogram(pmc);
        }
    }

    void IPmuDesign.WriteFixedCtrCtrl(ulong value)
    {
        ulong changed = FixedCtrCtrl ^ value;
        FixedCtrCtrl = value;
        foreach (var fixedPmc in _fixed)
        {
            if (((changed >> (4 * fixedPmc.Index)) & 0xF) != 0)
            {
                RequestReprogram(fixedPmc);
            }
        }
    }

    void IPmuDesign.WriteGlobalCtrl(ulong value)
    {
        ulong diff = GlobalCtrl ^ value;
        GlobalCtrl = value;
        RequestReprogram(diff);
    }

    void IPmuDesign.ClearGlobalStatus(ulong bits) => GlobalStatus &= ~bits;

    void IPmuDesign.SetGlobalStatus(ulong bits) => GlobalStatus |= bits;

    void IPmuDesign.RestoreGlobalStatus(ulong value) => GlobalStatus = value;

    void IPmuDesign.ReprogramCounters(ulong diff) => RequestReprogram(diff);

    // ---- IPerfMetricsDesign: the grouped-events option ----------------------------------------------

    bool IPerfMetricsDesign.PerfMetricsEnabled => GroupedMetrics;

    ulong IPerfMetricsDesign.ReadPerfMetrics() => PerfMetricsValue();

    void IPerfMetricsDesign.WritePerfMetrics(ulong value)
    {
        // Software zeroes PERF_METRICS (with FIXED_CTR3) to start a new measurement.
        _perfMetricsBase = value;
        ResetMetricsBaseline();
    }

    private LegacyPmc PmcOf(PmuMsr pmc) => pmc.IsFixed ? _fixed[pmc.Index] : _gp[pmc.Index];
}
