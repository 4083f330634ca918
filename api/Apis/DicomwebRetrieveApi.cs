using Microsoft.AspNetCore.Http.HttpResults;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Studies;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// WADO-RS (PS3.18 10.4) under <c>/dicomweb</c>: so far the metadata resources, answered from the study
/// grain's catalogue without opening any stored object. The study grain decides from the caller; another
/// hospital's study answers 404 exactly like a missing one.
/// </summary>
public static class DicomwebRetrieveApi
{
    private const string DicomJson = "application/dicom+json";

    /// <summary>Maps the WADO-RS resources.</summary>
    public static RouteGroupBuilder MapDicomwebRetrieveApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dicomweb").RequireAuthorization();
        group.MapGet("/studies/{study}/metadata", (HttpContext http, IGrainFactory grains, string study) => MetadataAsync(http, grains, study, null));
        group.MapGet("/studies/{study}/series/{series}/metadata",
            (HttpContext http, IGrainFactory grains, string study, string series) => MetadataAsync(http, grains, study, series));
        return group;
    }

    /// <summary>The metadata of every instance of a study or series, as a DICOM JSON array.</summary>
    public static async Task<Results<FileContentHttpResult, NotFound, UnauthorizedHttpResult>> MetadataAsync(
        HttpContext http, IGrainFactory grains, string study, string? series)
    {
        if (Authentication.ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        if (!GrainKeys.IsValidUid(study) || (series is not null && !GrainKeys.IsValidUid(series)))
        {
            return TypedResults.NotFound();
        }
        var json = await grains.GetGrain<IStudyGrain>(GrainKeys.Study(caller.TenantId, study)).GetMetadataAsync(series);
        return TypedResults.File(json, DicomJson);
    }
}
