using Microsoft.Playwright;

namespace Study.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (its driver comes with the NuGet package; no browser is downloaded). The
/// pages tested are Blazor and scripts: a test waits for what it looks for to appear, as a person would. Console
/// errors and uncaught exceptions of the page are collected.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    readonly IPlaywright playwright;
    readonly IBrowser browser;
    readonly List<string> errors = [];

    HeadlessChromium(IPlaywright playwright, IBrowser browser, IPage page)
    {
        this.playwright = playwright;
        this.browser = browser;
        Page = page;
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add(message.Text); };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
    }

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions of the page so far.</summary>
    public IReadOnlyList<string> Errors { get { lock (errors) return errors.ToList(); } }

    public static async Task<HeadlessChromium> Start(int width = 1600, int height = 1000)
    {
        if (!File.Exists(Executable)) throw new InvalidOperationException($"{Executable} is missing: ./test installs Debian's chromium");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.SetDefaultTimeout(60_000);
        return new HeadlessChromium(playwright, browser, page);
    }

    public async ValueTask DisposeAsync()
    {
        await browser.CloseAsync();
        playwright.Dispose();
    }
}
