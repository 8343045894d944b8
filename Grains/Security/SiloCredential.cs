using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Study.Grains.Security;

/// <summary>
/// The secret the silos of a cluster share and clients do not have (--cluster-secret FILE). A silo-only call
/// carries a proof: the time and an HMAC-SHA256, under the secret, of the time, the method and the target grain.
/// So a client that holds a certificate of the cluster still cannot report slots, epochs or outcomes, even with a
/// hand-made message, and a proof seen once cannot be replayed on another call or after <see cref="Window"/>.
/// </summary>
public sealed class SiloCredential
{
    /// <summary>How far a proof's time may be from the receiver's clock (it covers clock skew between nodes).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    public const int MinimumSecretBytes = 16;

    readonly byte[] key;

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
        return seconds + ":" + Convert.ToBase64String(Mac(seconds, call));
    }

    public bool Verify(string call, string? proof, DateTimeOffset now)
    {
        if (proof?.Split(':') is not [var seconds, var mac]) return false;
        if (!long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - unix) > Window.TotalSeconds) return false;
        var given = new byte[32];
        return Convert.TryFromBase64String(mac, given, out int length) && length == 32
               && CryptographicOperations.FixedTimeEquals(given, Mac(seconds, call));
    }

    byte[] Mac(string seconds, string call) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(seconds + "\n" + call));
}
