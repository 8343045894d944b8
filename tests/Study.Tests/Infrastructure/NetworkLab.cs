using System.Diagnostics;
using System.Security.Cryptography;

namespace Study.Tests.Infrastructure;

/// <summary>
/// A real network inside this machine (issue 23), in the manner of Jepsen: a bridge with an address for this host
/// (the client's side), and network namespaces on it, each with a veth pair and an address of its own in a
/// 10.231.N.0/24 the lab draws, so that several labs and the host's own networks never meet. Faults are made with
/// iproute2: a namespace's link down (isolated from everything), a blackhole route (one peer unreachable, one way),
/// a token bucket and nftables (slow and lossy). Everything is deleted on dispose. Needs root, as the test machines
/// run (and nftables for <see cref="SlowAndLossy"/>).
/// </summary>
public sealed class NetworkLab : IDisposable
{
    readonly string id = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
    readonly int subnet = 100 + RandomNumberGenerator.GetInt32(150);
    readonly List<string> members = [];

    public NetworkLab()
    {
        if (Environment.UserName != "root") throw new InvalidOperationException("a network lab needs root (ip netns, veth, bridge)");
        Ip("link", "add", Bridge, "type", "bridge");
        Ip("addr", "add", $"{HostAddress}/24", "dev", Bridge);
        Ip("link", "set", Bridge, "up");
    }

    string Bridge => $"stb{id}";
    public string HostAddress => Address(1);
    public string Address(int host) => $"10.231.{subnet}.{host}";
    public string Namespace(string member) => $"st{id}-{member}";
    string Inside(string member) => $"v{id}{member}n";

    /// <summary>A namespace on the bridge at <see cref="Address"/>(<paramref name="host"/>); <paramref name="member"/>: a letter or two.</summary>
    public void Add(string member, int host)
    {
        string ns = Namespace(member), outside = $"v{id}{member}";
        Ip("netns", "add", ns);
        members.Add(member);
        Ip("link", "add", outside, "type", "veth", "peer", "name", Inside(member));
        Ip("link", "set", Inside(member), "netns", ns);
        Ip("-n", ns, "link", "set", "lo", "up");
        Ip("-n", ns, "addr", "add", $"{Address(host)}/24", "dev", Inside(member));
        Ip("-n", ns, "link", "set", Inside(member), "up");
        Ip("link", "set", outside, "master", Bridge);
        Ip("link", "set", outside, "up");
    }

    /// <summary>The words that run a program inside <paramref name="member"/>'s namespace.</summary>
    public IReadOnlyList<string> Launcher(string member) => ["ip", "netns", "exec", Namespace(member)];

    /// <summary>Cuts <paramref name="member"/> from everything (its link down), until <see cref="Heal"/>.</summary>
    public void Isolate(string member) => Ip("-n", Namespace(member), "link", "set", Inside(member), "down");
    public void Heal(string member) => Ip("-n", Namespace(member), "link", "set", Inside(member), "up");

    /// <summary><paramref name="member"/> can no longer send to the address of <paramref name="host"/> (one way).</summary>
    public void Block(string member, int host) => Ip("-n", Namespace(member), "route", "add", "blackhole", $"{Address(host)}/32");
    public void Unblock(string member, int host) => Ip("-n", Namespace(member), "route", "del", "blackhole", $"{Address(host)}/32");

    /// <summary>
    /// A slow, lossy link for <paramref name="member"/>: what it sends is limited to <paramref name="rate"/> (a token
    /// bucket: packets queue behind each other, up to 400 ms), and <paramref name="lossPercent"/>% of the packets it
    /// sends and of those it receives are dropped at random (nftables). netem, which would add a fixed delay, is not
    /// in this machine's kernel; tbf and nftables are.
    /// </summary>
    public void SlowAndLossy(string member, string rate, int lossPercent)
    {
        string ns = Namespace(member), table = $"lab{id}";
        Ip("netns", "exec", ns, "tc", "qdisc", "replace", "dev", Inside(member), "root", "tbf", "rate", rate, "burst", "32kbit", "latency", "400ms");
        Ip("netns", "exec", ns, "nft", "add", "table", "inet", table);
        foreach (var hook in new[] { "input", "output" })
        {
            Ip("netns", "exec", ns, "nft", "add", "chain", "inet", table, hook, $"{{ type filter hook {hook} priority 0; }}");
            Ip("netns", "exec", ns, "nft", "add", "rule", "inet", table, hook, "meta", "l4proto", "tcp", "numgen", "random", "mod", "100", "<", $"{lossPercent}", "drop");
        }
    }

    public void Clear(string member)
    {
        Ip("netns", "exec", Namespace(member), "tc", "qdisc", "del", "dev", Inside(member), "root");
        Ip("netns", "exec", Namespace(member), "nft", "delete", "table", "inet", $"lab{id}");
    }

    public void Dispose()
    {
        foreach (var member in members) Try("netns", "del", Namespace(member)); // its veth pair goes with it
        Try("link", "del", Bridge);
    }

    static void Ip(params string[] args)
    {
        var (code, error) = Run(args);
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: exit {code}: {error}");
    }

    static void Try(params string[] args) => Run(args);

    static (int Code, string Error) Run(string[] args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Result);
    }
}
