using Microsoft.AspNetCore.Http.HttpResults;
using OrleansImaging.Api.Authentication;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Tenants;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// <c>/edge</c>: what the hospital edge (<c>./imaging edge start</c>) asks the cloud with its bearer token. The tenant is
/// the token's, never a route value: the edge needs no tenant id in its configuration, and there is no other tenant's
/// id to try (the tenant grain still decides: a read-only token is refused, S3.1).
/// </summary>
public static class EdgeApi
{
    /// <summary>Maps <c>/edge/…</c>.</summary>
    public static RouteGroupBuilder MapEdgeApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/edge").RequireAuthorization();
        group.MapGet("/devices", GetDevicesAsync);
        return group;
    }

    /// <summary>The caller's hospital's registered devices: the edge's calling-AE allow-list.</summary>
    public static async Task<Results<Ok<DeviceListResponse>, UnauthorizedHttpResult, ProblemHttpResult>> GetDevicesAsync(HttpContext http, IGrainFactory grains)
    {
        if (ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        if (!GrainKeys.IsValidTenantId(caller.TenantId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: "Tenant not found.");
        }
        // Devices change rarely but must take effect on the next refresh: never served from a cache.
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new DeviceListResponse(caller.TenantId, await grains.GetGrain<ITenantGrain>(caller.TenantId).GetDevicesAsync()));
    }
}
