using Orleans.Runtime;

namespace Study.Grains.Scheduling;

/// <summary>
/// The cluster's one source of truth for slot reservations (see <see cref="ISlotSchedulerGrain"/>). Its state is
/// soft: silos report their capacity and running trials every second, so a new activation (after its silo died)
/// rebuilds it within a heartbeat, and a silo that membership declares dead loses its slots at once.
/// </summary>
public sealed class SlotSchedulerGrain(IClusterMembershipService membership, TimeProvider clock) : Grain, ISlotSchedulerGrain
{
    /// <summary>A reservation a silo has not reported running after this long was never started: free it.</summary>
    static readonly TimeSpan UnconfirmedReservation = TimeSpan.FromSeconds(30);
    /// <summary>A silo that has not reported for this long (it reports every second) gets no new trial: it may have
    /// died, and membership takes some seconds more to say so. Without this, trials were granted to a killed silo
    /// again and again until then, each failed start a new attempt (the chaos run counted ~1,000).</summary>
    static readonly TimeSpan SilentSilo = TimeSpan.FromSeconds(3);

    sealed class SiloEntry
    {
        public required string Name;
        public int Slots;
        public bool Leaving;
        public DateTime LastReport;
        public HashSet<string> Running = [];
        public HashSet<string> Reporting = [];
        public readonly Dictionary<string, DateTime> Reserved = new();
        public int FreeAt(DateTime now) => Leaving || now - LastReport > SilentSilo ? 0 : Math.Max(0, Slots - Reserved.Count);
    }

    readonly Dictionary<SiloAddress, SiloEntry> silos = new();
    DateTime Now => clock.GetUtcNow().UtcDateTime;
    readonly Dictionary<string, SiloAddress> reservations = new();

    public Task Heartbeat(SiloSlotReport report)
    {
        if (!silos.TryGetValue(report.Silo, out var entry)) silos[report.Silo] = entry = new SiloEntry { Name = report.Name };
        entry.Slots = report.Slots;
        entry.Leaving = report.Leaving;
        var now = Now;
        entry.LastReport = now;
        entry.Running = [.. report.Running];
        entry.Reporting = [.. report.Reporting ?? []];
        foreach (var key in report.Running)
        {
            if (reservations.TryGetValue(key, out var elsewhere) && elsewhere != report.Silo) Drop(key);
            reservations[key] = report.Silo;
            entry.Reserved[key] = now;
        }
        foreach (var stale in entry.Reserved.Where(r => !report.Running.Contains(r.Key) && now - r.Value > UnconfirmedReservation)
                     .Select(r => r.Key).ToList())
            Drop(stale);
        return Task.CompletedTask;
    }

    public Task<SlotGrant[]> Reserve(string[] trialKeys)
    {
        ForgetDeadSilos();
        var grants = new List<SlotGrant>();
        var now = Now;
        foreach (var key in trialKeys)
        {
            if (reservations.TryGetValue(key, out var held))
            {
                grants.Add(new SlotGrant(key, held, silos[held].Name));
                continue;
            }
            var best = silos.Where(s => s.Value.FreeAt(now) > 0).OrderByDescending(s => s.Value.FreeAt(now)).ThenBy(s => s.Key.ToString()).FirstOrDefault();
            if (best.Key is null) break;
            best.Value.Reserved[key] = now;
            reservations[key] = best.Key;
            grants.Add(new SlotGrant(key, best.Key, best.Value.Name));
        }
        return Task.FromResult(grants.ToArray());
    }

    public Task Release(string[] trialKeys)
    {
        foreach (var key in trialKeys) Drop(key);
        return Task.CompletedTask;
    }

    public Task<string[]> Absent(Dictionary<string, SiloAddress> trials)
    {
        var recent = Now - TimeSpan.FromSeconds(3);
        return Task.FromResult(trials
            .Where(t => silos.TryGetValue(t.Value, out var entry) && entry.LastReport > recent
                        && !entry.Running.Contains(t.Key) && !entry.Reporting.Contains(t.Key))
            .Select(t => t.Key).ToArray());
    }

    public Task<int> FreeSlots()
    {
        ForgetDeadSilos();
        var now = Now;
        return Task.FromResult(silos.Values.Sum(s => s.FreeAt(now)));
    }

    public Task<Dictionary<SiloAddress, int>> SiloSlots()
    {
        ForgetDeadSilos();
        return Task.FromResult(silos.ToDictionary(s => s.Key, s => s.Value.Leaving ? 0 : s.Value.Slots));
    }

    void Drop(string key)
    {
        if (reservations.Remove(key, out var silo) && silos.TryGetValue(silo, out var entry)) entry.Reserved.Remove(key);
    }

    void ForgetDeadSilos()
    {
        var snapshot = membership.CurrentSnapshot;
        foreach (var dead in silos.Keys.Where(s => snapshot.GetSiloStatus(s) is not SiloStatus.Active).ToList())
        {
            foreach (var key in silos[dead].Reserved.Keys) reservations.Remove(key);
            silos.Remove(dead);
        }
    }
}
