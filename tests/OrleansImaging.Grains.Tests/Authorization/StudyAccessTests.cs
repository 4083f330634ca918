using OrleansImaging.Contracts.Callers;
using OrleansImaging.Grains.Authorization;

namespace OrleansImaging.Grains.Tests.Authorization;

/// <summary>Every role × scope set × tenant × kind combination of the study policy (S3.1, S3.2, S5.1, S7.4).</summary>
public sealed class StudyAccessTests
{
    private const string Tenant = "hospital-a";
    private const string OtherTenant = "hospital-b";

    private static readonly CallerRole[] Roles =
    [
        CallerRole.None, CallerRole.Doctor, CallerRole.Chief, CallerRole.Admin, CallerRole.Operator, CallerRole.Patient,
        CallerRole.Doctor | CallerRole.Operator, CallerRole.Patient | CallerRole.Operator,
    ];

    private static readonly string[][] ScopeSets =
    [
        [], [Scopes.DicomwebRead], [Scopes.DicomwebWrite], [Scopes.DicomwebRead, Scopes.DicomwebWrite], ["DICOMWEB:READ", "dicomweb:*"],
    ];

    public static TheoryData<CallerKind, CallerRole, int, bool> Combinations()
    {
        var data = new TheoryData<CallerKind, CallerRole, int, bool>();
        foreach (var kind in new[] { CallerKind.User, CallerKind.Token, CallerKind.System })
        {
            foreach (var role in Roles)
            {
                for (var scopes = 0; scopes < ScopeSets.Length; scopes++)
                {
                    data.Add(kind, role, scopes, true);
                    data.Add(kind, role, scopes, false);
                }
            }
        }
        return data;
    }

    [Theory] // S3.1, S3.2, S5.1: the whole table, against the rules written out independently here
    [MemberData(nameof(Combinations))]
    public void Decide_EveryCombination_MatchesTheRules(CallerKind kind, CallerRole roles, int scopeSet, bool sameTenant)
    {
        var scopes = ScopeSets[scopeSet];
        var caller = new Caller(kind, "c-1", sameTenant ? Tenant : OtherTenant, roles, scopes);
        var clinical = (roles & (CallerRole.Doctor | CallerRole.Chief | CallerRole.Admin)) != 0;
        // Scopes compare exactly: "DICOMWEB:READ" and wildcards grant nothing.
        var read = sameTenant && (kind == CallerKind.System || (clinical && scopes.Contains(Scopes.DicomwebRead)));
        var write = sameTenant && (kind == CallerKind.System || (clinical && scopes.Contains(Scopes.DicomwebWrite)));

        Assert.Equal(read, StudyAccess.CanRead(caller, Tenant));
        Assert.Equal(write, StudyAccess.CanWrite(caller, Tenant));
        Assert.Equal(read ? AccessDecision.Allowed : write ? AccessDecision.Forbidden : AccessDecision.NotFound,
            StudyAccess.Decide(caller, Tenant, StudyAction.Read));
        Assert.Equal(write ? AccessDecision.Allowed : read ? AccessDecision.Forbidden : AccessDecision.NotFound,
            StudyAccess.Decide(caller, Tenant, StudyAction.Write));
    }

    [Fact] // S3.2, S7.4: other tenant → NotFound, never Forbidden, whatever the caller holds
    public void Decide_OtherTenantWithEverything_NotFound_S3_2()
    {
        var caller = new Caller(CallerKind.System, "svc", OtherTenant, (CallerRole)0x1F, [Scopes.DicomwebRead, Scopes.DicomwebWrite]);

        Assert.Equal(AccessDecision.NotFound, StudyAccess.Decide(caller, Tenant, StudyAction.Read));
        Assert.Equal(AccessDecision.NotFound, StudyAccess.Decide(caller, Tenant, StudyAction.Write));
    }

    [Fact] // S3.1: a read-only token may read but not store, and learns the study exists (403, not 404)
    public void Decide_ReadOnlyTokenWrites_Forbidden_S3_1()
    {
        var token = new Caller(CallerKind.Token, "t", Tenant, CallerRole.Doctor, [Scopes.DicomwebRead]);

        Assert.Equal(AccessDecision.Allowed, StudyAccess.Decide(token, Tenant, StudyAction.Read));
        Assert.Equal(AccessDecision.Forbidden, StudyAccess.Decide(token, Tenant, StudyAction.Write));
    }

    [Fact] // S3.2: patients see no study until person links exist
    public void Decide_PatientWithScopes_NotFound_S3_2()
    {
        var patient = new Caller(CallerKind.User, "p", Tenant, CallerRole.Patient, [Scopes.DicomwebRead]);

        Assert.Equal(AccessDecision.NotFound, StudyAccess.Decide(patient, Tenant, StudyAction.Read));
        Assert.Equal(AccessDecision.NotFound, PatientAccess.Decide(patient, Tenant, "PID-1", StudyAction.Read));
    }

    [Fact] // S5.1: operators manage tenants, they do not read clinical data, even in "their" tenant
    public void Decide_OperatorWithScopes_NotFound_S5_1()
    {
        var op = new Caller(CallerKind.User, "op", Tenant, CallerRole.Operator, [Scopes.DicomwebRead, Scopes.DicomwebWrite]);

        Assert.Equal(AccessDecision.NotFound, StudyAccess.Decide(op, Tenant, StudyAction.Read));
    }

    [Fact]
    public void Decide_TenantIdDifferentCase_NotFound()
    {
        var doctor = new Caller(CallerKind.User, "d", "Hospital-A", CallerRole.Doctor, [Scopes.DicomwebRead]);

        Assert.Equal(AccessDecision.NotFound, StudyAccess.Decide(doctor, Tenant, StudyAction.Read));
    }
}
