using Microsoft.AspNetCore.Http.HttpResults;
using OrleansImaging.Api.Authentication;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Archive;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Identity;
using OrleansImaging.Contracts.Tenants;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// Administration of the running instance (what <c>./imaging admin …</c> calls): tenants, accounts, tokens. Only
/// the instance's admin key gets in (<see cref="AdminKeyAuthenticationHandler"/>); the grains then decide as for
/// any caller, the key's caller being the silo's own work with platform-operator reach.
/// </summary>
public static class AdminApi
{
    private static readonly Dictionary<string, CallerRole> Roles = new(StringComparer.Ordinal)
    {
        ["doctor"] = CallerRole.Doctor,
        ["chief"] = CallerRole.Chief,
        ["admin"] = CallerRole.Admin,
        ["operator"] = CallerRole.Operator,
        ["patient"] = CallerRole.Patient,
    };

    /// <summary>Maps <c>/admin/…</c>.</summary>
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin").RequireAuthorization(AdminKeyAuthenticationHandler.PolicyName);
        group.MapPost("/tenants", CreateTenantAsync);
        group.MapPost("/tenants/{tenantId}/archive", SetArchiveCompressionAsync);
        group.MapPost("/tenants/{tenantId}/devices", RegisterDeviceAsync);
        group.MapGet("/tenants/{tenantId}/devices", GetDevicesAsync);
        group.MapDelete("/tenants/{tenantId}/devices/{aeTitle}", RemoveDeviceAsync);
        group.MapPost("/tenants/{tenantId}/users", CreateUserAsync);
        group.MapPost("/tenants/{tenantId}/tokens", CreateTokenAsync);
        group.MapPost("/tokens/{tokenId}/revoke", RevokeTokenAsync);
        // Passwords and tokens are in these responses: never cached anywhere (S6.6).
        group.AddEndpointFilter(static async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context);
        });
        return group;
    }

    /// <summary>Creates a tenant (idempotent with the same display name).</summary>
    public static async Task<Results<Ok<TenantInfo>, ProblemHttpResult>> CreateTenantAsync(CreateTenantRequest request, IGrainFactory grains)
    {
        if (!GrainKeys.IsValidTenantId(request.TenantId))
        {
            return Invalid("A tenant id is 1–63 of a-z, 0-9 and '-', starting with a letter or digit.");
        }
        return TypedResults.Ok(await grains.GetGrain<ITenantGrain>(request.TenantId).CreateAsync(request.DisplayName));
    }

    /// <summary>Sets how the tenant archives images stored from now on: as-received, jpeg-ls or jpeg2000 (lossless).</summary>
    public static async Task<Results<Ok<ArchiveSettingResponse>, ProblemHttpResult>> SetArchiveCompressionAsync(string tenantId, ArchiveSettingRequest request, IGrainFactory grains)
    {
        if (!GrainKeys.IsValidTenantId(tenantId))
        {
            return Invalid("A tenant id is 1–63 of a-z, 0-9 and '-', starting with a letter or digit.");
        }
        if (!ArchiveCompressions.TryParse(request.Compression, out var compression))
        {
            return Invalid("The compression is one of as-received, jpeg-ls, jpeg2000.");
        }
        var tenant = await grains.GetGrain<ITenantGrain>(tenantId).SetArchiveCompressionAsync(compression);
        return TypedResults.Ok(new ArchiveSettingResponse(tenant.TenantId, ArchiveCompressions.Name(tenant.ArchiveCompression)));
    }

    /// <summary>
    /// Registers a device (the edge accepts its calling AE title): the same registration again changes nothing, another
    /// with the same AE title replaces it.
    /// </summary>
    public static async Task<Results<Ok<DeviceRegistration>, ProblemHttpResult>> RegisterDeviceAsync(string tenantId, DeviceRequest request, IGrainFactory grains)
    {
        if (!GrainKeys.IsValidTenantId(tenantId))
        {
            return NotFound();
        }
        if (DeviceRegistrations.Validate(new DeviceRegistration(request.AeTitle!, request.DisplayName!, request.Modality, request.Host), out var error) is not { } device)
        {
            return Invalid(error);
        }
        return TypedResults.Ok(await grains.GetGrain<ITenantGrain>(tenantId).RegisterDeviceAsync(device));
    }

    /// <summary>The tenant's registered devices, ordered by AE title.</summary>
    public static async Task<Results<Ok<DeviceListResponse>, ProblemHttpResult>> GetDevicesAsync(string tenantId, IGrainFactory grains)
    {
        if (!GrainKeys.IsValidTenantId(tenantId))
        {
            return NotFound();
        }
        return TypedResults.Ok(new DeviceListResponse(tenantId, await grains.GetGrain<ITenantGrain>(tenantId).GetDevicesAsync()));
    }

    /// <summary>Removes a device; 404 when the tenant has none with that AE title.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveDeviceAsync(string tenantId, string aeTitle, IGrainFactory grains)
    {
        if (!GrainKeys.IsValidTenantId(tenantId))
        {
            return NotFound();
        }
        // Routing decodes every escape of a path segment but %2F (so it cannot split segments): an AE title may hold
        // '/', and the CLI sends it escaped.
        if (DeviceRegistrations.NormalizeAeTitle(aeTitle.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase)) is not { } normalized)
        {
            return Invalid("An AE title is 1–16 printable ASCII characters, without a backslash or control characters, and not all spaces.");
        }
        return await grains.GetGrain<ITenantGrain>(tenantId).RemoveDeviceAsync(normalized)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: $"No device '{normalized}' is registered.");
    }

    /// <summary>Creates an account with a generated password, shown in this response only.</summary>
    public static async Task<Results<Ok<CreatedUserResponse>, ProblemHttpResult>> CreateUserAsync(string tenantId, CreateUserRequest request, IGrainFactory grains)
    {
        if (!Roles.TryGetValue(request.Role ?? "", out var role))
        {
            return Invalid("The role is one of doctor, chief, admin, operator, patient.");
        }
        var created = await grains.GetGrain<IUserGrain>(GrainKeys.User(tenantId, request.Username)).CreateAsync(role);
        return TypedResults.Ok(new CreatedUserResponse(created.User.TenantId, created.User.Username, request.Role!, created.Password));
    }

    /// <summary>Issues an API token, shown in this response only.</summary>
    public static async Task<Results<Ok<CreatedTokenResponse>, ProblemHttpResult>> CreateTokenAsync(string tenantId, CreateTokenRequest request, IGrainFactory grains)
    {
        if (request.ExpiresInDays is < 1 or > 3650)
        {
            return Invalid("expiresInDays is 1 to 3650 (default 365).");
        }
        var lifetime = request.ExpiresInDays is { } days ? TimeSpan.FromDays(days) : (TimeSpan?)null;
        var created = await grains.GetGrain<IAccessTokenGrain>(AccessTokens.NewTokenId()).CreateAsync(tenantId, request.Scopes ?? [], lifetime);
        return TypedResults.Ok(new CreatedTokenResponse(created.Token.TokenId, created.Token.TenantId, created.Token.Scopes, created.BearerValue, created.Token.ExpiresAt));
    }

    /// <summary>Revokes a token for good.</summary>
    public static async Task<Results<NoContent, NotFound>> RevokeTokenAsync(string tokenId, IGrainFactory grains)
    {
        if (!AccessTokens.IsValidTokenId(tokenId))
        {
            return TypedResults.NotFound();
        }
        await grains.GetGrain<IAccessTokenGrain>(tokenId).RevokeAsync();
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: "Tenant not found.");

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", detail: detail);
}

