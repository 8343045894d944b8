using System.Net;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Telemetry;

/// <summary>The Orleans Dashboard behind `./silo --dashboard`: on its own port, and with a token only the token's
/// bearer (or a browser that opened ?token= once) gets in.</summary>
public sealed class OrleansDashboardTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-dashboard-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task TheDashboardServesItsPagesOnlyToTheTokensBearer()
    {
        const string token = "a-long-enough-dashboard-token";
        int dashboardPort = FreePorts.Next(), metricsPort = FreePorts.Next();
        using var silo = new ChildProcess(ChildProcess.SiloDll,
            ["--silo-port", $"{FreePorts.Next()}", "--gateway-port", $"{FreePorts.Next()}", "--metrics-port", $"{metricsPort}",
             "--dashboard", "--dashboard-port", $"{dashboardPort}", "--dashboard-token", token], dir);
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(10) };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await Ready(http, metricsPort))
        {
            Assert.False(silo.HasExited, silo.Stdout + silo.Stderr);
            Assert.True(DateTime.UtcNow < until, "the silo never became ready: " + silo.Stdout);
            await Task.Delay(300);
        }
        var page = $"http://127.0.0.1:{dashboardPort}/";

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(page)).StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, page) { Headers = { { "Authorization", "Bearer not-the-token-at-all" } } })
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        using (var bearer = new HttpRequestMessage(HttpMethod.Get, page) { Headers = { { "Authorization", "Bearer " + token } } })
        {
            var response = await http.SendAsync(bearer);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("<title>Orleans Dashboard</title>", await response.Content.ReadAsStringAsync());
        }
        // A browser: ?token= once sets the cookie, which then lets it in.
        var first = await http.GetAsync(page + "?token=" + token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie")).Split(';')[0];
        using (var withCookie = new HttpRequestMessage(HttpMethod.Get, page) { Headers = { { "Cookie", cookie } } })
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(withCookie)).StatusCode);
        // The metrics port serves no dashboard, and the dashboard port no metrics.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{metricsPort}/")).StatusCode);
        using (var metrics = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{dashboardPort}/metrics") { Headers = { { "Authorization", "Bearer " + token } } })
            Assert.DoesNotContain("study_slots", await (await http.SendAsync(metrics)).Content.ReadAsStringAsync());
        // Issue 23: routes follow the port a request arrived on, not the Host header its sender wrote, so naming the
        // dashboard's port in the Host header of a request to the metrics port reaches no dashboard without a token.
        using (var forged = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{metricsPort}/") { Headers = { Host = $"127.0.0.1:{dashboardPort}" } })
        {
            var response = await http.SendAsync(forged);
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("Orleans Dashboard", await response.Content.ReadAsStringAsync());
        }
        using (var forged = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{dashboardPort}/metrics") { Headers = { Host = $"127.0.0.1:{metricsPort}" } })
            Assert.DoesNotContain("study_slots", await (await http.SendAsync(forged)).Content.ReadAsStringAsync());
    }

    static async Task<bool> Ready(HttpClient http, int port)
    {
        try { return (await http.GetAsync($"http://127.0.0.1:{port}/readyz")).IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
    }
}
