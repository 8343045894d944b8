using TorchSharp;
using System.IO.Compression;
using static TorchSharp.torch;

namespace Study.Training.Data;

/// <summary>Reads MNIST-style IDX files (images: magic 0x803, labels: magic 0x801), gzipped or not.</summary>
public static class IdxReader
{
    const int ImageMagic = 0x00000803;
    const int LabelMagic = 0x00000801;

    /// <summary>Finds "{stem}.gz" or "{stem}" (also the "train-images.idx3-ubyte" spelling) in the folder.</summary>
    public static string Locate(string dataDir, string stem)
    {
        var dotted = stem.Replace("-idx", ".idx");
        foreach (var name in new[] { stem + ".gz", stem, dotted + ".gz", dotted })
        {
            var path = Path.Combine(dataDir, name);
            if (File.Exists(path)) return path;
        }
        throw new DatasetFormatException($"{Path.Combine(dataDir, stem + ".gz")}: file not found");
    }

    public static Tensor ReadImages(string path, int? expectedCount = null)
    {
        var bytes = ReadAll(path);
        var dims = ReadHeader(path, bytes, ImageMagic, 3);
        long count = dims[0], pixels = (long)dims[1] * dims[2];
        if (expectedCount is { } n && n != count)
            throw new DatasetFormatException($"{path}: header says {count} images, expected {n}");
        long expected = 16 + count * pixels;
        if (bytes.Length != expected)
            throw new DatasetFormatException(
                $"{path}: {(bytes.Length < expected ? "truncated" : "has trailing bytes")}: expected {expected} bytes, found {bytes.Length}");
        var data = new byte[count * pixels];
        Buffer.BlockCopy(bytes, 16, data, 0, data.Length);
        return torch.tensor(data, new long[] { count, 1, dims[1], dims[2] }, dtype: ScalarType.Byte);
    }

    public static long[] ReadLabels(string path, int classes)
    {
        var bytes = ReadAll(path);
        var dims = ReadHeader(path, bytes, LabelMagic, 1);
        long expected = 8 + (long)dims[0];
        if (bytes.Length != expected)
            throw new DatasetFormatException(
                $"{path}: {(bytes.Length < expected ? "truncated" : "has trailing bytes")}: expected {expected} bytes, found {bytes.Length}");
        var labels = new long[dims[0]];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = bytes[8 + i];
            if (labels[i] >= classes)
                throw new DatasetFormatException($"{path}: label {labels[i]} at index {i} is outside 0..{classes - 1}");
        }
        return labels;
    }

    static int[] ReadHeader(string path, byte[] bytes, int magic, int rank)
    {
        int headerSize = 4 + 4 * rank;
        if (bytes.Length < headerSize)
            throw new DatasetFormatException($"{path}: truncated: {bytes.Length} bytes, shorter than the IDX header");
        int found = BigEndian(bytes, 0);
        if (found != magic)
            throw new DatasetFormatException($"{path}: not an IDX file of the expected kind (magic 0x{found:x8}, expected 0x{magic:x8})");
        var dims = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BigEndian(bytes, 4 + 4 * d);
            if (dims[d] <= 0 || dims[d] > 10_000_000)
                throw new DatasetFormatException($"{path}: implausible dimension {dims[d]} in the IDX header");
        }
        return dims;
    }

    static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];

    static byte[] ReadAll(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var buffer = new MemoryStream();
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                using var gz = new GZipStream(file, CompressionMode.Decompress);
                gz.CopyTo(buffer);
            }
            else file.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new DatasetFormatException($"{path}: corrupt gzip data ({e.Message.TrimEnd('.')})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetFormatException($"{path}: cannot be read ({e.Message.TrimEnd('.')})");
        }
    }
}
