using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Study.Grains.Security;

/// <summary>
/// The secret the silos of a cluster share and clients do not have (--cluster-secret FILE). A silo-only call
/// carries a proof: the time, a random nonce and an HMAC-SHA256, under the secret, of the time, the nonce and the
/// call (the method, the target grain and a digest of the arguments). So a client that holds a certificate of the
/// cluster still cannot report slots, epochs or outcomes, even with a hand-made message; and a proof seen on the
/// wire is good for nothing else: not for other arguments (the digest), not a second time (each nonce is taken
/// once), not after <see cref="Window"/>.
/// </summary>
public sealed class SiloCredential
{
    /// <summary>How far a proof's time may be from the receiver's clock (it covers clock skew between nodes).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    public const int MinimumSecretBytes = 16;

    readonly byte[] key;
    /// <summary>The nonces of the proofs taken within the window (by the time they carry), so none is taken twice.</summary>
    readonly ConcurrentDictionary<string, long> taken = new();

    SiloCredential(byte[] key) => this.key = key;

    /// <summary>A secret of this process alone: the embedded cluster's and the tests' silos share one process.</summary>
    public static SiloCredential ThisProcess { get; } = new(RandomNumberGenerator.GetBytes(32));

    /// <exception cref="ArgumentException">a file that is missing, unreadable or too short, naming <paramref name="option"/></exception>
    public static SiloCredential Load(string path, string option)
    {
        byte[] secret;
        try { secret = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option}: cannot read '{path}' ({e.Message.TrimEnd('.')})");
        }
        // A secret written by `openssl rand -hex 32 > FILE` or kubectl ends in a newline: leading and trailing ASCII
        // blanks are not part of it.
        var trimmed = secret.AsSpan().Trim(" \t\r\n"u8);
        if (trimmed.Length < MinimumSecretBytes)
            throw new ArgumentException($"{option}: '{path}' holds {trimmed.Length} bytes; a cluster secret needs at least {MinimumSecretBytes} (e.g. openssl rand -hex 32)");
        return new SiloCredential(SHA256.HashData(trimmed));
    }

    public string Prove(string call, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        return $"{seconds}:{nonce}:{Convert.ToBase64String(Mac(seconds, nonce, call))}";
    }

    /// <summary>Whether <paramref name="proof"/> proves <paramref name="call"/> now; a proof is taken once.</summary>
    public bool Verify(string call, string? proof, DateTimeOffset now)
    {
        if (proof?.Split(':') is not [var seconds, var nonce, var mac] || nonce.Length != 32) return false;
        if (!long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - unix) > Window.TotalSeconds) return false;
        var given = new byte[32];
        if (!Convert.TryFromBase64String(mac, given, out int length) || length != 32
            || !CryptographicOperations.FixedTimeEquals(given, Mac(seconds, nonce, call)))
            return false;
        return Take(nonce, unix, now);
    }

    bool Take(string nonce, long unix, DateTimeOffset now)
    {
        if (!taken.TryAdd(nonce, unix)) return false;
        if (taken.Count > 10_000)
        {
            // Older than the window: such a proof is refused by its time anyway.
            long oldest = now.ToUnixTimeSeconds() - (long)Window.TotalSeconds - 1;
            foreach (var (old, at) in taken)
                if (at < oldest) taken.TryRemove(old, out _);
        }
        return true;
    }

    byte[] Mac(string seconds, string nonce, string call) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(seconds + "\n" + nonce + "\n" + call));
}
