using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Study.Grains.Scheduling;

/// <summary>
/// This silo's accelerator slots: one dedicated thread each (training never runs on the Orleans scheduler or the
/// thread pool) and one device each (<see cref="SlotLayout"/>), and local admission by the silo's own slot count —
/// whatever a reservation elsewhere says, a silo never runs more trials than it has slots. Keeps busy time per slot
/// for the utilisation figure.
/// </summary>
public sealed class SlotPool : IDisposable
{
    readonly Slot[] slots;
    readonly object gate = new();
    readonly ILogger<SlotPool> log;

    public SlotPool(SlotLayout layout, ILogger<SlotPool> log)
    {
        this.log = log;
        slots = Enumerable.Range(0, layout.Slots).Select(i => new Slot(i, layout.DeviceOf(i), this)).ToArray();
    }

    public int Count => slots.Length;

    /// <summary>The trial keys running now.</summary>
    public string[] Running
    {
        get { lock (gate) return slots.Where(s => s.TrialKey is not null).Select(s => s.TrialKey!).ToArray(); }
    }

    public int Free
    {
        get { lock (gate) return slots.Count(s => s.TrialKey is null); }
    }

    /// <summary>Each slot: its device, whether it runs a trial, and its seconds of work so far (for the slot gauges).</summary>
    public SlotReading[] Readings
    {
        get { lock (gate) return slots.Select(s => new SlotReading(s.Index, s.Device, s.TrialKey is not null, s.BusySeconds)).ToArray(); }
    }

    /// <summary>Seconds of work done on all slots so far (finished work, plus the running work's elapsed time).</summary>
    public double BusySeconds
    {
        get { lock (gate) return slots.Sum(s => s.BusySeconds); }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a free slot's thread, giving it the slot (its index and device); false when every slot is
    /// busy. The free slot taken is the first one on the least busy device, so that trials spread over the GPUs
    /// before any GPU takes a second one. What the work returns runs after the slot is marked free (on the same
    /// thread): reporting there means that whoever hears the report finds the slot free already.
    /// </summary>
    public bool TryRun(string trialKey, Func<SlotReading, Action?> work)
    {
        Slot? free;
        lock (gate)
        {
            free = slots.Where(s => s.TrialKey is null)
                .OrderBy(s => slots.Count(o => o.TrialKey is not null && o.Device == s.Device)).FirstOrDefault();
            if (free is null) return false;
            free.TrialKey = trialKey;
        }
        free.Post(work);
        return true;
    }

    void Finished(Slot slot, TimeSpan busy)
    {
        lock (gate)
        {
            slot.TrialKey = null;
            slot.Done += busy.TotalSeconds;
            slot.Started = null;
        }
    }

    public void Dispose()
    {
        foreach (var slot in slots) slot.Stop();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "its queue ends with the pool: Stop completes it and the slot thread drains it")]
    sealed class Slot
    {
        readonly BlockingCollection<Func<SlotReading, Action?>> work = new();
        readonly Thread thread;
        readonly SlotPool pool;

        public Slot(int index, string device, SlotPool pool)
        {
            this.pool = pool;
            Index = index;
            Device = device;
            thread = new Thread(Loop) { IsBackground = true, Name = $"slot-{index}" };
            thread.Start();
        }

        public readonly int Index;
        public readonly string Device;
        public string? TrialKey;
        public double Done;
        public Stopwatch? Started;

        public double BusySeconds => Done + (Started?.Elapsed.TotalSeconds ?? 0);

        public void Post(Func<SlotReading, Action?> action) => work.Add(action);

        public void Stop() => work.CompleteAdding();

        void Loop()
        {
            foreach (var action in work.GetConsumingEnumerable())
            {
                var clock = Stopwatch.StartNew();
                lock (pool.gate) Started = clock;
                Action? then = null;
                try { then = action(new SlotReading(Index, Device, true, 0)); }
                catch (Exception e) { pool.log.LogError(e, "slot {Slot}: its trial's work failed", thread.Name); }
                finally { pool.Finished(this, clock.Elapsed); }
                try { then?.Invoke(); }
                catch (Exception e) { pool.log.LogError(e, "slot {Slot}: what followed its trial's work failed", thread.Name); }
            }
        }
    }
}
