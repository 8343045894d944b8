namespace Study.Training.Trainer;

/// <summary>The learning rate as a pure function of progress, so a resumed trial needs no scheduler state.</summary>
public static class LearningRateSchedule
{
    /// <param name="progress">completed fraction of all training steps, in [0, 1)</param>
    public static double At(ScheduleKind schedule, double baseRate, double progress) => schedule switch
    {
        ScheduleKind.Constant => baseRate,
        ScheduleKind.Cosine => baseRate * 0.5 * (1 + Math.Cos(Math.PI * progress)),
        // The paper's 200-epoch schedule (×0.1 at 160 and 190), scaled to any length.
        ScheduleKind.Step => baseRate * (progress >= 0.95 ? 0.01 : progress >= 0.8 ? 0.1 : 1),
        _ => throw new ArgumentException($"unknown schedule '{schedule}'"),
    };
}
