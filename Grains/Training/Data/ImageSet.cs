using TorchSharp;
using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;

namespace Study.Training.Data;

/// <summary>
/// Labelled images held as one uint8 tensor [N, C, H, W] on the CPU, with int64 labels. A batch for a GPU is picked
/// from a copy of the whole set on that GPU (made once, shared by the trials of the process), so a training step
/// copies only its indices to the device, not its images.
/// </summary>
public sealed class ImageSet : IDisposable
{
    readonly Dictionary<string, Tensor> deviceCopies = new();

    public ImageSet(string name, Tensor images, long[] labels, int classes)
    {
        if (images.dtype != ScalarType.Byte || images.dim() != 4)
            throw new ArgumentException("images must be a uint8 tensor [N, C, H, W]", nameof(images));
        if (images.shape[0] != labels.Length)
            throw new ArgumentException($"{images.shape[0]} images but {labels.Length} labels");
        Name = name;
        Images = images;
        Labels = labels;
        Classes = classes;
    }

    public string Name { get; }
    /// <summary>uint8 [N, C, H, W].</summary>
    public Tensor Images { get; }
    public long[] Labels { get; }
    public int Classes { get; }
    public int Count => Labels.Length;
    public int Channels => (int)Images.shape[1];
    public int Height => (int)Images.shape[2];
    public int Width => (int)Images.shape[3];

    /// <summary>The images at <paramref name="indices"/> as float32 in [0, 1] on <paramref name="device"/>.</summary>
    public Tensor Batch(Tensor indices, Device device)
    {
        if (device.type == DeviceType.CPU)
        {
            using var picked = Images.index_select(0, indices);
            return picked.to_type(ScalarType.Float32).div_(S(255f));
        }
        using var onDevice = indices.to(device);
        using var pickedThere = CopyOn(device).index_select(0, onDevice);
        return pickedThere.to_type(ScalarType.Float32).div_(S(255f));
    }

    Tensor CopyOn(Device device)
    {
        lock (deviceCopies)
        {
            var key = device.ToString();
            if (!deviceCopies.TryGetValue(key, out var copy)) deviceCopies[key] = copy = Images.to(device);
            return copy;
        }
    }

    public Tensor LabelsOf(long[] indices, Device device)
    {
        var picked = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++) picked[i] = Labels[indices[i]];
        return torch.tensor(picked, device: device);
    }

    public void Dispose()
    {
        Images.Dispose();
        lock (deviceCopies) foreach (var copy in deviceCopies.Values) copy.Dispose();
    }
}
