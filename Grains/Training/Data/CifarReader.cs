using TorchSharp;
using static TorchSharp.torch;

namespace Study.Training.Data;

/// <summary>
/// Reads the CIFAR-10 and CIFAR-100 "binary version" files: records of label byte(s) followed by 3072 pixel bytes
/// (1024 red, 1024 green, 1024 blue, row-major 32×32). CIFAR-100 records carry a coarse and a fine label; the fine
/// one (100 classes) is used.
/// </summary>
public static class CifarReader
{
    const int Pixels = 3 * 32 * 32;

    public static (Tensor Images, long[] Labels) Read(IReadOnlyList<string> paths, int labelBytes, int classes)
    {
        int record = labelBytes + Pixels;
        var files = paths.Select(p => (Path: p, Bytes: ReadAll(p))).ToList();
        foreach (var (path, bytes) in files)
        {
            if (bytes.Length == 0 || bytes.Length % record != 0)
                throw new DatasetFormatException(
                    $"{path}: {bytes.Length} bytes is not a whole number of {record}-byte CIFAR records (truncated or not a CIFAR binary file)");
        }
        long count = files.Sum(f => (long)f.Bytes.Length / record);
        var pixels = new byte[count * Pixels];
        var labels = new long[count];
        long n = 0;
        foreach (var (path, bytes) in files)
        {
            for (int at = 0; at < bytes.Length; at += record, n++)
            {
                long label = bytes[at + labelBytes - 1];
                if (label >= classes)
                    throw new DatasetFormatException($"{path}: label {label} in record {at / record} is outside 0..{classes - 1} (not a CIFAR-{classes} file?)");
                labels[n] = label;
                Buffer.BlockCopy(bytes, at + labelBytes, pixels, (int)(n * Pixels), Pixels);
            }
        }
        return (torch.tensor(pixels, new long[] { count, 3, 32, 32 }, dtype: ScalarType.Byte), labels);
    }

    /// <summary>The data folder itself, or the folder the official archive unpacks to inside it.</summary>
    public static string Locate(string dataDir, string archiveFolder, string fileName)
    {
        foreach (var dir in new[] { dataDir, Path.Combine(dataDir, archiveFolder) })
        {
            var path = Path.Combine(dir, fileName);
            if (File.Exists(path)) return path;
        }
        throw new DatasetFormatException($"{Path.Combine(dataDir, fileName)}: file not found");
    }

    static byte[] ReadAll(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetFormatException($"{path}: cannot be read ({e.Message.TrimEnd('.')})");
        }
    }
}
