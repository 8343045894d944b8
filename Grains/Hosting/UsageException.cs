namespace Study.Grains.Hosting;

/// <summary>Bad input of any kind: the CLI prints the message as one line on stderr and exits 2.</summary>
public sealed class UsageException(string message) : Exception(message);
