namespace Study.Grains.Hosting;

/// <summary>"did you mean …" suggestions by edit distance.</summary>
public static class ClosestName
{
    public static string? Find(string given, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (Name: c, Distance: Distance(given, c))).OrderBy(x => x.Distance).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, given.Length / 2) ? best.Name : null;
    }

    public static string Hint(string given, IEnumerable<string> candidates) =>
        Find(given, candidates) is { } name ? $" (did you mean '{name}'?)" : "";

    static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
