using Study.Training.Randomness;
using TorchSharp;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Study.Training.Trainer;

/// <summary>
/// A trial's resumable state, written after every epoch (and mid-epoch when a stop is requested): model,
/// optimiser, memory bank, the trial's random generator, the epoch's shuffle and position, and the history of
/// epoch metrics. Written to a temporary file and renamed, so a crash never leaves a torn checkpoint.
/// </summary>
public sealed class Checkpoint
{
    const string Magic = "TAUCKPT1";
    /// <summary>A metric of the history may be NaN (say, an epoch's statistic that had nothing to average).</summary>
    static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Epochs fully completed.</summary>
    public int EpochsCompleted { get; init; }
    /// <summary>Steps done in the current, unfinished epoch (0 at an epoch boundary).</summary>
    public int StepInEpoch { get; init; }
    /// <summary>The current epoch's shuffle when the checkpoint was written inside an epoch; null at an epoch boundary.</summary>
    public long[]? Permutation { get; init; }
    public double EpochLossSum { get; init; }
    public double EpochSeconds { get; init; }
    /// <summary>The current epoch's hardness statistics so far (mid-epoch checkpoints).</summary>
    public Losses.HardnessStatistics? EpochHardness { get; init; }
    public double EpochTauSum { get; init; }
    public List<EpochMetrics> History { get; init; } = [];
    /// <summary>Who wrote it: a fencing number for trials that may be attempted more than once.</summary>
    public int Attempt { get; init; }

    public static void Save(string path, Checkpoint meta, nn.Module model, optim.Optimizer optimizer, TrialRandom random, Tensor? bank)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp-" + Environment.ProcessId + "-" + Environment.CurrentManagedThreadId;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            using (var writer = new BinaryWriter(stream, Encoding.UTF8))
            {
                writer.Write(Magic);
                writer.Write(JsonSerializer.Serialize(meta, Json));
                model.save(writer);
                ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
                using (var state = random.State()) state.Save(writer);
                writer.Write(bank is not null);
                if (bank is not null) { using var cpu = bank.cpu(); cpu.Save(writer); }
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException e)
        {
            // A full disk, say: the unfinished file goes at once (it would only take more of the space), no file of
            // that name is left to be loaded, and the trial fails saying which write failed.
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new IOException($"writing the checkpoint {path} failed: {e.Message}", e);
        }
    }

    /// <summary>Restores the state into the given objects and returns the metadata. The bank tensor, if any, is the caller's.</summary>
    public static (Checkpoint Meta, Tensor? Bank) Load(string path, nn.Module model, optim.Optimizer optimizer, TrialRandom random, Device device)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        string magic;
        try { magic = reader.ReadString(); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{path}: not a checkpoint (empty or truncated)"); }
        if (magic != Magic) throw new InvalidDataException($"{path}: not a checkpoint");
        var meta = JsonSerializer.Deserialize<Checkpoint>(reader.ReadString(), Json)
            ?? throw new InvalidDataException($"{path}: checkpoint metadata missing");
        model.load(reader);
        ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader);
        using (var state = Tensor.Load(reader)) random.Restore(state);
        Tensor? bank = null;
        if (reader.ReadBoolean())
        {
            using var cpu = Tensor.Load(reader);
            bank = cpu.to(device);
        }
        return (meta, bank);
    }
}
