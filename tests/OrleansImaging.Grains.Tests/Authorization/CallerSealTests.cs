using System.Security.Cryptography;
using Orleans.Runtime;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Tenants;
using OrleansImaging.Grains.Tests.Cluster;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Authorization;

/// <summary>
/// A caller put on a grain call by anything but our own code — a process that reached a silo or gateway port and
/// wrote the request context itself — is no caller at all: the seal (an HMAC under a key only this deployment's
/// processes hold) does not verify, so the filter refuses the call before any policy runs (S6.4, S7.3).
/// </summary>
[Collection(ImagingClusterCollection.Name)]
public sealed class CallerSealTests(ImagingClusterFixture fixture)
{
    private ITenantGrain Tenant() => fixture.Client.GetGrain<ITenantGrain>("seal-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task CallerWithoutASeal_Refused_S6_4_S7_3()
    {
        var tenant = Tenant();
        CallerContext.Clear();
        RequestContext.Set(CallerContext.Key, Operator()); // what a forged client would send
        try
        {
            await Assert.ThrowsAsync<UnauthenticatedCallException>(() => tenant.CreateAsync("Forged Hospital"));
        }
        finally
        {
            CallerContext.Clear();
        }
        using (CallerContext.Use(Operator()))
            Assert.False(await tenant.ExistsAsync());
    }

    [Fact]
    public async Task CallerSealedWithAnotherKey_Refused_S6_4()
    {
        var tenant = Tenant();
        CallerContext.Clear();
        RequestContext.Set(CallerContext.Key, Operator());
        RequestContext.Set(CallerContext.SealKey, HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), "anything"u8));
        try
        {
            await Assert.ThrowsAsync<UnauthenticatedCallException>(() => tenant.CreateAsync("Forged Hospital"));
        }
        finally
        {
            CallerContext.Clear();
        }
    }

    [Fact]
    public async Task SealOfOneCallerUnderAnother_Refused_S7_3()
    {
        // A doctor's genuine seal, with the caller swapped for an operator: the seal covers every field.
        var tenant = Tenant();
        CallerContext.Set(Doctor());
        RequestContext.Set(CallerContext.Key, Operator());
        try
        {
            Assert.Null(CallerContext.Current);
            await Assert.ThrowsAsync<UnauthenticatedCallException>(() => tenant.CreateAsync("Forged Hospital"));
        }
        finally
        {
            CallerContext.Clear();
        }
    }

    [Fact]
    public async Task CallerSetByOurCode_Accepted()
    {
        var tenant = Tenant();
        using (CallerContext.Use(Operator()))
        {
            Assert.Equal(Operator(), CallerContext.Current, CallerComparer.Instance);
            var created = await tenant.CreateAsync("Sealed Hospital");
            Assert.Equal("Sealed Hospital", created.DisplayName);
        }
    }

    [Fact]
    public void SealingKey_ShorterThan32Bytes_Refused() =>
        Assert.Throws<ArgumentException>(() => CallerContext.UseSealingKey(new byte[16]));

    private sealed class CallerComparer : IEqualityComparer<Caller?>
    {
        public static readonly CallerComparer Instance = new();

        public bool Equals(Caller? x, Caller? y) =>
            x is not null && y is not null && x.Kind == y.Kind && x.Id == y.Id && x.TenantId == y.TenantId && x.Roles == y.Roles && x.Scopes.SequenceEqual(y.Scopes);

        public int GetHashCode(Caller? obj) => obj?.Id.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
