using System.Text.Json;
using System.Text.RegularExpressions;
using ScottPlot;
using SkiaSharp;
using Study.Client.Reporting;
using Study.Grains.Storage;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Reporting;

/// <summary>One real study (synthetic data, 3 τ × 2 seeds, 2 epochs) run by `study run`, whose output folder the tests read.</summary>
public sealed class SyntheticStudyFolder : IDisposable
{
    public readonly string Dir = Directory.CreateTempSubdirectory("study-report-").FullName;
    public string Store => Path.Combine(Dir, "studies.db");
    public string Out => Path.Combine(Dir, "out");
    public readonly string StudyId;

    public SyntheticStudyFolder()
    {
        var result = StudyProcess.Run(TimeSpan.FromMinutes(5), Dir, "run", "--dataset", "synthetic", "--subset", "1024", "--eval-subset", "300",
            "--batch-size", "128", "--taus", "0.1,0.3,1.0", "--seeds", "2", "--epochs", "2", "--store", Store, "--out", Out, "--json");
        if (result.ExitCode != 0) throw new InvalidOperationException($"study run failed ({result.ExitCode}): {result.Stderr}");
        using var json = JsonDocument.Parse(result.Stdout);
        StudyId = json.RootElement.GetProperty("study_id").GetString()!;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

public sealed class ReportTests(SyntheticStudyFolder study) : IClassFixture<SyntheticStudyFolder>
{
    static readonly string[] Figures =
    [
        "1-tau-objective-uniformity-tolerance.png", "2-uniformity-tolerance.png", "3a-loss-per-epoch.png", "3b-objective-per-epoch.png",
        "4-similarities.png", "5-penalty-entropy.png",
    ];

    string Html => File.ReadAllText(Path.Combine(study.Out, "report.html"));

    [Fact]
    public void ReportIsSelfContainedWithEveryPart()
    {
        var html = Html;
        Assert.DoesNotMatch(new Regex(@"(src|href)=""(https?:|//|file:)"), html);
        Assert.DoesNotContain("<script", html);
        var images = Regex.Matches(html, @"<img [^>]*src=""data:image/png;base64,([A-Za-z0-9+/=]+)""").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(Figures.Length, images.Count);
        // The embedded figures are the files of plots/.
        Assert.Equal(Figures.Select(f => Convert.ToBase64String(File.ReadAllBytes(Path.Combine(study.Out, "plots", f)))), images);
        Assert.Contains("id=\"best-tau\"", html);
        Assert.Matches(new Regex(@"<ul id=""reading""><li>Uniformity .*</li>"), html);
        // The table of temperatures holds mean ± sd over the two seeds of each τ.
        var tauRows = Regex.Match(html, @"<table id=""taus"">.*?</table>", RegexOptions.Singleline).Value;
        Assert.Equal(3, Regex.Count(tauRows, "<tr[ >]") - 1);
        Assert.Contains(" ± ", tauRows);
        Assert.Equal(6, Regex.Count(Regex.Match(html, @"<table id=""trials"">.*?</table>", RegexOptions.Singleline).Value, "<tr class="));
        Assert.Contains("<th>torchsharp</th><td>0.107.0</td>", html);
        Assert.Contains("<th>taus</th><td>[0.1,0.3,1]</td>", html);
    }

    [Fact]
    public async Task ReportOpensInChromiumWithoutErrorsAndIsNotBlank()
    {
        await using var browser = await HeadlessChromium.Start(1200, 1600);
        var page = browser.Page;
        await page.GotoAsync(new Uri(Path.Combine(study.Out, "report.html")).AbsoluteUri);
        Assert.Equal(Figures.Length, await page.EvaluateAsync<int>("[...document.images].filter(i => i.complete && i.naturalWidth === 900).length"));
        Assert.Equal("Temperature study " + study.StudyId, await page.Locator("h1").InnerTextAsync());
        var screenshot = await page.ScreenshotAsync();
        Assert.Empty(browser.Errors);
        var (inked, colors) = Ink(screenshot);
        Assert.True(inked > 0.05, $"screenshot is nearly blank: {inked:P1} of pixels differ from white");
        Assert.True(colors > 50, $"screenshot has {colors} colours");
    }

    [Fact]
    public async Task PlotsHoldTheStudysData()
    {
        foreach (var file in Figures)
        {
            var png = File.ReadAllBytes(Path.Combine(study.Out, "plots", file));
            using var bitmap = SKBitmap.Decode(png);
            Assert.Equal((ReportPlot.Width, ReportPlot.Height), (bitmap.Width, bitmap.Height));
            Assert.True(Ink(png).Inked > 0.03, $"{file} is nearly empty");
        }
        // The figures drawn again from the store: every τ, seed and epoch is in them.
        await using var store = new SqliteStudyStore(study.Store);
        var data = await ReportData.Load(store, (await StudyResults.Load(store, study.StudyId))!);
        var plots = ReportPlots.Draw(data).ToDictionary(p => p.File);
        Assert.Equal(Figures, plots.Keys);
        var tauMetrics = Scatters(plots[Figures[0]]);
        Assert.Equal(3, tauMetrics.Count); // objective, tolerance, uniformity
        Assert.All(tauMetrics, s => Assert.Equal([0.1, 0.3, 1.0], s.Data.GetScatterPoints().Select(p => Math.Round(Math.Pow(10, p.X), 6))));
        Assert.Equal(3, plots[Figures[0]].Plot.GetPlottables().OfType<ScottPlot.Plottables.ErrorBar>().Count());
        Assert.Equal(6, plots[Figures[1]].Plot.GetPlottables().OfType<ScottPlot.Plottables.Marker>().Count());
        foreach (var perEpoch in new[] { Figures[2], Figures[3] })
        {
            var lines = Scatters(plots[perEpoch]);
            Assert.Equal(6, lines.Count);
            Assert.All(lines, l => Assert.Equal([1.0, 2.0], l.Data.GetScatterPoints().Select(p => p.X)));
        }
        var similarities = Scatters(plots[Figures[4]]);
        Assert.Equal(6, similarities.Count); // positive and nearest negatives for each τ
        Assert.All(similarities, s => Assert.True(s.Data.GetScatterPoints().Sum(p => p.Y) > 0));
        Assert.Equal(3, Scatters(plots[Figures[5]]).Single().Data.GetScatterPoints().Count);
    }

    static List<ScottPlot.Plottables.Scatter> Scatters(ReportPlot plot) => plot.Plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();

    /// <summary>The fraction of pixels that are not near-white, and the number of distinct colours.</summary>
    static (double Inked, int Colors) Ink(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        int inked = 0;
        var colors = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red < 235 || c.Green < 235 || c.Blue < 235) inked++;
                colors.Add((uint)c);
            }
        return (inked / (bitmap.Width * bitmap.Height / 4.0), colors.Count);
    }
}
