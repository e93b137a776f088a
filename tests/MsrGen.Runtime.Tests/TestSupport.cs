using System;
using System.IO;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Tests;

/// <summary>Builds hosts and VMs for tests and finds the repository's shipped files.</summary>
internal static class TestSupport
{
    public static HostMachine Host(string preset = "sapphire-rapids", KvmModuleParameters? parameters = null) =>
        new(PmuPresets.Get(preset), parameters);

    public static Vm Vm(HostMachine host, VmRequest request)
    {
        var creation = MsrGen.Runtime.Kvm.Vm.Create(host, request);
        Assert.IsTrue(creation.Succeeded, creation.Message);
        return creation.Vm!;
    }

    public static Vcpu Vcpu(string preset = "sapphire-rapids", VmRequest? request = null) =>
        Vm(Host(preset), request ?? new VmRequest()).Vcpus[0];

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MsrGen.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("MsrGen.sln not found above the test directory");
    }

    public static EventBatch Batch(params (ulong Encoding, ulong Count)[] events)
    {
        var batch = new EventBatch();
        foreach (var (encoding, count) in events)
        {
            batch.Add(encoding, count);
        }

        return batch;
    }
}
