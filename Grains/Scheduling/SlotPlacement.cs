using Orleans.Placement;

namespace Study.Grains.Scheduling;

/// <summary>Trial grains go to a silo with a free accelerator slot (see <see cref="SlotPlacementDirector"/>).</summary>
[GenerateSerializer, Alias("study.SlotPlacement")]
public sealed class SlotPlacement : PlacementStrategy;
