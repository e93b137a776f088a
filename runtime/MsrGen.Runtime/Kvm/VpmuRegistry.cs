using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm;

/// <summary>
/// Finds the vPMU designs, guest LBR strategies and report sections of this assembly by reflection
/// (public or internal non-abstract classes with a parameterless constructor, taken in ordinal
/// order of their full names), so each design plugs in from its own folder without edits elsewhere.
/// </summary>
public static class VpmuRegistry
{
    private static readonly Lazy<IReadOnlyList<IVpmuFactory>> VpmuFactories = new(() => Discover<IVpmuFactory>());
    private static readonly Lazy<IReadOnlyList<IGuestLbrModelFactory>> LbrFactories = new(() => Discover<IGuestLbrModelFactory>());

    public static IReadOnlyList<IVpmuFactory> Vpmus => VpmuFactories.Value;

    public static IReadOnlyList<IGuestLbrModelFactory> LbrModels => LbrFactories.Value;

    public static IVpmuFactory? ForMode(VpmuMode mode) => Vpmus.FirstOrDefault(f => f.Mode == mode);

    public static IGuestLbrModelFactory? ForLbrStrategy(string strategy) =>
        LbrModels.FirstOrDefault(f => f.Strategies.Contains(strategy, StringComparer.OrdinalIgnoreCase));

    /// <summary>Every instantiable implementation of <typeparamref name="T"/> in this assembly.</summary>
    public static IReadOnlyList<T> Discover<T>() where T : class =>
        typeof(VpmuRegistry).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(T).IsAssignableFrom(t) && t.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (T)Activator.CreateInstance(t, nonPublic: true)!)
            .ToList();
}
