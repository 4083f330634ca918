using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Tenants;
using OrleansImaging.Grains.Tests.Cluster;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Tenants;

[Collection(ImagingClusterCollection.Name)]
public sealed class TenantGrainTests(ImagingClusterFixture fixture)
{
    private static int s_tenant;

    private static string NewTenantId() => $"t{Environment.ProcessId}-{Interlocked.Increment(ref s_tenant)}";

    [Fact]
    public async Task CreateAsync_OperatorTwiceSameName_IdempotentAndVisibleToOwnPeople()
    {
        var tenantId = NewTenantId();
        TenantInfo created;
        using (CallerContext.Use(Operator()))
        {
            created = await fixture.Client.GetGrain<ITenantGrain>(tenantId).CreateAsync("Hospital A");
            Assert.Equal(created, await fixture.Client.GetGrain<ITenantGrain>(tenantId).CreateAsync("Hospital A"));
            await Assert.ThrowsAsync<InvalidRequestException>(() => fixture.Client.GetGrain<ITenantGrain>(tenantId).CreateAsync("Another name"));
        }

        using var _ = CallerContext.Use(Admin(tenantId));
        Assert.Equal(created, await fixture.Client.GetGrain<ITenantGrain>(tenantId).GetInfoAsync());
        Assert.Equal("Hospital A", created.DisplayName);
        Assert.True(await fixture.Client.GetGrain<ITenantGrain>(tenantId).ExistsAsync());
    }

    [Fact] // S3.1, S5.3: a hospital admin cannot create tenants
    public async Task CreateAsync_Admin_Forbidden_S3_1()
    {
        var tenantId = NewTenantId();
        using var _ = CallerContext.Use(Admin(tenantId));

        await Assert.ThrowsAsync<ForbiddenException>(() => fixture.Client.GetGrain<ITenantGrain>(tenantId).CreateAsync("Mine"));
        Assert.False(await fixture.Client.GetGrain<ITenantGrain>(tenantId).ExistsAsync());
    }

    [Fact] // S3.2, S7.4: another tenant's admin learns nothing about a tenant
    public async Task GetInfoAsync_OtherTenantAdmin_NotFound_S3_2()
    {
        var tenantId = NewTenantId();
        using (CallerContext.Use(Operator()))
        {
            await fixture.Client.GetGrain<ITenantGrain>(tenantId).CreateAsync("Hospital");
        }

        using var _ = CallerContext.Use(Admin(TenantB));
        await Assert.ThrowsAsync<NotFoundException>(() => fixture.Client.GetGrain<ITenantGrain>(tenantId).GetInfoAsync());
        Assert.False(await fixture.Client.GetGrain<ITenantGrain>(tenantId).ExistsAsync());
        await Assert.ThrowsAsync<NotFoundException>(() => fixture.Client.GetGrain<ITenantGrain>(tenantId).CreateAsync("Hospital"));
    }

    [Fact] // S7.2
    public async Task ExistsAsync_NoCaller_Refused_S7_2()
    {
        CallerContext.Clear();
        await Assert.ThrowsAsync<UnauthenticatedCallException>(() => fixture.Client.GetGrain<ITenantGrain>(NewTenantId()).ExistsAsync());
    }
}
