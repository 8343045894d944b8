using System.Text.Json;
using Study.Grains;
using Study.Grains.Running;
using Study.Grains.Storage;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Storage;

/// <summary>An epoch's metrics keep the JSON that stores and metrics.jsonl files written before they were typed hold.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class EpochMetricsJsonTests
{
    static readonly EpochReport Report = new("s", "t", Attempt: 2, Epoch: 3, Loss: 4.25, PositiveSimilarity: 0.81,
        NearestNegativeSimilarity: 0.34, PenaltyEntropy: 6.5, ValKnnAccuracy: 0.72, LearningRate: 1e-3, Seconds: 12.5,
        ImagesPerSecond: 1480.25, CheckpointPath: null, Device: "cpu", ValUniformity: 3.3, ValTolerance: double.NaN);

    [Fact]
    public void WritesTheLineTheCoordinatorWroteBeforeTheMetricsWereTyped()
    {
        var before = new { epoch = 3, loss = 4.25, positive_similarity = 0.81, nearest_negative_similarity = 0.34,
            penalty_entropy = 6.5, val_knn_accuracy = 0.72, val_uniformity = (double?)3.3, val_tolerance = (double?)null,
            learning_rate = 1e-3, seconds = 12.5, images_per_second = 1480.25, attempt = 2 };
        Assert.Equal(JsonSerializer.Serialize(before, StudyJson.Compact), EpochMetricsJson.Write(Report.ToEpochMetrics(), Report.Attempt));
    }

    [Fact]
    public void TheEpochsTauComesLastBeforeTheAttemptAndOnlyWhereThereIsOne()
    {
        var line = EpochMetricsJson.Write(Report.ToEpochMetrics() with { Tau = 0.55 }, Report.Attempt);
        Assert.EndsWith("\"images_per_second\":1480.25,\"tau\":0.55,\"attempt\":2}", line);
        Assert.Equal(0.55, EpochMetricsJson.Read(line).Tau);
        Assert.DoesNotContain("tau", EpochMetricsJson.Write(Report.ToEpochMetrics(), Report.Attempt));
    }

    [Fact]
    public void RoundTrips()
    {
        var metrics = Report.ToEpochMetrics();
        Assert.Equal(metrics, EpochMetricsJson.Read(EpochMetricsJson.Write(metrics, Report.Attempt)));
    }

    [Fact]
    public void ReadsALineWrittenBeforeTheValidationUniformityAndTolerance()
    {
        var metrics = EpochMetricsJson.Read("""
            {"epoch":1,"loss":5.5,"positive_similarity":0.7,"nearest_negative_similarity":0.4,"penalty_entropy":6.1,"val_knn_accuracy":0.6,"learning_rate":0.001,"seconds":9,"images_per_second":800,"attempt":1}
            """);
        Assert.Equal((1, 5.5, 0.6, 6.1), (metrics.Epoch, metrics.Loss, metrics.ValKnnAccuracy, metrics.PenaltyEntropy));
        Assert.Null(metrics.ValUniformity);
        Assert.Null(metrics.ValTolerance);
    }
}
