using OrleansImaging.Contracts.Callers;
using OrleansImaging.Grains.Authorization;

namespace OrleansImaging.Grains.Tests.Authorization;

public sealed class TenantAccessTests
{
    [Theory] // S3.1, S5.3: only operators create tenants
    [InlineData(CallerRole.Operator, true)]
    [InlineData(CallerRole.Operator | CallerRole.Doctor, true)]
    [InlineData(CallerRole.Admin, false)]
    [InlineData(CallerRole.Chief, false)]
    [InlineData(CallerRole.Doctor, false)]
    [InlineData(CallerRole.Patient, false)]
    [InlineData(CallerRole.None, false)]
    public void CanCreate_ByRole_OperatorsOnly_S3_1(CallerRole roles, bool expected) =>
        Assert.Equal(expected, TenantAccess.CanCreate(new Caller(CallerKind.User, "u", "hospital-a", roles, [])));

    [Theory] // S3.2: a tenant is visible to its own people and to operators, to nobody else
    [InlineData(CallerKind.User, CallerRole.Doctor, "hospital-a", true)]
    [InlineData(CallerKind.User, CallerRole.Admin, "hospital-a", true)]
    [InlineData(CallerKind.User, CallerRole.Patient, "hospital-a", true)]
    [InlineData(CallerKind.User, CallerRole.None, "hospital-a", false)]
    [InlineData(CallerKind.System, CallerRole.None, "hospital-a", true)]
    [InlineData(CallerKind.User, CallerRole.Admin, "hospital-b", false)]
    [InlineData(CallerKind.System, CallerRole.None, "hospital-b", false)]
    [InlineData(CallerKind.User, CallerRole.Operator, "platform", true)]
    public void CanRead_ByKindRoleAndTenant_S3_2(CallerKind kind, CallerRole roles, string callerTenant, bool expected) =>
        Assert.Equal(expected, TenantAccess.CanRead(new Caller(kind, "u", callerTenant, roles, []), "hospital-a"));

    [Fact]
    public void DecideCreate_SameTenantAdmin_Forbidden_OtherTenantAdmin_NotFound()
    {
        Assert.Equal(AccessDecision.Forbidden, TenantAccess.DecideCreate(new Caller(CallerKind.User, "a", "hospital-a", CallerRole.Admin, []), "hospital-a"));
        Assert.Equal(AccessDecision.NotFound, TenantAccess.DecideCreate(new Caller(CallerKind.User, "a", "hospital-b", CallerRole.Admin, []), "hospital-a"));
    }
}
