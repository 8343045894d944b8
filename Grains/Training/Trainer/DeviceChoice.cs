using System.Globalization;

namespace Study.Training.Trainer;

public enum DeviceKind { Auto, Cpu, Cuda }

/// <summary>A <c>--device</c> value: <c>auto</c> (the slot's GPU, else the CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
public readonly record struct DeviceChoice(DeviceKind Kind, int? Index = null)
{
    public static readonly DeviceChoice Auto = new(DeviceKind.Auto);
    public static readonly DeviceChoice Cpu = new(DeviceKind.Cpu);

    /// <exception cref="ArgumentException">not one of the four forms, naming the option</exception>
    public static DeviceChoice Parse(string text)
    {
        switch (text)
        {
            case "auto": return Auto;
            case "cpu": return Cpu;
            case "cuda": return new DeviceChoice(DeviceKind.Cuda);
        }
        if (text.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            return new DeviceChoice(DeviceKind.Cuda, index);
        throw new ArgumentException($"--device must be auto, cpu, cuda or cuda:N, got '{text}'");
    }

    public bool WantsCuda => Kind == DeviceKind.Cuda;

    public override string ToString() => Kind switch
    {
        DeviceKind.Auto => "auto",
        DeviceKind.Cpu => "cpu",
        _ => Index is { } i ? $"cuda:{i}" : "cuda",
    };
}
