namespace Study.Grains.Scheduling;

/// <summary>This silo's view of every silo's slot count, refreshed from the slot scheduler, for placement without a grant.</summary>
public sealed class SlotDirectory
{
    volatile Dictionary<SiloAddress, int> slots = new();

    public int SlotsOf(SiloAddress silo) => slots.GetValueOrDefault(silo, -1);

    public void Update(Dictionary<SiloAddress, int> latest) => slots = latest;
}
