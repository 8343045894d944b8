namespace Study.Client;

/// <summary>The exit statuses of ./study and ./silo (docs/CLI.md).</summary>
public static class ExitCodes
{
    public const int Completed = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    public const int Cancelled = 130;
}
