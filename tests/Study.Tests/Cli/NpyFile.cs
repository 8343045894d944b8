using System.Text;
using System.Text.RegularExpressions;

namespace Study.Tests.Cli;

/// <summary>Reads the header of a .npy file the way NumPy does, to check what the product writes.</summary>
public sealed record NpyFile(string Descr, bool FortranOrder, long[] Shape, long DataBytes)
{
    public static NpyFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY") throw new InvalidDataException("not .npy");
        int headerLength = bytes[8] | bytes[9] << 8;
        if ((10 + headerLength) % 64 != 0) throw new InvalidDataException("header not 64-byte aligned");
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        if (!header.EndsWith('\n')) throw new InvalidDataException("header does not end with a newline");
        var descr = Regex.Match(header, @"'descr': '([^']+)'").Groups[1].Value;
        var fortran = Regex.Match(header, @"'fortran_order': (True|False)").Groups[1].Value == "True";
        var shape = Regex.Match(header, @"'shape': \(([^)]*)\)").Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        return new NpyFile(descr, fortran, shape, bytes.Length - 10 - headerLength);
    }
}
