using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansImaging.Api.Tests.Apis;
using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Api.Tests.Authentication;

/// <summary>API tokens on a protected endpoint (<c>GET /tenants/{id}</c>, decided by the tenant grain).</summary>
[Collection(ApiCollection.Name)]
public sealed class AccessTokenAuthenticationTests(ApiFactory factory)
{
    [Fact]
    public async Task GetTenant_NoToken_Answers401_S7_2()
    {
        await factory.CreateTenantAsync("auth-a");
        using var client = factory.CreateClient();

        await AdminApiTests.AssertUnauthorizedAsync(await client.GetAsync("/tenants/auth-a"));
    }

    [Fact]
    public async Task GetTenant_OwnTenantsToken_Answers200_AnotherTenant404_S3_2_S7_4()
    {
        await factory.CreateTenantAsync("auth-a");
        await factory.CreateTenantAsync("auth-b");
        var (_, token) = await factory.CreateTokenAsync("auth-a", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);

        var own = await client.GetAsync("/tenants/auth-a");
        var other = await client.GetAsync("/tenants/auth-b");
        var missing = await client.GetAsync("/tenants/auth-none");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("auth-a", (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenantId").GetString());
        // The caller on the grain call is tenant A's: B answers exactly like a tenant that does not exist.
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var otherBody = await other.Content.ReadFromJsonAsync<JsonElement>();
        var missingBody = await missing.Content.ReadFromJsonAsync<JsonElement>();
        foreach (var property in new[] { "status", "title", "detail" })
        {
            Assert.Equal(missingBody.GetProperty(property).ToString(), otherBody.GetProperty(property).ToString());
        }
    }

    [Fact]
    public async Task GetTenant_TamperedToken_Answers401_S6_4()
    {
        await factory.CreateTenantAsync("auth-a");
        var (tokenId, token) = await factory.CreateTokenAsync("auth-a", Scopes.DicomwebRead);
        var last = token[^1] == 'A' ? 'B' : 'A';
        string[] tampered =
        [
            token[..^1] + last, // another secret
            token.Replace(tokenId, new string('0', 32), StringComparison.Ordinal), // another id with this secret
            token + "A", // longer
            token[4..], // no prefix
        ];

        foreach (var value in tampered)
        {
            using var client = factory.CreateClient(value);
            await AdminApiTests.AssertUnauthorizedAsync(await client.GetAsync("/tenants/auth-a"));
        }
    }

    [Fact]
    public async Task GetTenant_RevokedToken_Answers401_S8_4()
    {
        await factory.CreateTenantAsync("auth-a");
        var (tokenId, token) = await factory.CreateTokenAsync("auth-a", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/tenants/auth-a")).StatusCode);

        using var admin = factory.CreateAdminClient();
        var revoke = await admin.PostAsync($"/admin/tokens/{tokenId}/revoke", null);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await AdminApiTests.AssertUnauthorizedAsync(await client.GetAsync("/tenants/auth-a"));
    }

    [Fact]
    public async Task Token_IsStoredOnlyAsHash_S6_2()
    {
        await factory.CreateTenantAsync("auth-a");
        var (tokenId, token) = await factory.CreateTokenAsync("auth-a", Scopes.DicomwebWrite);
        var secret = System.Text.Encoding.ASCII.GetBytes(token[(4 + 32 + 1)..]);

        foreach (var file in Directory.EnumerateFiles(factory.DataDirectory, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.True(copy.ToArray().AsSpan().IndexOf(secret) < 0, $"the token secret is in {Path.GetFileName(file)}");
        }
        Assert.Matches("^oit_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$", token);
        Assert.StartsWith("oit_" + tokenId + "_", token, StringComparison.Ordinal);
    }
}
