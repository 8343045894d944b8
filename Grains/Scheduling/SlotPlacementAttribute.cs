using Orleans.Placement;

namespace Study.Grains.Scheduling;

[AttributeUsage(AttributeTargets.Class)]
public sealed class SlotPlacementAttribute() : PlacementAttribute(new SlotPlacement());
