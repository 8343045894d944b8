using System.Collections.Concurrent;
using System.Diagnostics;

namespace Study.Grains.Scheduling;

/// <summary>
/// This silo's accelerator slots: one dedicated thread each (training never runs on the Orleans scheduler or the
/// thread pool), and local admission by the silo's own slot count — whatever a reservation elsewhere says, a silo
/// never runs more trials than it has slots. Keeps busy time per slot for the utilisation figure.
/// </summary>
public sealed class SlotPool : IDisposable
{
    readonly Slot[] slots;
    readonly object gate = new();

    public SlotPool(int slotCount)
    {
        slots = Enumerable.Range(0, slotCount).Select(i => new Slot(i, this)).ToArray();
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

    /// <summary>Seconds of work done on all slots so far (finished work, plus the running work's elapsed time).</summary>
    public double BusySeconds
    {
        get { lock (gate) return slots.Sum(s => s.BusySeconds); }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a free slot's thread; false when every slot is busy. What the work returns
    /// runs after the slot is marked free (on the same thread): reporting there means that whoever hears the report
    /// finds the slot free already.
    /// </summary>
    public bool TryRun(string trialKey, Func<Action?> work)
    {
        Slot? free;
        lock (gate)
        {
            free = slots.FirstOrDefault(s => s.TrialKey is null);
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

    sealed class Slot
    {
        readonly BlockingCollection<Func<Action?>> work = new();
        readonly Thread thread;
        readonly SlotPool pool;

        public Slot(int index, SlotPool pool)
        {
            this.pool = pool;
            thread = new Thread(Loop) { IsBackground = true, Name = $"slot-{index}" };
            thread.Start();
        }

        public string? TrialKey;
        public double Done;
        public Stopwatch? Started;

        public double BusySeconds => Done + (Started?.Elapsed.TotalSeconds ?? 0);

        public void Post(Func<Action?> action) => work.Add(action);

        public void Stop() => work.CompleteAdding();

        void Loop()
        {
            foreach (var action in work.GetConsumingEnumerable())
            {
                var clock = Stopwatch.StartNew();
                lock (pool.gate) Started = clock;
                Action? then = null;
                try { then = action(); }
                catch (Exception e) { Console.Error.WriteLine($"slot {thread.Name}: {e}"); }
                finally { pool.Finished(this, clock.Elapsed); }
                try { then?.Invoke(); }
                catch (Exception e) { Console.Error.WriteLine($"slot {thread.Name}: {e}"); }
            }
        }
    }
}
