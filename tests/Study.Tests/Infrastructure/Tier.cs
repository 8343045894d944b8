namespace Study.Tests.Infrastructure;

/// <summary>
/// The test tiers. <c>./test --fast</c> runs the classes marked <c>[Trait(Tier.Key, Tier.Fast)]</c>: in-process
/// tests of formulas, samplers, pruners, the SQLite and memory stores, the command line and the tables, with nothing
/// to install beyond the build (no PostgreSQL, Chromium, Prometheus, kustomize, network namespaces or training runs).
/// <c>./test</c> runs every test, in two lanes at once: the classes marked <c>[Trait(Tier.Key, Tier.Cluster)]</c>
/// start clusters of real silo processes and spend most of their time waiting (for membership to declare a silo
/// dead, for a network fault to last), so they run beside the rest instead of after it.
/// </summary>
public static class Tier
{
    public const string Key = "Tier";
    public const string Fast = "fast";
    public const string Cluster = "cluster";
}
