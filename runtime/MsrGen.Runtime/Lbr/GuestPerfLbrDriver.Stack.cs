using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Lbr;

/// <summary>The driver's MSR sequences for resetting, restoring and reading the stack, and the judge.</summary>
public sealed partial class GuestPerfLbrDriver
{
    /// <summary>intel_pmu_lbr_reset: zeros to every entry and TOS.</summary>
    private void ResetStack()
    {
        int depth = cpu.GuestCaps.LbrDepth;
        for (int n = 0; n < depth; n++)
        {
            cpu.GuestWrmsr(LbrRegister.FromAddress(depth, n), 0, LbrOwner.Nobody);
            cpu.GuestWrmsr(LbrRegister.ToAddress(depth, n), 0, LbrOwner.Nobody);
            if (cpu.GuestCaps.LbrInfo)
            {
                cpu.GuestWrmsr(MsrLbrInfo.AddressOf(n), 0, LbrOwner.Nobody);
            }
        }

        cpu.GuestWrmsr(MsrLbrTos.Address, 0, LbrOwner.Nobody);
    }

    private void RestoreContext(TaskContext context)
    {
        int depth = cpu.GuestCaps.LbrDepth;
        for (int n = 0; n < depth; n++)
        {
            cpu.GuestWrmsr(LbrRegister.FromAddress(depth, n), context.From[n], context.Owner[n]);
            cpu.GuestWrmsr(LbrRegister.ToAddress(depth, n), context.To[n], context.Owner[n]);
            if (cpu.GuestCaps.LbrInfo)
            {
                cpu.GuestWrmsr(MsrLbrInfo.AddressOf(n), context.Info[n], context.Owner[n]);
            }
        }

        cpu.GuestWrmsr(MsrLbrTos.Address, MsrLbrTos.Zero.WithTos((byte)context.Tos).Value, LbrOwner.Nobody);
    }

    /// <summary>intel_pmu_lbr_read: TOS, then every entry, newest first; judged against the shadow.</summary>
    private LbrReadVerdict ReadAndJudge()
    {
        int depth = cpu.GuestCaps.LbrDepth;
        if (depth == 0)
        {
            // No LBR for this vCPU: the guest's first access takes the #GP and it gives up.
            cpu.GuestRdmsr(MsrLbrTos.Address);
            LastVerdict = default;
            return LastVerdict;
        }

        var tos = cpu.GuestRdmsr(MsrLbrTos.Address);
        buffer.Tos = MsrLbrTos.FromRawUnchecked(tos.Value).Tos % depth;
        for (int n = 0; n < depth; n++)
        {
            var from = cpu.GuestRdmsr(LbrRegister.FromAddress(depth, n));
            var to = cpu.GuestRdmsr(LbrRegister.ToAddress(depth, n));
            buffer.From[n] = from.Value;
            buffer.To[n] = to.Value;
            buffer.Owner[n] = from.Truth.Kind != LbrOwnerKind.Nobody ? from.Truth : to.Truth;
            buffer.Info[n] = cpu.GuestCaps.LbrInfo ? cpu.GuestRdmsr(MsrLbrInfo.AddressOf(n)).Value : 0;
        }

        var shadow = Shadow;
        int polluted = 0;
        int lost = 0;
        for (int age = 0; age < depth; age++)
        {
            int slot = ((buffer.Tos - age) % depth + depth) % depth;
            int shadowSlot = shadow.Slot(age);
            shadow.Read(new LbrRegister(LbrRegisterKind.From, shadowSlot), out ulong expectedFrom, out _);
            shadow.Read(new LbrRegister(LbrRegisterKind.To, shadowSlot), out ulong expectedTo, out _);
            if (buffer.Owner[slot].IsHost)
            {
                polluted++;
            }
            else if (buffer.From[slot] != expectedFrom || buffer.To[slot] != expectedTo)
            {
                lost++;
            }
        }

        var metrics = cpu.Metrics;
        metrics.GuestReads++;
        metrics.PollutedEntries += polluted;
        metrics.LostEntries += lost;
        if (polluted > 0)
        {
            metrics.PollutedReads++;
        }

        LastVerdict = new LbrReadVerdict(depth, polluted, lost);
        return LastVerdict;
    }

    private sealed class ReadBuffer(int depth)
    {
        public int Tos;
        public readonly ulong[] From = new ulong[depth];
        public readonly ulong[] To = new ulong[depth];
        public readonly ulong[] Info = new ulong[depth];
        public readonly LbrOwner[] Owner = new LbrOwner[depth];
    }

    /// <summary>perf's per-task LBR context (task_ctx_data), with the ground-truth tags of what it holds.</summary>
    private sealed class TaskContext(int depth)
    {
        public int Tos;
        public bool Valid;
        public readonly ulong[] From = new ulong[depth];
        public readonly ulong[] To = new ulong[depth];
        public readonly ulong[] Info = new ulong[depth];
        public readonly LbrOwner[] Owner = new LbrOwner[depth];

        public void CaptureFrom(ReadBuffer read)
        {
            Array.Copy(read.From, From, From.Length);
            Array.Copy(read.To, To, To.Length);
            Array.Copy(read.Info, Info, Info.Length);
            Array.Copy(read.Owner, Owner, Owner.Length);
            Tos = read.Tos;
            Valid = true;
        }

        public void Invalidate() => Valid = false;
    }
}
