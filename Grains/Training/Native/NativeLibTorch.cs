using System.Runtime.InteropServices;

namespace Study.Training.Native;

/// <summary>
/// Where this process's libtorch comes from. The bundled build carries TorchSharp-cpu's libtorch in the app
/// folder. The external build (<c>-p:StudyLibTorch=external</c>, what <c>scripts/gpu-pack</c> publishes) carries
/// none: a GPU node uses its own, named by <c>STUDY_LIBTORCH_DIR</c> (a PyTorch install's <c>torch/lib</c>, or
/// libtorch's <c>lib</c>), because no CUDA TorchSharp package can be restored where the product is built.
/// <see cref="Load"/> must run before anything touches <c>TorchSharp.torch</c>: it loads that libtorch by path, so
/// that TorchSharp's own loading (by library name) finds it already loaded, and it says in one line what is
/// missing when it cannot — TorchSharp itself would fail later with a type-initializer exception.
/// </summary>
public static class NativeLibTorch
{
    public const string DirectoryVariable = "STUDY_LIBTORCH_DIR";
    static readonly string[] Required = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];
    static readonly string[] Cuda = ["libc10_cuda.so", "libtorch_cuda.so"];
    static string? loaded;

    /// <summary>"bundled" or the folder it was loaded from (after <see cref="Load"/>).</summary>
    public static string Source => loaded ?? "not loaded yet";

    /// <summary>A note for stderr, when something is used other than one might think (or null).</summary>
    public static string? Notice { get; private set; }

    /// <returns>null when libtorch is ready for TorchSharp; else one line saying what is missing</returns>
    public static string? Load()
    {
        if (loaded is not null) return null;
        var app = AppContext.BaseDirectory;
        var dir = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (FindInApp(app, "libtorch_cpu.so") is not null)
        {
            if (!string.IsNullOrEmpty(dir))
                Notice = $"{DirectoryVariable} is ignored: this build bundles libtorch (the GPU pack's build does not)";
            loaded = "bundled";
            return null;
        }
        if (string.IsNullOrEmpty(dir))
            return $"this build loads libtorch from outside the app: set {DirectoryVariable} to a folder with libtorch.so " +
                   "(a PyTorch install's torch/lib, or libtorch's lib)";
        dir = Path.GetFullPath(dir);
        if (!Directory.Exists(dir)) return $"{DirectoryVariable}={dir}: no such folder";
        var missing = Required.Where(f => !File.Exists(Path.Combine(dir, f))).ToList();
        if (missing.Count > 0)
            return $"{DirectoryVariable}={dir}: {string.Join(", ", missing)} not found there (a PyTorch install's torch/lib " +
                   "or libtorch's lib has libc10.so, libtorch_cpu.so and libtorch.so)";
        foreach (var file in Required.Take(2))
            if (TryLoad(Path.Combine(dir, file)) is { } error) return $"{DirectoryVariable}={dir}: {file} does not load: {error}";
        var cudaErrors = Cuda.Where(f => File.Exists(Path.Combine(dir, f)))
            .Select(f => TryLoad(Path.Combine(dir, f)) is { } e ? $"{f}: {e}" : null).OfType<string>().ToList();
        if (cudaErrors.Count > 0) Notice = $"{DirectoryVariable}={dir}: CUDA libraries do not load ({cudaErrors[0]}); training can use the CPU only";
        if (TryLoad(Path.Combine(dir, "libtorch.so")) is { } torchError) return $"{DirectoryVariable}={dir}: libtorch.so does not load: {torchError}";
        var binding = FindInApp(app, "libLibTorchSharp.so");
        if (binding is null) return $"{app}: libLibTorchSharp.so (TorchSharp's native library) is missing from the app folder";
        if (TryLoad(binding) is { } bindingError)
            return $"libLibTorchSharp.so does not load against {DirectoryVariable}={dir}: {bindingError}" +
                   (bindingError.Contains("GLIBCXX") ? " (it needs the libstdc++ of GCC 13 or later)" : "");
        loaded = dir;
        return null;
    }

    static string? FindInApp(string app, string file) =>
        new[] { Path.Combine(app, file), Path.Combine(app, "runtimes", "linux-x64", "native", file) }.FirstOrDefault(File.Exists);

    /// <returns>null when loaded, else the loader's reason (dlerror's text)</returns>
    static string? TryLoad(string path)
    {
        try
        {
            NativeLibrary.Load(path);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // .NET's message: "Unable to load shared library '…' or one of its dependencies. …: <dlerror>"; keep dlerror.
            var message = e.Message.ReplaceLineEndings(" ");
            int at = message.LastIndexOf(path + ": ", StringComparison.Ordinal);
            return (at >= 0 ? message[(at + path.Length + 2)..] : message).Trim();
        }
    }
}
