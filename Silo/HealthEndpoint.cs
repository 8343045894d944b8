using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Study.Grains.Scheduling;

namespace Study.Silo;

/// <summary>
/// `--metrics-port`: GET /healthz answers 200 once the silo is up (503 while it stops), GET /metrics the silo's slot
/// gauges in the Prometheus text format.
/// </summary>
public sealed class HealthEndpoint(int port, SlotPool slots, IHostApplicationLifetime lifetime) : BackgroundService
{
    // A plain TCP listener: .NET's managed HttpListener can throw in its constructor when a request arrives while it
    // starts (seen here: ArgumentNullException in HttpEndPointListener.ProcessAccept), and probes arrive early.
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var listener = new TcpListener(IPAddress.Any, port);
        listener.Start();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await listener.AcceptTcpClientAsync(stopping); }
                catch (OperationCanceledException) { break; }
                _ = Task.Run(() => Serve(client), CancellationToken.None);
            }
        }
        finally { listener.Stop(); }
    }

    async Task Serve(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            stream.ReadTimeout = 5000;
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync() ?? "";
            while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { } // headers
            var parts = requestLine.Split(' ');
            var path = parts.Length > 1 ? parts[1].Split('?')[0] : "/";
            bool started = lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested;
            var (status, reason, body, type) = path switch
            {
                "/healthz" => started ? (200, "OK", "ok\n", "text/plain") : (503, "Service Unavailable", "starting or stopping\n", "text/plain"),
                "/metrics" => (200, "OK", Metrics(), "text/plain; version=0.0.4"),
                _ => (404, "Not Found", "not found\n", "text/plain"),
            };
            var bytes = Encoding.UTF8.GetBytes(body);
            var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {type}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(bytes);
        }
        catch (IOException) { }
    }

    string Metrics() => string.Create(CultureInfo.InvariantCulture, $"""
        # HELP study_silo_slots Accelerator slots of this silo.
        # TYPE study_silo_slots gauge
        study_silo_slots {slots.Count}
        # HELP study_silo_slots_busy Slots running a trial now.
        # TYPE study_silo_slots_busy gauge
        study_silo_slots_busy {slots.Count - slots.Free}
        # HELP study_silo_slot_busy_seconds_total Seconds of trial work done on this silo's slots.
        # TYPE study_silo_slot_busy_seconds_total counter
        study_silo_slot_busy_seconds_total {slots.BusySeconds:0.###}

        """);
}
