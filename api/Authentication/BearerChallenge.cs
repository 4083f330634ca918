using Microsoft.Net.Http.Headers;

namespace OrleansImaging.Api.Authentication;

/// <summary>
/// The one answer to a request without valid credentials: 401, <c>WWW-Authenticate: Bearer</c> and a ProblemDetails
/// that says nothing about why (missing, malformed, unknown, wrong or revoked all look the same, S6.4/S5.5).
/// </summary>
internal static class BearerChallenge
{
    public static async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        context.Response.Headers.CacheControl = "no-store";
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Authentication is required." },
        });
    }

    /// <summary>The value of <c>Authorization: Bearer …</c>, or null.</summary>
    public static string? ReadBearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && header.Length > Scheme.Length
            ? header[Scheme.Length..].Trim()
            : null;
    }
}
