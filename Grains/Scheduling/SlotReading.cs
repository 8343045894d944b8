namespace Study.Grains.Scheduling;

/// <summary>A slot of this silo: its index, its device, whether it runs a trial, and its seconds of work so far.</summary>
public readonly record struct SlotReading(int Index, string Device, bool Busy, double BusySeconds);
