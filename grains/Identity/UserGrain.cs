using Orleans.Runtime;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Identity;
using OrleansImaging.Contracts.Tenants;
using OrleansImaging.Grains.Authorization;

namespace OrleansImaging.Grains.Identity;

/// <summary>A person's account in a tenant: its role and its password hash.</summary>
public sealed class UserGrain(
    [PersistentState(StorageNames.UserState, StorageNames.Provider)] IPersistentState<UserState> state,
    TimeProvider time) : Grain, IUserGrain
{
    private static readonly CallerRole[] SingleRoles =
        [CallerRole.Doctor, CallerRole.Chief, CallerRole.Admin, CallerRole.Operator, CallerRole.Patient];

    private bool Exists => state.State.PasswordHash is not null;

    /// <inheritdoc/>
    public async Task<UserCreated> CreateAsync(CallerRole role)
    {
        var caller = Access.CurrentCaller();
        var (tenantId, username) = Key();
        Access.Demand(IdentityAccess.DecideCreateUser(caller, tenantId, role), "Tenant");
        if (!SingleRoles.Contains(role))
        {
            throw new InvalidRequestException("An account has exactly one of the roles doctor, chief, admin, operator, patient.");
        }
        // The request context (the caller) flows on to the tenant grain, which applies its own policy.
        if (!await GrainFactory.GetGrain<ITenantGrain>(tenantId).ExistsAsync())
        {
            throw new NotFoundException("Tenant not found.");
        }
        if (Exists)
        {
            throw new InvalidRequestException("The account exists.");
        }
        var password = PasswordHasher.Generate();
        var salt = PasswordHasher.NewSalt();
        state.State = new UserState
        {
            Role = role,
            Salt = salt,
            Iterations = PasswordHasher.Iterations,
            PasswordHash = PasswordHasher.Hash(password, salt, PasswordHasher.Iterations),
            CreatedAt = time.GetUtcNow(),
            CreatedBy = caller.Id,
        };
        await state.WriteStateAsync();
        return new UserCreated(new UserInfo(tenantId, username, role, state.State.CreatedAt), password);
    }

    /// <inheritdoc/>
    public Task<Caller?> VerifyPasswordAsync(string password)
    {
        if (!IdentityAccess.CanVerifyCredentials(Access.CurrentCaller()))
        {
            throw new ForbiddenException("Not allowed.");
        }
        var (tenantId, username) = Key();
        if (!Exists || password is null)
        {
            // Spend the same time as for an existing account, so timing does not tell which usernames exist (S5.5).
            PasswordHasher.Hash(password ?? "", new byte[PasswordHasher.SaltLength], PasswordHasher.Iterations);
            return Task.FromResult<Caller?>(null);
        }
        var s = state.State;
        return Task.FromResult(PasswordHasher.Verify(password, s.Salt, s.Iterations, s.PasswordHash!)
            ? new Caller(CallerKind.User, username, tenantId, s.Role, [.. Contracts.Identity.AccessTokens.KnownScopes])
            : null);
    }

    private (string TenantId, string Username) Key()
    {
        if (!GrainKeys.TrySplit(this.GetPrimaryKeyString(), out var tenantId, out var username)
            || !GrainKeys.IsValidTenantId(tenantId) || !GrainKeys.IsValidUsername(username))
        {
            throw new InvalidRequestException("Invalid tenant id or username.");
        }
        return (tenantId, username);
    }
}
