using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Study.Training.Trainer;

namespace Study.Grains.Running.Workers;

/// <summary>A trial for a slot's worker process: what to train, on which device, and where its checkpoints go.</summary>
/// <param name="ResumeFrom">the checkpoint to resume from (the runner has checked that it exists), or null</param>
public sealed record WorkerTrial(TrialAssignment Assignment, string Device, int Threads, string CheckpointFolder, string? ResumeFrom);

/// <summary>What a worker says, one JSON object a line; exactly one member is set.</summary>
public sealed record WorkerEvent(StepProgress? Progress = null, EpochMetrics? Epoch = null, TrainingOutcome? Outcome = null);

/// <summary>
/// The conversation between a silo and a slot's worker process, over the worker's stdin and stdout:
/// the silo sends a <see cref="WorkerTrial"/> (one JSON line); the worker answers with progress lines, an epoch line
/// after each epoch (then waits for <c>continue</c>, <c>prune</c> or <c>pause</c>), and one outcome line; the silo may send
/// <c>cancel</c> or <c>interrupt</c> at any time. Then the next trial, on the same process. Lines that are not JSON
/// are the worker's own output (a library's message) and are logged. The silo closing the worker's stdin ends it.
/// </summary>
public static class WorkerProtocol
{
    public const string Continue = "continue", Prune = "prune", Pause = "pause", Cancel = "cancel", Interrupt = "interrupt";

    /// <summary>A verdict as the worker hears it. Stop goes as continue: the cancel sent before it stops the worker at its next step.</summary>
    public static string WordOf(EpochVerdict verdict) => verdict switch
    {
        EpochVerdict.Prune => Prune,
        EpochVerdict.Pause => Pause,
        _ => Continue,
    };

    public static EpochVerdict VerdictOf(string word) => word switch
    {
        Prune => EpochVerdict.Prune,
        Pause => EpochVerdict.Pause,
        _ => EpochVerdict.Continue,
    };

    public static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new FloatArrayAsBase64() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Write<T>(T message) => JsonSerializer.Serialize(message, Json);

    public static T Read<T>(string line) => JsonSerializer.Deserialize<T>(line, Json)
        ?? throw new InvalidDataException($"an empty message: {line}");

    /// <summary>Embeddings (10,000 × 64 floats for a trial) as base64 of their bytes: exact, and a quarter of the text.</summary>
    sealed class FloatArrayAsBase64 : JsonConverter<float[]>
    {
        public override float[] Read(ref Utf8JsonReader reader, Type type, JsonSerializerOptions options) =>
            MemoryMarshal.Cast<byte, float>(reader.GetBytesFromBase64()).ToArray();

        public override void Write(Utf8JsonWriter writer, float[] value, JsonSerializerOptions options) =>
            writer.WriteBase64StringValue(MemoryMarshal.AsBytes(value.AsSpan()));
    }
}
