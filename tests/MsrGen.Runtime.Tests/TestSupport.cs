using System;
using System.IO;
using System.Linq;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Runner;

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

    /// <summary>
    /// Runs a scenario text and requires it to hold: no located or internal error, at least one
    /// expectation, and every expectation met (the failures and the text in the message).
    /// </summary>
    public static void AssertScenarioHolds(string fileName, string text)
    {
        var outcome = ScenarioRunner.RunText(fileName, text, ScenarioRunOptions.Default);
        string errors = string.Join("\n", outcome.Errors.Concat(outcome.InternalErrors));
        Assert.AreEqual(string.Empty, errors, text);
        Assert.IsNotEmpty(outcome.Expectations, "the text checks something");
        string failed = string.Join("\n", outcome.Expectations.Where(e => !e.Passed));
        Assert.AreEqual(string.Empty, failed, text);
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
