using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Grains.Tests.Cluster;

/// <summary>Callers the tests act as; tenants "hospital-a" and "hospital-b".</summary>
public static class TestCallers
{
    public const string TenantA = "hospital-a";
    public const string TenantB = "hospital-b";

    public static Caller Doctor(string tenant = TenantA) =>
        new(CallerKind.User, "dr-1", tenant, CallerRole.Doctor, [Scopes.DicomwebRead, Scopes.DicomwebWrite]);

    public static Caller ReadOnlyToken(string tenant = TenantA) =>
        new(CallerKind.Token, "viewer-token", tenant, CallerRole.Doctor, [Scopes.DicomwebRead]);

    public static Caller Operator() =>
        new(CallerKind.User, "op-1", "platform", CallerRole.Operator, []);

    public static Caller Admin(string tenant = TenantA) =>
        new(CallerKind.User, "admin-1", tenant, CallerRole.Admin, []);
}
