using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>
/// The projection head h → z: the paper's Linear-ReLU-Linear (docs/TRAINING.md), or SimCLR's, with batch normalisation before the ReLU.
/// The second centres the head's units over each batch, so an untrained encoder's outputs do not all point one way:
/// an InstDisc memory bank needs that to learn (docs/EXPERIMENTS.md §1).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProjectionHeadKind>))]
public enum ProjectionHeadKind
{
    [JsonStringEnumMemberName("mlp")] Mlp,
    [JsonStringEnumMemberName("mlp-bn")] MlpBatchNorm,
}
