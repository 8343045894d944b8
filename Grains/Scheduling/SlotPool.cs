using System.Collections.Concurrent;
using System.Diagnostics;

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

    public SlotPool(SlotLayout layout)
    {
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

    /// <summary>Seconds of work done on all slots so far (finished work, plus the running work's elapsed time).</summary>
    public double BusySeconds
    {
        get { lock (gate) return slots.Sum(s => s.BusySeconds); }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a free slot's thread, giving it the slot's device; false when every slot is
    /// busy. The free slot taken is the first one on the least busy device, so that trials spread over the GPUs
    /// before any GPU takes a second one. What the work returns runs after the slot is marked free (on the same
    /// thread): reporting there means that whoever hears the report finds the slot free already.
    /// </summary>
    public bool TryRun(string trialKey, Func<string, Action?> work)
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

    sealed class Slot
    {
        readonly BlockingCollection<Func<string, Action?>> work = new();
        readonly Thread thread;
        readonly SlotPool pool;

        public Slot(int index, string device, SlotPool pool)
        {
            this.pool = pool;
            Device = device;
            thread = new Thread(Loop) { IsBackground = true, Name = $"slot-{index}" };
            thread.Start();
        }

        public readonly string Device;
        public string? TrialKey;
        public double Done;
        public Stopwatch? Started;

        public double BusySeconds => Done + (Started?.Elapsed.TotalSeconds ?? 0);

        public void Post(Func<string, Action?> action) => work.Add(action);

        public void Stop() => work.CompleteAdding();

        void Loop()
        {
            foreach (var action in work.GetConsumingEnumerable())
            {
                var clock = Stopwatch.StartNew();
                lock (pool.gate) Started = clock;
                Action? then = null;
                try { then = action(Device); }
                catch (Exception e) { Console.Error.WriteLine($"slot {thread.Name}: {e}"); }
                finally { pool.Finished(this, clock.Elapsed); }
                try { then?.Invoke(); }
                catch (Exception e) { Console.Error.WriteLine($"slot {thread.Name}: {e}"); }
            }
        }
    }
}
