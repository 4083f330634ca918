using System.Globalization;
using System.Security.Claims;
using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Api.Authentication;

/// <summary>
/// The callers the api itself acts as, and the mapping between a <see cref="Caller"/> and the request's
/// <see cref="ClaimsPrincipal"/>. The principal is built only by our authentication handlers from what a grain
/// returned, never from anything the client sent (a tenant or role in a request is never trusted).
/// </summary>
public static class ApiCallers
{
    /// <summary>The api checking a credential (the only caller the identity grains let do that).</summary>
    public static readonly Caller Authentication = new(CallerKind.System, "api-authentication", "", CallerRole.None, []);

    /// <summary>Whoever presented the instance's admin key: the silo's own work with platform-operator reach.</summary>
    public static readonly Caller AdminKey = new(CallerKind.System, "admin-key", "", CallerRole.Operator, []);

    private const string KindClaim = "oi:kind";
    private const string TenantClaim = "oi:tenant";
    private const string RolesClaim = "oi:roles";
    private const string ScopeClaim = "scope";

    /// <summary>The principal of an authenticated <paramref name="caller"/>.</summary>
    public static ClaimsPrincipal ToPrincipal(Caller caller, string scheme)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, caller.Id),
            new(KindClaim, caller.Kind.ToString()),
            new(TenantClaim, caller.TenantId),
            new(RolesClaim, ((int)caller.Roles).ToString(CultureInfo.InvariantCulture)),
            .. caller.Scopes.Select(scope => new Claim(ScopeClaim, scope)),
        ];
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The caller of an authenticated principal built by <see cref="ToPrincipal"/>; null for anyone else.</summary>
    public static Caller? FromPrincipal(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true
            || principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id
            || !Enum.TryParse<CallerKind>(principal.FindFirstValue(KindClaim), out var kind)
            || principal.FindFirstValue(TenantClaim) is not { } tenant
            || !int.TryParse(principal.FindFirstValue(RolesClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var roles))
        {
            return null;
        }
        return new Caller(kind, id, tenant, (CallerRole)roles, [.. principal.FindAll(ScopeClaim).Select(c => c.Value)]);
    }

    /// <summary>
    /// Puts the authenticated caller on every grain call the rest of the request makes (Orleans RequestContext),
    /// and takes it off again when the request is done.
    /// </summary>
    public static IApplicationBuilder UseCallerContext(this IApplicationBuilder app) => app.Use(static async (context, next) =>
    {
        if (FromPrincipal(context.User) is not { } caller)
        {
            await next(context);
            return;
        }
        CallerContext.Set(caller);
        try
        {
            await next(context);
        }
        finally
        {
            CallerContext.Clear();
        }
    });
}
