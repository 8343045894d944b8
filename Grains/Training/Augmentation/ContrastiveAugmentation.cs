using Study.Training.Randomness;
using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Augmentation;

/// <summary>
/// The default augmentation of docs/TRAINING.md, per sample and batched on tensors on the batch's device: random resized
/// crop (area U[0.5, 1], aspect ratio log-uniform in [3/4, 4/3], bilinear) with a horizontal flip (p = 0.5) folded
/// into the same affine resampling, then brightness and contrast factors U[0.6, 1.4] and a clamp to [0, 1].
/// The RGB variant adds saturation U[0.6, 1.4], a hue rotation of up to ±0.1 turn and random grayscale (p = 0.2).
/// Every random draw comes from the caller's <see cref="TrialRandom"/>, so a trial's augmentations are its own.
/// Numbers reach libtorch as <see cref="Native.KeptScalars"/>, so the arithmetic is spelt out as calls.
/// </summary>
public sealed class ContrastiveAugmentation(bool rgb)
{
    static readonly float LogMinRatio = MathF.Log(3f / 4f);
    static readonly float LogMaxRatio = MathF.Log(4f / 3f);
    const float MinArea = 0.5f;
    const float JitterLow = 0.6f, JitterWidth = 0.8f;
    const float MaxHueTurn = 0.1f;
    const float GrayscaleProbability = 0.2f;

    public bool Rgb { get; } = rgb;

    /// <summary>One augmented view of a float batch [B, C, H, W] in [0, 1].</summary>
    public Tensor Apply(Tensor images, TrialRandom random)
    {
        long b = images.shape[0];
        using var scope = NewDisposeScope();
        var u = random.Uniform(new long[] { b, Rgb ? 10 : 7 }, images.device);
        var view = ResizedCropAndFlip(images, u);
        var brightness = JitterFactor(u[.., 5], b);
        view = view * brightness;
        var contrast = JitterFactor(u[.., 6], b);
        var mean = Grayscale(view).mean(new long[] { 1, 2, 3 }, keepdim: true);
        view = ((view - mean) * contrast).add(mean, One);
        view = view.clamp(S(0), S(1));
        if (Rgb) view = ColourJitter(view, u);
        return view.MoveToOuterDisposeScope();
    }

    static Tensor ResizedCropAndFlip(Tensor images, Tensor u)
    {
        long b = images.shape[0];
        var area = u[.., 0].mul(S(1 - MinArea)).add(S(MinArea), One);
        var ratio = u[.., 1].mul(S(LogMaxRatio - LogMinRatio)).add(S(LogMinRatio), One).exp();
        // Width and height of the crop as fractions of the image; affine_grid works in [-1, 1], so the crop's
        // half-extent there is the same fraction and its centre may move by (1 − fraction).
        var w = (area * ratio).sqrt().clamp_max(S(1));
        var h = (area / ratio).sqrt().clamp_max(S(1));
        var cx = u[.., 2].mul(S(2)).sub(S(1)) * OneMinus(w);
        var cy = u[.., 3].mul(S(2)).sub(S(1)) * OneMinus(h);
        var flip = where(u[.., 4].lt(S(0.5f)), -1f, 1f);
        var zero = zeros_like(w);
        var theta = stack(new[] { w * flip, zero, cx, zero, h, cy }, 1).view(b, 2, 3);
        var grid = F.affine_grid(theta, images.shape, align_corners: false);
        return F.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
    }

    static Tensor ColourJitter(Tensor view, Tensor u)
    {
        long b = view.shape[0];
        var saturation = JitterFactor(u[.., 7], b);
        var gray = Grayscale(view);
        view = ((view - gray) * saturation).add(gray, One).clamp(S(0), S(1));
        view = RotateHue(view, u[.., 8].mul(S(2)).sub(S(1)).mul(S(MaxHueTurn)).mul(S(2)).mul(S(MathF.PI)));
        var toGray = u[.., 9].lt(S(GrayscaleProbability)).view(b, 1, 1, 1);
        return where(toGray, Grayscale(view).expand_as(view), view);
    }

    /// <summary>Per-sample factors U[0.6, 1.4] [B, 1, 1, 1] from a column of uniform draws.</summary>
    static Tensor JitterFactor(Tensor uniform, long b) => uniform.view(b, 1, 1, 1).mul(S(JitterWidth)).add(S(JitterLow), One);

    /// <summary>1 − x, as TorchSharp's <c>1 - x</c> computes it.</summary>
    static Tensor OneMinus(Tensor x) => x.negative().add(S(1), One);

    /// <summary>Luma [B, 1, H, W] (ITU-R 601 weights for RGB; the image itself for one channel).</summary>
    static Tensor Grayscale(Tensor view)
    {
        if (view.shape[1] == 1) return view;
        var c = view.unbind(1);
        return c[0].mul(S(0.299f)).add(c[1].mul(S(0.587f)), One).add(c[2].mul(S(0.114f)), One).unsqueeze(1);
    }

    /// <summary>Rotates the chroma plane of YIQ by <paramref name="angle"/> radians per sample (a linear hue shift).</summary>
    static Tensor RotateHue(Tensor view, Tensor angle)
    {
        long b = view.shape[0];
        var toYiq = tensor(new float[] { 0.299f, 0.587f, 0.114f, 0.596f, -0.274f, -0.322f, 0.211f, -0.523f, 0.312f },
            new long[] { 3, 3 }, device: view.device);
        var fromYiq = linalg.inv(toYiq);
        var cos = angle.cos(); var sin = angle.sin();
        var one = ones_like(cos); var zero = zeros_like(cos);
        var rotation = stack(new[] { one, zero, zero, zero, cos, -sin, zero, sin, cos }, 1).view(b, 3, 3);
        var transform = fromYiq.matmul(rotation).matmul(toYiq);
        var pixels = view.flatten(2);
        return transform.bmm(pixels).view(view.shape).clamp(S(0), S(1));
    }
}
