using Study.Training.Trainer;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Training;

/// <summary>
/// The collapse rule (docs/METRICS.md, "collapsed") on epoch curves measured here: it stops trials that fell below
/// the floor or stayed there, never on one epoch alone, and neither the healthy short runs whose untrained encoder
/// started near one point nor a memory bank's one-epoch dip.
/// </summary>
[Trait(Tier.Key, Tier.Fast)]
public class CollapseRuleTests
{
    static readonly CollapseRule Rule = CollapseRule.Default;

    static List<EpochMetrics> Curve(params (double Uniformity, double Tolerance)[] epochs) =>
        [.. epochs.Select((e, i) => new EpochMetrics(i + 1, 1, 0, 0, 0, 0.5, e.Uniformity, e.Tolerance, 1e-3, 1, 1))];

    /// <summary>The epoch at which the rule first stops the curve, or null.</summary>
    static int? StopsAt(List<EpochMetrics> curve) =>
        Enumerable.Range(1, curve.Count).Cast<int?>().FirstOrDefault(e => Rule.Verdict(curve.Take(e!.Value).ToList()) is not null);

    [Fact]
    public void TheDefaultsAreAFloorOfPointOneAndACeilingOfPoint999() =>
        Assert.Equal((0.1, 0.999), (Rule.UniformityFloor, Rule.ToleranceCeiling));

    [Fact]
    public void TheFirstEpochAloneNeverDecides() => Assert.Null(Rule.Verdict(Curve((0, 1))));

    [Fact]
    public void ABankTrialWithTheMlpHeadStopsWhereItFell()
    {
        // `study train --dataset synthetic --negatives memory-bank --tau 0.2 --subset 2048 --epochs 4 --batch-size 128`, mlp head.
        var curve = Curve((1.335e-4, 1), (2.566e-5, 1), (2.056e-5, 1), (2.033e-5, 1));
        Assert.Equal(2, StopsAt(curve));
        Assert.Equal("collapsed: validation uniformity 2.566e-5 at epoch 2, below the floor 0.1, as at epoch 1 (1.335e-4), and no higher",
            Rule.Verdict(curve.Take(2).ToList()));
    }

    [Fact]
    public void AnEmbeddingThatStaysNearOnePointStopsAfterThreeEpochsEvenWhileItCreepsUp()
    {
        // The same bank at Adam lr 1e-4: its cone neither collapses further nor spreads (Fashion-MNIST, 10,000 images).
        var curve = Curve((0.01996, 0.9963), (0.02156, 0.9961), (0.02462, 0.9955), (0.02784, 0.995));
        Assert.Equal(3, StopsAt(curve));
        Assert.Equal("collapsed: validation uniformity 0.0246 at epoch 3, below the floor 0.1 for 3 epochs in a row", Rule.Verdict(curve.Take(3).ToList()));
    }

    [Fact]
    public void AToleranceThatRisesAboveTheCeilingAndStaysStops()
    {
        var curve = Curve((2.1, 0.9), (1.5, 0.9992), (1.4, 0.9995));
        Assert.Null(Rule.Verdict(curve.Take(2).ToList()));
        Assert.Equal("collapsed: validation tolerance 0.9995 at epoch 3, above the ceiling 0.999, as at epoch 2 (0.9992), and no lower",
            Rule.Verdict(curve));
    }

    [Fact]
    public void OneEpochPastTheLimitIsNotACollapse()
    {
        // The InstDisc bank's second epoch (hard loss, τ 0.2, seed 1, docs/results/bank): 0.56, 0.08, then it spreads.
        var curve = Curve((0.5614, 0.8718), (0.08056, 0.9864), (0.4831, 0.9306), (0.7604, 0.8809), (1.142, 0.8285));
        Assert.Null(StopsAt(curve));
        // Had it stayed below the floor and gone no higher, it would have stopped at its third epoch.
        Assert.Equal(3, StopsAt(Curve((0.5614, 0.8718), (0.08056, 0.9864), (0.07, 0.99))));
    }

    public static TheoryData<string, (double, double)[]> HealthyCurves => new()
    {
        // ./study run --dataset synthetic --taus 0.07,0.3,1.0 --epochs 4 --subset 2048: an untrained encoder near one point, spreading.
        { "synthetic 2,048 images, τ 0.07", [(0.11, 0.9958), (0.2039, 0.9942), (0.2582, 0.9919), (0.2924, 0.9905)] },
        { "synthetic 2,048 images, τ 0.3", [(0.4799, 0.9675), (0.4836, 0.9743), (0.4555, 0.977), (0.5195, 0.9754)] },
        { "synthetic 2,048 images, τ 1", [(0.5586, 0.9142), (0.6376, 0.9472), (0.6618, 0.9189), (0.6851, 0.9182)] },
        // The README's quick study: ./study run --dataset synthetic --taus 0.1,0.3,1.0 --epochs 2.
        { "README synthetic, τ 1", [(0.806, 0.9239), (0.752, 0.9293)] },
        // InstDisc bank, mlp-bn head, Fashion-MNIST 10,000 images, τ 0.07: uniformity dips in epoch 2, then spreads.
        { "bank mlp-bn, hard, τ 0.2", [(0.5614, 0.8718), (0.08056, 0.9864), (0.4831, 0.9306), (0.7604, 0.8809)] },
        { "bank mlp-bn, τ 0.07", [(0.3228, 0.9317), (0.3158, 0.9464), (0.976, 0.8294), (1.58, 0.7037)] },
        // An untrained encoder at 0.008 that rises: past the floor for two epochs, but rising, and above it by the third.
        { "untrained start", [(0.008, 0.9995), (0.05, 0.9985), (0.4, 0.99)] },
        // Issue 22: hard-simple, batch negatives, Fashion-MNIST 10,000 images, seeds 2 and 4 (docs/results/grid): one point
        // for three epochs, but spreading out manyfold an epoch; the rule stopped both at epoch 3 (seed 2 completed
        // healthy in the run before the rule).
        { "hard-simple batch, seed 2", [(3.51e-5, 0.999996), (4.43e-5, 0.999994), (1.17e-4, 0.999986)] },
        { "hard-simple batch, seed 4", [(5.75e-5, 0.999992), (1.0e-4, 0.999986), (8.52e-4, 0.999898)] },
    };

    [Theory]
    [MemberData(nameof(HealthyCurves))]
    public void HealthyShortRunsAreNotStopped(string run, (double, double)[] epochs) => Assert.True(StopsAt(Curve(epochs)) is null, run);

    [Fact]
    public void EpochsWithoutEmbeddingMetricsAreNotJudged()
    {
        var unmeasured = Enumerable.Range(1, 4).Select(e => new EpochMetrics(e, 1, 0, 0, 0, 0.5, null, null, 1e-3, 1, 1)).ToList();
        Assert.Null(Rule.Verdict(unmeasured));
        Assert.Null(Rule.Verdict(Curve((double.NaN, double.NaN), (double.NaN, double.NaN), (double.NaN, double.NaN))));
    }

    [Fact]
    public void AStricterFloorStopsWhatTheDefaultLetsGo()
    {
        var curve = Curve((0.4799, 0.9675), (0.4836, 0.9743), (0.4555, 0.977));
        Assert.Null(Rule.Verdict(curve));
        Assert.NotNull(new CollapseRule(0.5, 0.999).Verdict(curve));
    }
}
