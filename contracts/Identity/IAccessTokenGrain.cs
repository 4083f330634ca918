using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Contracts.Identity;

/// <summary>
/// An API token (a modality, a PACS, a script) of one tenant with explicit scopes. Key: the token id
/// (<see cref="AccessTokens.IsValidTokenId"/>). The secret is stored only as its SHA-256.
/// </summary>
public interface IAccessTokenGrain : IGrainWithStringKey
{
    /// <summary>
    /// Issues the token for <paramref name="tenantId"/> with <paramref name="scopes"/> and returns it, with its secret,
    /// once. It expires after <paramref name="lifetime"/> (<see cref="AccessTokens.DefaultLifetime"/> when null; at
    /// most <see cref="AccessTokens.MaxLifetime"/>). Refused if the id is taken or the tenant does not exist. The
    /// silo's own work, operators, and admins of the tenant only.
    /// </summary>
    Task<AccessTokenCreated> CreateAsync(string tenantId, IReadOnlyList<string> scopes, TimeSpan? lifetime = null);

    /// <summary>
    /// The caller the token acts as when <paramref name="secretSha256"/> is the SHA-256 of its secret and it is neither
    /// revoked nor expired; null otherwise (unknown, wrong, revoked and expired are not told apart). The silo's own work (the api's
    /// authentication) only; the api hashes, so the secret itself never crosses a grain call.
    /// </summary>
    Task<Caller?> ValidateAsync(byte[] secretSha256);

    /// <summary>Revokes the token for good; revoking a revoked token does nothing. Same callers as <see cref="CreateAsync"/>.</summary>
    Task RevokeAsync();
}

/// <summary>What a token is (never its secret or hash).</summary>
/// <param name="TokenId">The token id (the grain key; the public part of the token).</param>
/// <param name="TenantId">The tenant it acts in.</param>
/// <param name="Scopes">Its scopes (<see cref="Callers.Scopes"/>).</param>
/// <param name="CreatedBy">The id of the caller who issued it.</param>
/// <param name="CreatedAt">When it was issued.</param>
/// <param name="ExpiresAt">When it stops working; null for tokens issued before tokens expired (they do not).</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.AccessTokenInfo")]
public sealed record AccessTokenInfo(
    [property: Id(0)] string TokenId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] IReadOnlyList<string> Scopes,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? ExpiresAt = null);

/// <summary>An issued token and its full bearer value (<c>oit_{id}_{secret}</c>), which nothing can show again.</summary>
/// <param name="Token">The token.</param>
/// <param name="BearerValue">What the client sends in <c>Authorization: Bearer …</c>.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.AccessTokenCreated")]
public sealed record AccessTokenCreated(
    [property: Id(0)] AccessTokenInfo Token,
    [property: Id(1)] string BearerValue);
