namespace Study.Tests.Infrastructure;

/// <summary>
/// The test tiers. <c>./test --fast</c> runs the classes marked <c>[Trait(Tier.Key, Tier.Fast)]</c>: in-process
/// tests of formulas, samplers, pruners, the SQLite and memory stores, the command line and the tables, with nothing
/// to install beyond the build (no PostgreSQL, Chromium, Prometheus, kustomize, network namespaces or training runs).
/// <c>./test</c> runs every test.
/// </summary>
public static class Tier
{
    public const string Key = "Tier";
    public const string Fast = "fast";
}
