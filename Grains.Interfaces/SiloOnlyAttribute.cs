namespace Study.Grains;

/// <summary>
/// A grain method (or every method of an interface) that only the silos call: slot reports and reservations, trial
/// starts, epoch and outcome reports. A silo refuses it from a client, and, where the silos share a cluster secret,
/// from anyone who cannot prove they hold it (docs/RELIABILITY.md, "Who may call what").
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, Inherited = false)]
public sealed class SiloOnlyAttribute : Attribute;
