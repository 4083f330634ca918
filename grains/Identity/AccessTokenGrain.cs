using System.Security.Cryptography;
using Orleans.Runtime;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Identity;
using OrleansImaging.Contracts.Tenants;
using OrleansImaging.Grains.Authorization;

namespace OrleansImaging.Grains.Identity;

/// <summary>
/// An API token. It acts with the Doctor role: <see cref="StudyAccess"/> wants a clinical role, and a token's reach
/// is bounded by its scopes and its tenant, not by a role its holder (a device) cannot have.
/// </summary>
public sealed class AccessTokenGrain(
    [PersistentState(StorageNames.AccessTokenState, StorageNames.Provider)] IPersistentState<AccessTokenState> state,
    TimeProvider time) : Grain, IAccessTokenGrain
{
    /// <summary>The role every token acts with.</summary>
    public const CallerRole TokenRole = CallerRole.Doctor;

    private string TokenId => this.GetPrimaryKeyString();

    private bool Issued => state.State.SecretSha256 is not null;

    /// <inheritdoc/>
    public async Task<AccessTokenCreated> CreateAsync(string tenantId, IReadOnlyList<string> scopes, TimeSpan? lifetime = null)
    {
        var caller = Access.CurrentCaller();
        if (!GrainKeys.IsValidTenantId(tenantId))
        {
            throw new InvalidRequestException("Invalid tenant id.");
        }
        Access.Demand(IdentityAccess.DecideManageToken(caller, tenantId), "Tenant");
        if (!AccessTokens.IsValidTokenId(TokenId))
        {
            throw new InvalidRequestException("Invalid token id.");
        }
        var life = lifetime ?? AccessTokens.DefaultLifetime;
        if (life <= TimeSpan.Zero || life > AccessTokens.MaxLifetime)
        {
            throw new InvalidRequestException($"A token lives more than 0 and at most {AccessTokens.MaxLifetime.TotalDays:F0} days.");
        }
        if (scopes is null || scopes.Count == 0 || scopes.Any(s => !AccessTokens.KnownScopes.Contains(s)))
        {
            throw new InvalidRequestException($"A token needs one or more of the scopes {string.Join(", ", AccessTokens.KnownScopes)}.");
        }
        if (!await GrainFactory.GetGrain<ITenantGrain>(tenantId).ExistsAsync())
        {
            throw new NotFoundException("Tenant not found.");
        }
        if (Issued)
        {
            // Ids are 128 random bits: a collision is an error of the issuer, never a reason to hand out a second secret.
            throw new InvalidRequestException("The token id is taken.");
        }
        var secret = AccessTokens.NewSecret();
        var now = time.GetUtcNow();
        state.State = new AccessTokenState
        {
            TenantId = tenantId,
            Scopes = [.. scopes.Distinct(StringComparer.Ordinal)],
            SecretSha256 = AccessTokens.HashSecret(secret),
            CreatedBy = caller.Id,
            CreatedAt = now,
            ExpiresAt = now + life,
        };
        await state.WriteStateAsync();
        return new AccessTokenCreated(Info(), AccessTokens.Format(TokenId, secret));
    }

    /// <inheritdoc/>
    public Task<Caller?> ValidateAsync(byte[] secretSha256)
    {
        if (!IdentityAccess.CanVerifyCredentials(Access.CurrentCaller()))
        {
            throw new ForbiddenException("Not allowed.");
        }
        var s = state.State;
        var valid = Issued && s.RevokedAt is null && (s.ExpiresAt is null || time.GetUtcNow() < s.ExpiresAt) && secretSha256 is { Length: 32 }
            && CryptographicOperations.FixedTimeEquals(secretSha256, s.SecretSha256);
        return Task.FromResult(valid ? new Caller(CallerKind.Token, TokenId, s.TenantId, TokenRole, s.Scopes) : null);
    }

    /// <inheritdoc/>
    public async Task RevokeAsync()
    {
        var caller = Access.CurrentCaller();
        if (!Issued)
        {
            throw new NotFoundException("Token not found.");
        }
        Access.Demand(IdentityAccess.DecideManageToken(caller, state.State.TenantId), "Token");
        if (state.State.RevokedAt is null)
        {
            state.State = state.State with { RevokedAt = time.GetUtcNow() };
            await state.WriteStateAsync();
        }
    }

    private AccessTokenInfo Info() => new(TokenId, state.State.TenantId, state.State.Scopes, state.State.CreatedBy, state.State.CreatedAt, state.State.ExpiresAt);
}
