using System.Globalization;

namespace Study.Settings;

/// <summary>
/// Numbers as people read them: tables, the live view, the report, messages and help, in the invariant culture.
/// Files for machines (JSON, CSV, SQL) keep every digit instead.
/// </summary>
public static class Numbers
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A metric to four decimals, "0.8123"; "-" where not measured.</summary>
    public static string Metric(double? value) => Fixed(value, 4);

    /// <summary>To a fixed number of decimals: narrow columns and progress lines ("0.81" for 2); "-" for null.</summary>
    public static string Fixed(double? value, int decimals) =>
        value is { } v ? v.ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), Invariant) : "-";

    /// <summary>Seconds to a tenth, "12.5".</summary>
    public static string Seconds(double seconds) => Fixed(seconds, 1);

    /// <summary>A setting as given, in its shortest form (up to five decimals): τ "0.2", a rate "0.001", a period "2".</summary>
    public static string Setting(double value) => value.ToString("0.#####", Invariant);

    /// <summary>A measurement in a sentence: up to four decimals, or four significant digits below 0.001 ("3.096e-6").</summary>
    public static string Measured(double value) => value.ToString(Math.Abs(value) < 0.001 ? "0.###e0" : "0.####", Invariant);

    /// <summary>A count or a rate with thousands separators, "10,000"; "-" for null.</summary>
    public static string Count(double? value) => value is { } v ? v.ToString("#,0", Invariant) : "-";
}
