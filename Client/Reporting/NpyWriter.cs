using System.Text;

namespace Study.Client.Reporting;

/// <summary>Writes NumPy .npy files (format version 1.0, little-endian, C order).</summary>
public static class NpyWriter
{
    public static void WriteFloat32(string path, float[] data, params long[] shape) =>
        Write(path, "<f4", shape, data.Length, span => { foreach (var v in data) span.Write(v); });

    public static void WriteInt64(string path, long[] data, params long[] shape) =>
        Write(path, "<i8", shape, data.Length, span => { foreach (var v in data) span.Write(v); });

    static void Write(string path, string descr, long[] shape, long count, Action<BinaryWriter> body)
    {
        if (shape.Aggregate(1L, (a, b) => a * b) != count)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) does not hold {count} values");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts");
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        // magic (6) + version (2) + header length (2) + header + newline, padded with spaces to a multiple of 64.
        int unpadded = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - unpadded % 64) % 64) + "\n";
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        writer.Write((byte)0x93);
        writer.Write("NUMPY"u8);
        writer.Write((byte)1);
        writer.Write((byte)0);
        writer.Write((ushort)header.Length);
        writer.Write(Encoding.ASCII.GetBytes(header));
        body(writer);
    }
}
