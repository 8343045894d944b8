namespace Study.Training.Trainer;

/// <summary>
/// τ as a pure function of training progress, so a resumed trial needs no schedule state. Constant: τ throughout.
/// Cosine (Kukleva et al., "Temperature Schedules for Self-Supervised Contrastive Methods on Long-Tail Data", ICLR
/// 2023): τ(t) = τ− + ½(τ+ − τ−)(1 + cos(2πt / T)), t in epochs since the start (fractional within an epoch), T the
/// period in epochs; it starts at τ+, reaches τ− at T/2 and is back at τ+ after each full period.
/// </summary>
public sealed record TemperatureSchedule(TauScheduleKind Kind, double Low, double High, double PeriodEpochs)
{
    public static TemperatureSchedule Constant(double tau) => new(TauScheduleKind.Constant, tau, tau, 1);

    /// <param name="epochs">training progress in epochs (epoch e's step s of S: e − 1 + s / S)</param>
    public double At(double epochs) => Kind switch
    {
        TauScheduleKind.Constant => Low,
        TauScheduleKind.Cosine => Low + 0.5 * (High - Low) * (1 + Math.Cos(2 * Math.PI * epochs / PeriodEpochs)),
        _ => throw new ArgumentException($"unknown τ schedule '{Kind}'"),
    };
}
