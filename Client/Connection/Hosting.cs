using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Study.Client.Connection;

/// <summary>Logging for hosts the console starts: warnings and errors only, on stderr (stdout is for results).</summary>
public static class Hosting
{
    public static void QuietLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Orleans", LogLevel.Error);
        logging.AddFilter("Microsoft", LogLevel.Error);
        // A host that cannot start (no gateway answers, or refuses our TLS) is reported in one line by the command.
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical);
    }
}