/// <summary>The body of <c>POST /admin/tenants</c>.</summary>
public sealed record CreateTenantRequest(string TenantId, string DisplayName);

/// <summary>The body of <c>POST /admin/tenants/{tenantId}/users</c>.</summary>
public sealed record CreateUserRequest(string Username, string? Role);

/// <summary>The body of <c>POST /admin/tenants/{tenantId}/tokens</c>; without <paramref name="ExpiresInDays"/> a token works for 365 days.</summary>
public sealed record CreateTokenRequest(IReadOnlyList<string>? Scopes, int? ExpiresInDays = null);

/// <summary>A created account and its password (shown once).</summary>
public sealed record CreatedUserResponse(string TenantId, string Username, string Role, string Password);

/// <summary>An issued token and its bearer value (shown once), and when it stops working.</summary>
public sealed record CreatedTokenResponse(string TokenId, string TenantId, IReadOnlyList<string> Scopes, string Token, DateTimeOffset? ExpiresAt);

/// <summary>The body of <c>POST /admin/tenants/{tenantId}/archive</c>.</summary>
public sealed record ArchiveSettingRequest(string? Compression);

/// <summary>A tenant's archive compression, by name.</summary>
public sealed record ArchiveSettingResponse(string TenantId, string Compression);

/// <summary>The body of <c>POST /admin/tenants/{tenantId}/devices</c>.</summary>
public sealed record DeviceRequest(string? AeTitle, string? DisplayName, string? Modality, string? Host);

/// <summary>A tenant's registered devices (what <c>GET /admin/tenants/{tenantId}/devices</c> and <c>GET /edge/devices</c> answer).</summary>
public sealed record DeviceListResponse(string TenantId, IReadOnlyList<DeviceRegistration> Devices);
