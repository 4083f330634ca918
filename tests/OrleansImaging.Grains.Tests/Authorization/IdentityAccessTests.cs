using OrleansImaging.Contracts.Callers;
using OrleansImaging.Grains.Authorization;
using OrleansImaging.Grains.Tests.Cluster;

namespace OrleansImaging.Grains.Tests.Authorization;

/// <summary>Who may provision accounts and tokens (S5.3) and check credentials.</summary>
public sealed class IdentityAccessTests
{
    private static readonly Caller System = new(CallerKind.System, "admin-key", "", CallerRole.Operator, []);

    public static TheoryData<string, CallerRole, AccessDecision> CreateUserCases => new()
    {
        { "system", CallerRole.Operator, AccessDecision.Allowed },
        { "operator", CallerRole.Doctor, AccessDecision.Allowed },
        { "operator", CallerRole.Operator, AccessDecision.Allowed },
        { "admin-a", CallerRole.Doctor, AccessDecision.Allowed },
        { "admin-a", CallerRole.Admin, AccessDecision.Allowed },
        { "admin-a", CallerRole.Operator, AccessDecision.Forbidden }, // S3.1: no escalation out of the tenant
        { "admin-b", CallerRole.Doctor, AccessDecision.NotFound }, // S3.2: another tenant learns nothing
        { "doctor-a", CallerRole.Doctor, AccessDecision.Forbidden },
        { "token-a", CallerRole.Doctor, AccessDecision.Forbidden },
    };

    [Theory]
    [MemberData(nameof(CreateUserCases))]
    public void DecideCreateUser_Caller_Expected_S5_3(string caller, CallerRole role, AccessDecision expected) =>
        Assert.Equal(expected, IdentityAccess.DecideCreateUser(Named(caller), TestCallers.TenantA, role));

    [Theory]
    [InlineData("system", AccessDecision.Allowed)]
    [InlineData("operator", AccessDecision.Allowed)]
    [InlineData("admin-a", AccessDecision.Allowed)]
    [InlineData("admin-b", AccessDecision.NotFound)]
    [InlineData("doctor-a", AccessDecision.Forbidden)]
    [InlineData("token-a", AccessDecision.Forbidden)]
    public void DecideManageToken_Caller_Expected_S5_3(string caller, AccessDecision expected) =>
        Assert.Equal(expected, IdentityAccess.DecideManageToken(Named(caller), TestCallers.TenantA));

    [Theory]
    [InlineData("system", true)]
    [InlineData("operator", false)]
    [InlineData("admin-a", false)]
    [InlineData("doctor-a", false)]
    [InlineData("token-a", false)]
    public void CanVerifyCredentials_Caller_OnlySystem_S6_7(string caller, bool expected) =>
        Assert.Equal(expected, IdentityAccess.CanVerifyCredentials(Named(caller)));

    private static Caller Named(string name) => name switch
    {
        "system" => System,
        "operator" => TestCallers.Operator(),
        "admin-a" => TestCallers.Admin(TestCallers.TenantA),
        "admin-b" => TestCallers.Admin(TestCallers.TenantB),
        "doctor-a" => TestCallers.Doctor(TestCallers.TenantA),
        "token-a" => TestCallers.ReadOnlyToken(TestCallers.TenantA),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
