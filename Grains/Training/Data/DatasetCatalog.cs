namespace Study.Training.Data;

/// <summary>The datasets a study can name, their default folders, and how each is loaded.</summary>
public static class DatasetCatalog
{
    public static readonly IReadOnlyList<string> Names = ["fashion-mnist", "mnist", "cifar10", "cifar100", "synthetic"];

    /// <summary>Where the default folders are: <c>STUDY_DATA_ROOT</c> (the GPU pack sets it to its own data folder),
    /// else Debian's <c>/usr/share/datasets</c>.</summary>
    public const string RootVariable = "STUDY_DATA_ROOT";

    public static string DefaultRoot => Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } r ? r : "/usr/share/datasets";

    public static string? DefaultDataDir(string dataset) =>
        dataset is "synthetic" || !Names.Contains(dataset) ? null : Path.Combine(DefaultRoot, dataset);

    /// <summary>Loads the train and test sets. <paramref name="seed"/> only matters for <c>synthetic</c>.</summary>
    public static (ImageSet Train, ImageSet Test) Load(string dataset, string? dataDir, long seed)
    {
        var dir = dataDir ?? DefaultDataDir(dataset);
        if (dataset != "synthetic" && !Directory.Exists(dir))
            throw new DatasetFormatException($"{dir}: data folder not found for --dataset {dataset}" +
                (dataset == "fashion-mnist" ? " (install the Debian package dataset-fashion-mnist, or give --data-dir)" : " (give --data-dir)"));
        return dataset switch
        {
            "fashion-mnist" or "mnist" => LoadIdx(dataset, dir!),
            "cifar10" => LoadCifar(dataset, dir!, "cifar-10-batches-bin",
                [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")], ["test_batch.bin"], labelBytes: 1, classes: 10),
            "cifar100" => LoadCifar(dataset, dir!, "cifar-100-binary", ["train.bin"], ["test.bin"], labelBytes: 2, classes: 100),
            "synthetic" => SyntheticDataset.Generate(seed),
            _ => throw new ArgumentException($"unknown dataset '{dataset}'"),
        };
    }

    static (ImageSet, ImageSet) LoadIdx(string name, string dir)
    {
        ImageSet Read(string prefix)
        {
            var labels = IdxReader.ReadLabels(IdxReader.Locate(dir, $"{prefix}-labels-idx1-ubyte"), classes: 10);
            var imagesPath = IdxReader.Locate(dir, $"{prefix}-images-idx3-ubyte");
            var images = IdxReader.ReadImages(imagesPath, labels.Length);
            return new ImageSet(name, images, labels, 10);
        }
        return (Read("train"), Read("t10k"));
    }

    static (ImageSet, ImageSet) LoadCifar(string name, string dir, string archiveFolder, string[] trainFiles,
        string[] testFiles, int labelBytes, int classes)
    {
        ImageSet Read(string[] files)
        {
            var (images, labels) = CifarReader.Read(
                files.Select(f => CifarReader.Locate(dir, archiveFolder, f)).ToList(), labelBytes, classes);
            return new ImageSet(name, images, labels, classes);
        }
        return (Read(trainFiles), Read(testFiles));
    }
}
