using Microsoft.Extensions.Options;

namespace Study.Grains.Running;

/// <summary>Settings a silo cannot run with, refused when the silo starts (AddStudyRuntime validates on start).</summary>
public sealed class RuntimeOptionsValidator : IValidateOptions<RuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, RuntimeOptions options)
    {
        var failures = new ValidateOptionsResultBuilder();
        if (options.Slots < 0) failures.AddError($"Slots must be at least 0, got {options.Slots}");
        if (options.Gpus < 0) failures.AddError($"Gpus must be at least 0, got {options.Gpus}");
        if (options.ThreadsPerSlot < 1) failures.AddError($"ThreadsPerSlot must be at least 1, got {options.ThreadsPerSlot}");
        if (string.IsNullOrWhiteSpace(options.Artifacts)) failures.AddError("Artifacts must name a folder");
        if (!Enum.IsDefined(options.Isolation)) failures.AddError($"Isolation must be Thread or Process, got {options.Isolation}");
        if (options.Isolation == SlotIsolation.Process && options.WorkerCommand is not [_, ..])
            failures.AddError("WorkerCommand must name the worker program when slots run in processes");
        if (options.DrainTimeout <= TimeSpan.Zero) failures.AddError($"DrainTimeout must be positive, got {options.DrainTimeout}");
        return failures.Build();
    }
}
