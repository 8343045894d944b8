namespace Study.Client.Cli;

/// <summary>One command-line option: its name without dashes, whether it takes a value, and its help line.</summary>
public sealed record OptionSpec(string Name, string Help, bool IsFlag = false, string? ValueName = "X", string? Default = null)
{
    public static OptionSpec Flag(string name, string help) => new(name, help, IsFlag: true, ValueName: null);
}
