using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Study.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol: opens a page, collects console errors, log
/// errors and uncaught exceptions, evaluates expressions and takes screenshots.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    readonly Process process;
    readonly string profile;
    readonly ClientWebSocket socket = new();
    readonly List<string> errors = [];
    readonly Dictionary<int, TaskCompletionSource<JsonObject>> pending = new();
    readonly List<(string Method, TaskCompletionSource Done)> awaited = [];
    readonly CancellationTokenSource stop = new();
    int nextId;
    Task? reader;

    /// <summary>Console errors, error log entries and uncaught exceptions of the page so far.</summary>
    public IReadOnlyList<string> Errors { get { lock (errors) return errors.ToList(); } }

    HeadlessChromium(Process process, string profile)
    {
        this.process = process;
        this.profile = profile;
    }

    public static string? Executable => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    public static async Task<HeadlessChromium> Start(int width = 1200, int height = 1600)
    {
        var executable = Executable ?? throw new InvalidOperationException("chromium is not installed (./test installs it)");
        var profile = Directory.CreateTempSubdirectory("study-chromium-").FullName;
        var info = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                     "--remote-debugging-port=0", $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank" })
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var browser = new HeadlessChromium(process, profile);
        var listening = new TaskCompletionSource<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && DevToolsUrl().Match(e.Data) is { Success: true } m) listening.TrySetResult(m.Groups[1].Value);
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        var targets = await http.GetFromJsonAsync<JsonArray>($"http://127.0.0.1:{port}/json/list");
        var page = targets!.OfType<JsonObject>().First(t => (string?)t["type"] == "page");
        await browser.socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
        browser.reader = Task.Run(browser.ReadLoop);
        await browser.Send("Runtime.enable");
        await browser.Send("Log.enable");
        await browser.Send("Page.enable");
        return browser;
    }

    [GeneratedRegex(@"DevTools listening on ws://127\.0\.0\.1:(\d+)/")]
    private static partial Regex DevToolsUrl();

    /// <summary>Navigates and waits for the load event.</summary>
    public async Task Open(string url)
    {
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (awaited) awaited.Add(("Page.loadEventFired", loaded));
        await Send("Page.navigate", new JsonObject { ["url"] = url });
        await loaded.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task<JsonNode?> Evaluate(string expression)
    {
        var result = await Send("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
        return result["result"]?["value"];
    }

    public async Task<byte[]> Screenshot()
    {
        var result = await Send("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        return Convert.FromBase64String((string)result["data"]!);
    }

    async Task<JsonObject> Send(string method, JsonObject? parameters = null)
    {
        int id = Interlocked.Increment(ref nextId);
        var done = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (pending) pending[id] = done;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        var reply = await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        return reply["result"] as JsonObject ?? new JsonObject();
    }

    async Task ReadLoop()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await socket.ReceiveAsync(buffer, stop.Token);
                if (r.MessageType == WebSocketMessageType.Close) return;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage) continue;
                var json = JsonNode.Parse(message.ToArray()) as JsonObject;
                message.SetLength(0);
                if (json is not null) Dispatch(json);
            }
        }
        catch (Exception) when (stop.IsCancellationRequested) { }
        catch (WebSocketException) { }
    }

    void Dispatch(JsonObject json)
    {
        if (json["id"] is { } idNode)
        {
            TaskCompletionSource<JsonObject>? done;
            lock (pending) pending.Remove((int)idNode, out done);
            done?.TrySetResult(json);
            return;
        }
        var method = (string?)json["method"];
        var p = json["params"];
        string? error = method switch
        {
            "Runtime.consoleAPICalled" => (string?)p?["type"] is "error" or "assert" ? "console: " + p?["args"]?.ToJsonString() : null,
            "Runtime.exceptionThrown" => "exception: " + p?["exceptionDetails"]?.ToJsonString(),
            "Log.entryAdded" => (string?)p?["entry"]?["level"] == "error" ? "log: " + p?["entry"]?["text"] : null,
            _ => null,
        };
        if (error is not null) lock (errors) errors.Add(error);
        lock (awaited)
            foreach (var w in awaited.Where(w => w.Method == method).ToList())
            {
                awaited.Remove(w);
                w.Done.TrySetResult();
            }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        try { socket.Abort(); } catch (Exception) { }
        if (reader is not null) await reader.ContinueWith(_ => { });
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await process.WaitForExitAsync();
        process.Dispose();
        socket.Dispose();
        try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
    }
}
