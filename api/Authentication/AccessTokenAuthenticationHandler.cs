using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Identity;

namespace OrleansImaging.Api.Authentication;

/// <summary>
/// The <c>Bearer</c> scheme for API tokens (<c>oit_{id}_{secret}</c>): asks the token's grain, as the api's own
/// caller, whether the secret's SHA-256 is right and the token is not revoked, and makes the principal from the
/// <see cref="Caller"/> the grain returns. A value that is not shaped like our tokens never reaches a grain.
/// </summary>
public sealed class AccessTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IGrainFactory grains) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "Bearer";

    /// <inheritdoc/>
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerChallenge.ReadBearer(Request) is not { } value)
        {
            return AuthenticateResult.NoResult();
        }
        if (!AccessTokens.TryParse(value, out var tokenId, out var secret))
        {
            return AuthenticateResult.Fail("Invalid token.");
        }
        Caller? caller;
        using (CallerContext.Use(ApiCallers.Authentication))
        {
            caller = await grains.GetGrain<IAccessTokenGrain>(tokenId).ValidateAsync(AccessTokens.HashSecret(secret));
        }
        return caller is null
            ? AuthenticateResult.Fail("Invalid token.")
            : AuthenticateResult.Success(new AuthenticationTicket(ApiCallers.ToPrincipal(caller, SchemeName), SchemeName));
    }

    /// <inheritdoc/>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => BearerChallenge.WriteAsync(Context);
}
