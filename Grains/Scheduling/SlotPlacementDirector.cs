using Orleans.Runtime.Placement;

namespace Study.Grains.Scheduling;

/// <summary>
/// Places a trial grain on the silo the slot scheduler reserved for it (the coordinator puts the grant in the
/// request context). A director alone sees stale statistics and races with itself, so it decides nothing by itself
/// when there is a grant; without one (a call that is not a start) it picks a silo that has slots, never one
/// with none.
/// </summary>
public sealed class SlotPlacementDirector(SlotDirectory directory) : IPlacementDirector
{
    public const string GrantKey = "study.slot-silo";

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (target.RequestContextData?.TryGetValue(GrantKey, out var granted) == true && granted is SiloAddress silo
            && compatible.Contains(silo))
            return Task.FromResult(silo);
        var withSlots = compatible.Where(s => directory.SlotsOf(s) > 0).ToArray();
        if (withSlots.Length > 0)
            return Task.FromResult(withSlots.Contains(context.LocalSilo) ? context.LocalSilo : withSlots[Random.Shared.Next(withSlots.Length)]);
        return Task.FromResult(compatible.Contains(context.LocalSilo) ? context.LocalSilo : compatible[0]);
    }
}
