using System.Globalization;
using System.Net;
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
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://+:{port}/");
        try { listener.Start(); }
        catch (HttpListenerException)
        {
            listener.Prefixes.Clear();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
        }
        using var registration = stopping.Register(listener.Stop);
        while (!stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) when (stopping.IsCancellationRequested) { break; }
            catch (HttpListenerException) { continue; }
            Respond(context);
        }
    }

    void Respond(HttpListenerContext context)
    {
        var path = context.Request.Url?.AbsolutePath ?? "/";
        bool started = lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested;
        var (status, body, type) = path switch
        {
            "/healthz" => started ? (200, "ok\n", "text/plain") : (503, "starting or stopping\n", "text/plain"),
            "/metrics" => (200, Metrics(), "text/plain; version=0.0.4"),
            _ => (404, "not found\n", "text/plain"),
        };
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = type;
        context.Response.OutputStream.Write(bytes);
        context.Response.Close();
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
