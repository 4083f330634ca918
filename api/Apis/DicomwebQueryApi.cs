using Microsoft.AspNetCore.Http.HttpResults;
using OrleansImaging.Api.Authentication;
using OrleansImaging.Contracts.Studies;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// QIDO-RS (PS3.18 10.6) under <c>/dicomweb</c>: the six search resources. The tenant searched is the
/// authenticated caller's, never one named by the client; the query grain applies the study policy.
/// </summary>
public static class DicomwebQueryApi
{
    private const string DicomJson = "application/dicom+json";

    /// <summary>Maps the QIDO-RS resources.</summary>
    public static RouteGroupBuilder MapDicomwebQueryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dicomweb").RequireAuthorization();
        group.MapGet("/studies", (HttpContext http, IGrainFactory grains) => SearchAsync(http, grains, QidoLevel.Study, null, null));
        group.MapGet("/series", (HttpContext http, IGrainFactory grains) => SearchAsync(http, grains, QidoLevel.Series, null, null));
        group.MapGet("/instances", (HttpContext http, IGrainFactory grains) => SearchAsync(http, grains, QidoLevel.Instance, null, null));
        group.MapGet("/studies/{study}/series", (HttpContext http, IGrainFactory grains, string study) => SearchAsync(http, grains, QidoLevel.Series, study, null));
        group.MapGet("/studies/{study}/instances", (HttpContext http, IGrainFactory grains, string study) => SearchAsync(http, grains, QidoLevel.Instance, study, null));
        group.MapGet("/studies/{study}/series/{series}/instances",
            (HttpContext http, IGrainFactory grains, string study, string series) => SearchAsync(http, grains, QidoLevel.Instance, study, series));
        return group;
    }

    /// <summary>Runs one search; the matches are a DICOM JSON array (empty when nothing matches).</summary>
    public static async Task<Results<FileContentHttpResult, UnauthorizedHttpResult>> SearchAsync(
        HttpContext http, IGrainFactory grains, QidoLevel level, string? study, string? series)
    {
        if (ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        var parameters = http.Request.Query.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? ""))).ToList();
        var response = await grains.GetGrain<IStudyQueryGrain>(caller.TenantId).SearchAsync(new QidoRequest(level, parameters, study, series));
        if (response.Warning is { } warning)
        {
            http.Response.Headers.Append("Warning", $"299 - \"{warning}\"");
        }
        return TypedResults.File(response.Json, DicomJson);
    }
}
