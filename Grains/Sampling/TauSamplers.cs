namespace Study.Grains.Sampling;

public static class TauSamplers
{
    /// <summary>The sampler of a study whose loss has a τ (a loss without one has a single trial per seed and no search).</summary>
    public static ITauSampler Create(StudySpec spec) => spec.Search switch
    {
        SearchKind.Grid => new GridSampler(spec.Taus),
        SearchKind.Random => new RandomSampler(spec.TauMin, spec.TauMax, spec.TrialsPerSeed, spec.Seed),
        // Starts from --taus only when they were given.
        SearchKind.Adaptive => new GpEiSampler(spec.TauMin, spec.TauMax, spec.TrialsPerSeed, spec.TausGiven ? spec.Taus : [], spec.Seed),
        _ => throw new ArgumentException($"unknown search '{spec.Search}'"),
    };
}
