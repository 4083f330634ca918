using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Tenants;
using OrleansImaging.Grains.Authorization;

namespace OrleansImaging.Grains.Tests.Authorization;

/// <summary>Who may register and read a hospital's devices (the edge's allow-list), and which AE titles are AE titles.</summary>
public sealed class TenantDeviceAccessTests
{
    [Theory] // S3.1: the hospital's admins and operators manage devices, through the settings decision
    [InlineData(CallerKind.User, CallerRole.Admin, "hospital-a", AccessDecision.Allowed)]
    [InlineData(CallerKind.User, CallerRole.Operator, "platform", AccessDecision.Allowed)]
    [InlineData(CallerKind.User, CallerRole.Doctor, "hospital-a", AccessDecision.Forbidden)]
    [InlineData(CallerKind.User, CallerRole.Chief, "hospital-a", AccessDecision.Forbidden)]
    [InlineData(CallerKind.Token, CallerRole.Doctor, "hospital-a", AccessDecision.Forbidden)]
    [InlineData(CallerKind.User, CallerRole.Admin, "hospital-b", AccessDecision.NotFound)]
    public void DecideManageSettings_DeviceRegistration_ByKindRoleAndTenant_S3_1(CallerKind kind, CallerRole roles, string callerTenant, AccessDecision expected) =>
        Assert.Equal(expected, TenantAccess.DecideManageSettings(new Caller(kind, "c", callerTenant, roles, [Scopes.DicomwebRead, Scopes.DicomwebWrite]), "hospital-a"));

    [Theory] // S3.1, S3.2: the edge's write token reads its own tenant's devices; a read-only token or a doctor may not; another tenant learns nothing
    [InlineData(CallerKind.Token, CallerRole.Doctor, "hospital-a", Scopes.DicomwebWrite, AccessDecision.Allowed)]
    [InlineData(CallerKind.Token, CallerRole.Doctor, "hospital-a", Scopes.DicomwebRead, AccessDecision.Forbidden)]
    [InlineData(CallerKind.Token, CallerRole.Doctor, "hospital-a", "", AccessDecision.Forbidden)]
    [InlineData(CallerKind.Token, CallerRole.Doctor, "hospital-b", Scopes.DicomwebWrite, AccessDecision.NotFound)]
    [InlineData(CallerKind.User, CallerRole.Doctor, "hospital-a", Scopes.DicomwebWrite, AccessDecision.Forbidden)]
    [InlineData(CallerKind.User, CallerRole.Admin, "hospital-a", "", AccessDecision.Allowed)]
    [InlineData(CallerKind.User, CallerRole.Admin, "hospital-b", "", AccessDecision.NotFound)]
    [InlineData(CallerKind.User, CallerRole.Operator, "platform", "", AccessDecision.Allowed)]
    [InlineData(CallerKind.User, CallerRole.None, "hospital-a", Scopes.DicomwebWrite, AccessDecision.NotFound)]
    [InlineData(CallerKind.System, CallerRole.None, "hospital-b", Scopes.DicomwebWrite, AccessDecision.NotFound)]
    public void DecideReadDevices_ByKindRoleScopeAndTenant_S3_2(CallerKind kind, CallerRole roles, string callerTenant, string scope, AccessDecision expected) =>
        Assert.Equal(expected, TenantAccess.DecideReadDevices(new Caller(kind, "c", callerTenant, roles, scope.Length == 0 ? [] : [scope]), "hospital-a"));

    [Theory]
    [InlineData("CT1", "CT1")]
    [InlineData("CT1   ", "CT1")]
    [InlineData(" CT1 ", "CT1")]
    [InlineData("CT 1", "CT 1")]
    [InlineData("ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP")]
    [InlineData("ABCDEFGHIJKLMNOP  ", "ABCDEFGHIJKLMNOP")]
    [InlineData("ct-room_3.a", "ct-room_3.a")]
    public void NormalizeAeTitle_Valid_LeadingAndTrailingSpacesRemoved(string aeTitle, string expected) =>
        Assert.Equal(expected, DeviceRegistrations.NormalizeAeTitle(aeTitle));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ABCDEFGHIJKLMNOPQ")]
    [InlineData("CT\\1")]
    [InlineData("CT\u00011")]
    [InlineData("CT\t1")]
    [InlineData("CT\n")]
    [InlineData("CT\u00e91")]
    [InlineData(null)]
    public void NormalizeAeTitle_Invalid_Null(string? aeTitle) =>
        Assert.Null(DeviceRegistrations.NormalizeAeTitle(aeTitle));

    [Fact]
    public void Validate_GoodRegistration_Normalized()
    {
        var device = DeviceRegistrations.Validate(new DeviceRegistration("CT1  ", " CT room 3 ", " CT ", " 10.1.2.3 "), out var error);

        Assert.Equal(new DeviceRegistration("CT1", "CT room 3", "CT", "10.1.2.3"), device);
        Assert.Equal("", error);
        Assert.Equal(new DeviceRegistration("MR1", "MR", null, "::1"), DeviceRegistrations.Validate(new DeviceRegistration("MR1", "MR", "", "::1"), out _));
        Assert.Equal("10.0.0.7", DeviceRegistrations.Validate(new DeviceRegistration("US1", "US", null, "::ffff:10.0.0.7"), out _)!.Host);
    }

    [Theory]
    [InlineData("ABCDEFGHIJKLMNOPQ", "CT", null, null, "AE title")]
    [InlineData("CT1", "", null, null, "display name")]
    [InlineData("CT1", "CT\u0000", null, null, "display name")]
    [InlineData("CT1", "CT", "ct", null, "modality")]
    [InlineData("CT1", "CT", "CT\\MR", null, "modality")]
    [InlineData("CT1", "CT", null, "ct.hospital.example", "host")]
    [InlineData("CT1", "CT", null, "10.1", "host")]
    [InlineData("CT1", "CT", null, "10.1.2.300", "host")]
    public void Validate_BadField_NullWithReason(string aeTitle, string displayName, string? modality, string? host, string field)
    {
        Assert.Null(DeviceRegistrations.Validate(new DeviceRegistration(aeTitle, displayName, modality, host), out var error));
        Assert.Contains(field, error, StringComparison.OrdinalIgnoreCase);
    }
}
