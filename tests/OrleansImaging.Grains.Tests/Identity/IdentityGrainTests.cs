using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Identity;
using OrleansImaging.Contracts.Tenants;
using OrleansImaging.Grains.Tests.Cluster;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Identity;

/// <summary>The user and token grains on the real cluster: provisioning rules (S5.3) and credential checks.</summary>
[Collection(ImagingClusterCollection.Name)]
public sealed class IdentityGrainTests(ImagingClusterFixture fixture)
{
    private static readonly Caller System = new(CallerKind.System, "api-authentication", "", CallerRole.None, []);
    private static int s_tenant;

    [Fact]
    public async Task UserCreateAsync_TenantAdmin_DoctorAllowedOperatorForbidden_S3_1_S5_3()
    {
        var tenantId = await NewTenantAsync();
        using var _ = CallerContext.Use(Admin(tenantId));

        var created = await User(tenantId, "dr-li").CreateAsync(CallerRole.Doctor);

        Assert.Equal(new UserInfo(tenantId, "dr-li", CallerRole.Doctor, created.User.CreatedAt), created.User);
        await Assert.ThrowsAsync<ForbiddenException>(() => User(tenantId, "root").CreateAsync(CallerRole.Operator));
    }

    [Fact]
    public async Task UserCreateAsync_DoctorOrOtherTenantsAdmin_ForbiddenOrNotFound_S3_2_S5_3()
    {
        var tenantId = await NewTenantAsync();

        using (CallerContext.Use(Doctor(tenantId)))
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => User(tenantId, "x").CreateAsync(CallerRole.Doctor));
        }
        using (CallerContext.Use(Admin(TenantB)))
        {
            await Assert.ThrowsAsync<NotFoundException>(() => User(tenantId, "x").CreateAsync(CallerRole.Doctor));
        }
    }

    [Fact]
    public async Task UserVerifyPasswordAsync_NotSystem_Forbidden_S6_7()
    {
        var tenantId = await NewTenantAsync();
        string password;
        using (CallerContext.Use(Operator()))
        {
            password = (await User(tenantId, "nurse").CreateAsync(CallerRole.Doctor)).Password;
        }

        using (CallerContext.Use(Admin(tenantId)))
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => User(tenantId, "nurse").VerifyPasswordAsync(password));
        }
        using (CallerContext.Use(System))
        {
            Assert.Equal(tenantId, (await User(tenantId, "nurse").VerifyPasswordAsync(password))?.TenantId);
        }
    }

    [Fact]
    public async Task TokenValidateAsync_RightWrongRevoked_CallerThenNull_S6_4_S8_4()
    {
        var tenantId = await NewTenantAsync();
        var tokenId = AccessTokens.NewTokenId();
        AccessTokenCreated created;
        using (CallerContext.Use(Admin(tenantId)))
        {
            created = await fixture.Client.GetGrain<IAccessTokenGrain>(tokenId).CreateAsync(tenantId, [Scopes.DicomwebRead]);
        }
        Assert.True(AccessTokens.TryParse(created.BearerValue, out var parsedId, out var secret));
        Assert.Equal(tokenId, parsedId);
        Assert.Equal(Admin(tenantId).Id, created.Token.CreatedBy);
        var token = fixture.Client.GetGrain<IAccessTokenGrain>(tokenId);

        using (CallerContext.Use(Doctor(tenantId)))
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => token.ValidateAsync(AccessTokens.HashSecret(secret)));
            await Assert.ThrowsAsync<ForbiddenException>(() => token.RevokeAsync());
        }
        using (CallerContext.Use(System))
        {
            var caller = await token.ValidateAsync(AccessTokens.HashSecret(secret));
            Assert.Equal(new Caller(CallerKind.Token, tokenId, tenantId, CallerRole.Doctor, caller!.Scopes), caller);
            Assert.Equal([Scopes.DicomwebRead], caller.Scopes);
            Assert.Null(await token.ValidateAsync(AccessTokens.HashSecret(secret + "x")));
            Assert.Null(await fixture.Client.GetGrain<IAccessTokenGrain>(AccessTokens.NewTokenId()).ValidateAsync(AccessTokens.HashSecret(secret)));
        }
        using (CallerContext.Use(Admin(tenantId)))
        {
            await token.RevokeAsync();
        }
        using (CallerContext.Use(System))
        {
            Assert.Null(await token.ValidateAsync(AccessTokens.HashSecret(secret)));
        }
    }

    [Fact]
    public async Task TokenValidateAsync_AfterItsLifetime_Null_DefaultIsAYear_S8_7()
    {
        var tenantId = await NewTenantAsync();
        AccessTokenCreated shortLived, defaulted;
        using (CallerContext.Use(Admin(tenantId)))
        {
            shortLived = await fixture.Client.GetGrain<IAccessTokenGrain>(AccessTokens.NewTokenId()).CreateAsync(tenantId, [Scopes.DicomwebRead], TimeSpan.FromSeconds(1));
            defaulted = await fixture.Client.GetGrain<IAccessTokenGrain>(AccessTokens.NewTokenId()).CreateAsync(tenantId, [Scopes.DicomwebRead]);
        }
        Assert.Equal(TimeSpan.FromSeconds(1), shortLived.Token.ExpiresAt - shortLived.Token.CreatedAt);
        Assert.Equal(AccessTokens.DefaultLifetime, defaulted.Token.ExpiresAt - defaulted.Token.CreatedAt);

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // time only moves on: past its expiry whatever the machine's load
        using (CallerContext.Use(System))
        {
            Assert.True(AccessTokens.TryParse(shortLived.BearerValue, out var shortId, out var shortSecret));
            Assert.Null(await fixture.Client.GetGrain<IAccessTokenGrain>(shortId).ValidateAsync(AccessTokens.HashSecret(shortSecret)));
            Assert.True(AccessTokens.TryParse(defaulted.BearerValue, out var longId, out var longSecret));
            Assert.NotNull(await fixture.Client.GetGrain<IAccessTokenGrain>(longId).ValidateAsync(AccessTokens.HashSecret(longSecret)));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3651 * 24 * 3600)]
    public async Task TokenCreateAsync_LifetimeZeroNegativeOrPastTenYears_Refused(int seconds)
    {
        var tenantId = await NewTenantAsync();
        using var _ = CallerContext.Use(Admin(tenantId));

        await Assert.ThrowsAsync<InvalidRequestException>(() =>
            fixture.Client.GetGrain<IAccessTokenGrain>(AccessTokens.NewTokenId()).CreateAsync(tenantId, [Scopes.DicomwebRead], TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public async Task TokenCreateAsync_OtherTenantsAdmin_NotFound_S3_2()
    {
        var tenantId = await NewTenantAsync();
        using var _ = CallerContext.Use(Admin(TenantB));

        await Assert.ThrowsAsync<NotFoundException>(() =>
            fixture.Client.GetGrain<IAccessTokenGrain>(AccessTokens.NewTokenId()).CreateAsync(tenantId, [Scopes.DicomwebRead]));
    }

    private IUserGrain User(string tenantId, string username) => fixture.Client.GetGrain<IUserGrain>(GrainKeys.User(tenantId, username));

    private async Task<string> NewTenantAsync()
    {
        var tenantId = $"id{Environment.ProcessId}-{Interlocked.Increment(ref s_tenant)}";
        using var _ = CallerContext.Use(Operator());
        await fixture.Client.GetGrain<ITenantGrain>(tenantId).CreateAsync("Identity " + tenantId);
        return tenantId;
    }
}
