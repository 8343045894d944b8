using Microsoft.Playwright;

namespace Study.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (its driver comes with the NuGet package; no browser is downloaded). The
/// pages tested are Blazor and scripts: a test waits for what it looks for to appear, as a person would.
/// </summary>
public sealed class PlaywrightChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    readonly IPlaywright playwright;
    readonly IBrowser browser;

    PlaywrightChromium(IPlaywright playwright, IBrowser browser, IPage page)
    {
        this.playwright = playwright;
        this.browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    public static async Task<PlaywrightChromium> Start()
    {
        if (!File.Exists(Executable)) throw new InvalidOperationException($"{Executable} is missing: ./test installs Debian's chromium");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        page.SetDefaultTimeout(60_000);
        return new PlaywrightChromium(playwright, browser, page);
    }

    public async ValueTask DisposeAsync()
    {
        await browser.CloseAsync();
        playwright.Dispose();
    }
}
