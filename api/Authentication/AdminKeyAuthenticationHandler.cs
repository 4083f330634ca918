using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrleansImaging.Api.Hosting;

namespace OrleansImaging.Api.Authentication;

/// <summary>
/// The scheme of the <c>/admin</c> endpoints: <c>Authorization: Bearer {the instance's admin key}</c>, compared in
/// constant time. Whoever can read <c>$IMAGING_DATA/admin.key</c> (the account that runs the instance) acts as
/// <see cref="ApiCallers.AdminKey"/>; nobody else can reach these endpoints (S2.5), and there is no default (S6.2).
/// </summary>
public sealed class AdminKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminKey adminKey) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "AdminKey";

    /// <summary>The authorization policy of the admin endpoints.</summary>
    public const string PolicyName = "AdminKey";

    /// <inheritdoc/>
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerChallenge.ReadBearer(Request) is not { } value)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        return Task.FromResult(adminKey.Matches(value)
            ? AuthenticateResult.Success(new AuthenticationTicket(ApiCallers.ToPrincipal(ApiCallers.AdminKey, SchemeName), SchemeName))
            : AuthenticateResult.Fail("Invalid key."));
    }

    /// <inheritdoc/>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => BearerChallenge.WriteAsync(Context);
}
