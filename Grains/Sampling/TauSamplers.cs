namespace Study.Grains.Sampling;

public static class TauSamplers
{
    /// <summary>The sampler of a study whose loss has a τ (a loss without one has a single trial per seed and no search).</summary>
    public static ITauSampler Create(StudySpec spec) => spec.Search switch
    {
        SearchKind.Grid => new GridSampler(spec.Grid),
        SearchKind.Random => new RandomSampler(Space(spec), spec.TrialsPerSeed, spec.Seed),
        // Starts from --taus only when they were given.
        SearchKind.Adaptive => new GpEiSampler(Space(spec), spec.TrialsPerSeed, spec.TausGiven ? spec.Grid : [], spec.Seed),
        _ => throw new ArgumentException($"unknown search '{spec.Search}'"),
    };

    /// <summary>Where random and adaptive search look: --tau-range, for one τ or for (τ−, τ+) of a cosine schedule.</summary>
    public static TauSpace Space(StudySpec spec) => new(spec.TauMin, spec.TauMax, spec.SearchesRanges);
}
