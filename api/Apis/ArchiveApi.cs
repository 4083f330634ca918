using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Archive;
using OrleansImaging.Contracts.Studies;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// <c>/studies/{study}/archive</c>: where a study's archive compression stands (pending, compressed, given up with the
/// reason) for the hospital's people and its operators' tools. The study grain decides who may see it, as for WADO-RS.
/// </summary>
public static class ArchiveApi
{
    /// <summary>Maps the archive status resource.</summary>
    public static RouteGroupBuilder MapArchiveApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/studies").RequireAuthorization();
        group.MapGet("/{study}/archive", GetStatusAsync);
        return group;
    }

    /// <summary>The study's archive compression status; 404 for a study the caller may not see or that does not exist.</summary>
    public static async Task<IResult> GetStatusAsync(HttpContext http, IGrainFactory grains, string study)
    {
        if (Authentication.ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
            return TypedResults.Unauthorized();
        if (!GrainKeys.IsValidUid(study))
            return TypedResults.Problem("Not found.", statusCode: StatusCodes.Status404NotFound);
        ArchiveStatus status = await grains.GetGrain<IStudyGrain>(GrainKeys.Study(caller.TenantId, study)).GetArchiveStatusAsync();
        return TypedResults.Json(new
        {
            status.Pending,
            status.Compressed,
            Failed = status.Failed.Select(f => new { f.SopInstanceUid, f.Attempts, f.Error }),
        });
    }
}
