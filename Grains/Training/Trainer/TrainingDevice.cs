using static TorchSharp.torch;

namespace Study.Training.Trainer;

/// <summary>Chooses the torch device a trial runs on; the CUDA build and a GPU make <c>auto</c> mean CUDA.</summary>
public static class TrainingDevice
{
    public static Device Resolve(string name)
    {
        if (name == "auto") return cuda.is_available() ? CUDA : CPU;
        if (name == "cpu") return CPU;
        if (name.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!cuda.is_available()) throw new ArgumentException($"--device {name}: no CUDA device is available in this build or on this machine");
            return new Device(name);
        }
        throw new ArgumentException($"--device must be auto, cpu, cuda or cuda:N, got '{name}'");
    }

    /// <summary>Slots on this machine: the GPUs, or 1 without any.</summary>
    public static int DefaultSlots() => Math.Max(1, CudaDevices());

    public static int CudaDevices() => cuda.is_available() ? cuda.device_count() : 0;
}
