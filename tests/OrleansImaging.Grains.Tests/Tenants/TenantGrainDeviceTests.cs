using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Tenants;
using OrleansImaging.Grains.Tests.Cluster;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Tenants;

/// <summary>The hospital's registered devices on the tenant grain: register, update, remove, read, and who may.</summary>
[Collection(ImagingClusterCollection.Name)]
public sealed class TenantGrainDeviceTests(ImagingClusterFixture fixture)
{
    private static int s_tenant;

    private static Caller EdgeToken(string tenant) => new(CallerKind.Token, "edge-token", tenant, CallerRole.Doctor, [Scopes.DicomwebWrite]);

    private async Task<ITenantGrain> NewTenantAsync()
    {
        var tenantId = $"dev{Environment.ProcessId}-{Interlocked.Increment(ref s_tenant)}";
        using var _ = CallerContext.Use(Operator());
        await fixture.Client.GetGrain<ITenantGrain>(tenantId).CreateAsync("Hospital");
        return fixture.Client.GetGrain<ITenantGrain>(tenantId);
    }

    [Fact]
    public async Task RegisterDeviceAsync_AdminRegistersUpdatesRemoves_EdgeTokenReadsTheList()
    {
        var tenant = await NewTenantAsync();
        var tenantId = tenant.GetPrimaryKeyString();
        using (CallerContext.Use(Admin(tenantId)))
        {
            var ct = await tenant.RegisterDeviceAsync(new DeviceRegistration("CT1  ", "CT room 3", "CT"));
            Assert.Equal(new DeviceRegistration("CT1", "CT room 3", "CT"), ct);
            Assert.Equal(ct, await tenant.RegisterDeviceAsync(new DeviceRegistration("CT1", "CT room 3", "CT")));
            await tenant.RegisterDeviceAsync(new DeviceRegistration("AMR", "MR", "MR", "10.1.2.3"));
            await tenant.RegisterDeviceAsync(new DeviceRegistration("CT1", "CT room 4", "CT", "10.1.2.4"));
        }

        using (CallerContext.Use(EdgeToken(tenantId)))
        {
            Assert.Equal([new DeviceRegistration("AMR", "MR", "MR", "10.1.2.3"), new DeviceRegistration("CT1", "CT room 4", "CT", "10.1.2.4")], await tenant.GetDevicesAsync());
        }

        using (CallerContext.Use(Operator()))
        {
            Assert.True(await tenant.RemoveDeviceAsync("AMR "));
            Assert.False(await tenant.RemoveDeviceAsync("AMR"));
            Assert.Equal(["CT1"], (await tenant.GetDevicesAsync()).Select(d => d.AeTitle));
        }
    }

    [Fact] // S3.1: a doctor and the edge's token may not change the device list; a read-only token may not read it
    public async Task RegisterDeviceAsync_DoctorOrToken_Forbidden_ReadOnlyTokenCannotRead_S3_1()
    {
        var tenant = await NewTenantAsync();
        var tenantId = tenant.GetPrimaryKeyString();
        using (CallerContext.Use(Doctor(tenantId)))
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => tenant.RegisterDeviceAsync(new DeviceRegistration("CT1", "CT")));
            await Assert.ThrowsAsync<ForbiddenException>(() => tenant.RemoveDeviceAsync("CT1"));
            await Assert.ThrowsAsync<ForbiddenException>(() => tenant.GetDevicesAsync());
        }
        using (CallerContext.Use(EdgeToken(tenantId)))
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => tenant.RegisterDeviceAsync(new DeviceRegistration("CT1", "CT")));
        }
        using (CallerContext.Use(ReadOnlyToken(tenantId)))
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => tenant.GetDevicesAsync());
        }
        using (CallerContext.Use(Admin(tenantId)))
        {
            Assert.Empty(await tenant.GetDevicesAsync());
        }
    }

    [Fact] // S3.2, S7.4: another hospital's admin or edge learns nothing, not even that the tenant exists
    public async Task GetDevicesAsync_OtherTenant_NotFound_S3_2()
    {
        var tenant = await NewTenantAsync();
        using (CallerContext.Use(Admin(tenant.GetPrimaryKeyString())))
        {
            await tenant.RegisterDeviceAsync(new DeviceRegistration("CT1", "CT"));
        }

        using (CallerContext.Use(Admin(TenantB)))
        {
            await Assert.ThrowsAsync<NotFoundException>(() => tenant.GetDevicesAsync());
            await Assert.ThrowsAsync<NotFoundException>(() => tenant.RegisterDeviceAsync(new DeviceRegistration("EVIL", "Evil")));
            await Assert.ThrowsAsync<NotFoundException>(() => tenant.RemoveDeviceAsync("CT1"));
        }
        using (CallerContext.Use(EdgeToken(TenantB)))
        {
            await Assert.ThrowsAsync<NotFoundException>(() => tenant.GetDevicesAsync());
        }
        using (CallerContext.Use(Admin(tenant.GetPrimaryKeyString())))
        {
            Assert.Equal(["CT1"], (await tenant.GetDevicesAsync()).Select(d => d.AeTitle));
        }
    }

    [Theory]
    [InlineData("ABCDEFGHIJKLMNOPQ")]
    [InlineData("CT\\1")]
    [InlineData("")]
    [InlineData("CT\u00071")]
    public async Task RegisterDeviceAsync_BadAeTitle_InvalidRequest_NothingStored(string aeTitle)
    {
        var tenant = await NewTenantAsync();
        using var _ = CallerContext.Use(Admin(tenant.GetPrimaryKeyString()));

        await Assert.ThrowsAsync<InvalidRequestException>(() => tenant.RegisterDeviceAsync(new DeviceRegistration(aeTitle, "Device")));
        await Assert.ThrowsAsync<InvalidRequestException>(() => tenant.RemoveDeviceAsync(aeTitle));
        Assert.Empty(await tenant.GetDevicesAsync());
    }

    [Fact]
    public async Task RegisterDeviceAsync_BeyondTheCap_Refused_UpdatesStillAllowed()
    {
        var tenant = await NewTenantAsync();
        using var _ = CallerContext.Use(Admin(tenant.GetPrimaryKeyString()));
        for (var i = 0; i < DeviceRegistrations.MaxDevicesPerTenant; i++)
            await tenant.RegisterDeviceAsync(new DeviceRegistration($"D{i:D4}", "Device"));

        var refused = await Assert.ThrowsAsync<InvalidRequestException>(() => tenant.RegisterDeviceAsync(new DeviceRegistration("ONEMORE", "Device")));
        Assert.Contains("at most 1000", refused.Message, StringComparison.Ordinal);
        Assert.Equal("Renamed", (await tenant.RegisterDeviceAsync(new DeviceRegistration("D0000", "Renamed"))).DisplayName);
        Assert.Equal(DeviceRegistrations.MaxDevicesPerTenant, (await tenant.GetDevicesAsync()).Count);
    }

    [Fact]
    public async Task GetDevicesAsync_TenantDoesNotExist_NotFound()
    {
        using var _ = CallerContext.Use(Operator());
        await Assert.ThrowsAsync<NotFoundException>(() => fixture.Client.GetGrain<ITenantGrain>("no-such-hospital-dev").GetDevicesAsync());
    }
}
