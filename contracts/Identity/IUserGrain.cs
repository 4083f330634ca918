using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Contracts.Identity;

/// <summary>A person's account in one tenant. Key: <c>{tenant}/{username}</c> (<see cref="GrainKeys.User"/>).</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the account with <paramref name="role"/> and a generated password, returned here once and stored only
    /// as a slow salted hash. Refused if the account exists or the tenant does not. The silo's own work, operators,
    /// and admins of the tenant (for roles other than operator) only.
    /// </summary>
    Task<UserCreated> CreateAsync(CallerRole role);

    /// <summary>
    /// The caller the account signs in as when <paramref name="password"/> is right; null when it is wrong or the
    /// account does not exist (the two are not told apart). The silo's own work (the api's sign-in) only.
    /// </summary>
    Task<Caller?> VerifyPasswordAsync(string password);
}

/// <summary>What an account is (never its password or hash).</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Username">The username within the tenant.</param>
/// <param name="Role">The account's role.</param>
/// <param name="CreatedAt">When it was created.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.UserInfo")]
public sealed record UserInfo(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string Username,
    [property: Id(2)] CallerRole Role,
    [property: Id(3)] DateTimeOffset CreatedAt);

/// <summary>A created account and its generated password, which nothing can show again.</summary>
/// <param name="User">The account.</param>
/// <param name="Password">The generated password.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.UserCreated")]
public sealed record UserCreated(
    [property: Id(0)] UserInfo User,
    [property: Id(1)] string Password);
