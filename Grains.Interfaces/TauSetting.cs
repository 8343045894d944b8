namespace Study.Grains;

/// <summary>
/// What a trial's temperature is: one τ (a constant schedule), or the range τ− to τ+ a cosine schedule moves between
/// (<see cref="Tau"/> is then τ−). The samplers propose these, the store keeps them as the trial's tau and tau_max,
/// and the reports group seeds by them.
/// </summary>
public readonly record struct TauSetting(double Tau, double? TauMax = null)
{
    public static implicit operator TauSetting(double tau) => new(tau);

    /// <summary>Whether this is the range of a cosine schedule.</summary>
    public bool IsRange => TauMax is not null;

    /// <summary>τ− (the constant τ when not a range).</summary>
    public double Low => Tau;

    /// <summary>τ+ (the constant τ when not a range).</summary>
    public double High => TauMax ?? Tau;

    /// <summary>The τ a trial trains with on average: the constant, or (τ− + τ+)/2 for a cosine schedule.</summary>
    public double Mean => (Low + High) / 2;

    /// <summary>"0.2", or "0.1–1" for a range.</summary>
    public string Label => IsRange ? $"{Numbers.Setting(Low)}–{Numbers.Setting(High)}" : Numbers.Setting(Tau);

    public static TauSetting? Of(double? tau, double? tauMax) => tau is { } t ? new TauSetting(t, tauMax) : null;

    public override string ToString() => Label;
}
