using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Study.Silo.Http;

/// <summary>
/// The Orleans Dashboard's port admits a request that carries the token: "Authorization: Bearer T", or "?token=T"
/// once (a browser), which sets an HttpOnly cookie for the pages and calls that follow.
/// </summary>
public sealed class DashboardTokenCheck(RequestDelegate next, string token)
{
    const string Cookie = "study_dashboard";
    readonly byte[] expected = Encoding.UTF8.GetBytes(token);

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        string? given = request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal)
            ? auth["Bearer ".Length..]
            : request.Query["token"].FirstOrDefault() ?? request.Cookies[Cookie];
        if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return context.Response.WriteAsync("the dashboard needs its token (Authorization: Bearer, or ?token=)\n");
        }
        if (request.Query.ContainsKey("token"))
            context.Response.Cookies.Append(Cookie, given, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict });
        return next(context);
    }
}
