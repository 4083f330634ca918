using Microsoft.AspNetCore.Http.HttpResults;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Tenants;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// <c>/tenants</c>: what a caller may know about a tenant. The tenant grain decides, from the caller the api put on
/// the call; another tenant's id answers 404 exactly like one that does not exist (S3.2, S7.4).
/// </summary>
public static class TenantApi
{
    /// <summary>Maps <c>/tenants/…</c>.</summary>
    public static RouteGroupBuilder MapTenantApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/tenants").RequireAuthorization();
        group.MapGet("/{tenantId}", GetTenantAsync);
        return group;
    }

    /// <summary>The tenant's information, if the caller may see it.</summary>
    public static async Task<Results<Ok<TenantInfo>, NotFound>> GetTenantAsync(string tenantId, IGrainFactory grains)
    {
        if (!GrainKeys.IsValidTenantId(tenantId))
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Ok(await grains.GetGrain<ITenantGrain>(tenantId).GetInfoAsync());
    }
}
