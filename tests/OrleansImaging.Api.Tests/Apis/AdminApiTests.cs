using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansImaging.Api.Authentication;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Identity;

namespace OrleansImaging.Api.Tests.Apis;

/// <summary>The admin endpoints behind the instance's admin key (what `./imaging admin` calls).</summary>
[Collection(ApiCollection.Name)]
public sealed class AdminApiTests(ApiFactory factory)
{
    [Fact]
    public async Task CreateTenant_WithoutKey_Answers401BearerChallengeWithoutDetail_S2_5_S6_2()
    {
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/admin/tenants", new { tenantId = "no-key", displayName = "No key" });

        await AssertUnauthorizedAsync(response);
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("")]
    [InlineData("oit_00000000000000000000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task CreateTenant_WrongKey_Answers401_S2_5_S6_4(string key)
    {
        using var client = factory.CreateClient(key);

        var response = await client.PostAsJsonAsync("/admin/tenants", new { tenantId = "wrong-key", displayName = "Wrong key" });

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task CreateTenant_AccessTokenInsteadOfAdminKey_Answers401_S3_1()
    {
        await factory.CreateTenantAsync("token-not-admin");
        var (_, token) = await factory.CreateTokenAsync("token-not-admin", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var client = factory.CreateClient(token);

        var response = await client.PostAsJsonAsync("/admin/tenants", new { tenantId = "escalated", displayName = "Escalated" });

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AdminKeyFile_IsOwnerOnly_S1_1()
    {
        var mode = File.GetUnixFileMode(Path.Combine(factory.DataDirectory, OrleansImaging.Api.Hosting.AdminKey.FileName));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Equal(64, factory.AdminKey.Length);
    }

    [Fact]
    public async Task CreateTenant_RightKey_CreatesItIdempotently()
    {
        using var admin = factory.CreateAdminClient();

        var first = await admin.PostAsJsonAsync("/admin/tenants", new { tenantId = "hospital-idem", displayName = "Idem" });
        var second = await admin.PostAsJsonAsync("/admin/tenants", new { tenantId = "hospital-idem", displayName = "Idem" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var body = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("hospital-idem", body.GetProperty("tenantId").GetString());
        Assert.Equal("no-store", first.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task CreateUser_RightKey_ReturnsGeneratedPasswordStoredOnlyAsHash_S6_2_S5_3()
    {
        await factory.CreateTenantAsync("hospital-users");
        using var admin = factory.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/admin/tenants/hospital-users/users", new { username = "alice", role = "doctor" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var password = body.GetProperty("password").GetString()!;
        Assert.Equal(24, password.Length);
        Assert.All(password, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
        // Not in clear anywhere under IMAGING_DATA: the SQLite files, their WAL, anything else.
        var needle = Encoding.UTF8.GetBytes(password);
        foreach (var file in Directory.EnumerateFiles(factory.DataDirectory, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.True(copy.ToArray().AsSpan().IndexOf(needle) < 0, $"the password is in {Path.GetFileName(file)}");
        }
        Assert.Contains(Directory.EnumerateFiles(factory.DataDirectory), f => Path.GetFileName(f) == "grains.db");

        // The password works for that account only, and a wrong one does not.
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        using (CallerContext.Use(ApiCallers.Authentication))
        {
            var caller = await grains.GetGrain<IUserGrain>(GrainKeys.User("hospital-users", "alice")).VerifyPasswordAsync(password);
            Assert.Equal(new Caller(CallerKind.User, "alice", "hospital-users", CallerRole.Doctor, caller!.Scopes), caller);
            Assert.Null(await grains.GetGrain<IUserGrain>(GrainKeys.User("hospital-users", "alice")).VerifyPasswordAsync(password + "x"));
            Assert.Null(await grains.GetGrain<IUserGrain>(GrainKeys.User("hospital-users", "bob")).VerifyPasswordAsync(password));
        }
    }

    [Fact]
    public async Task CreateUser_Twice_SecondIsRefusedAndFirstPasswordStays_S6_2()
    {
        await factory.CreateTenantAsync("hospital-twice");
        using var admin = factory.CreateAdminClient();

        var first = await admin.PostAsJsonAsync("/admin/tenants/hospital-twice/users", new { username = "carol", role = "chief" });
        var second = await admin.PostAsJsonAsync("/admin/tenants/hospital-twice/users", new { username = "carol", role = "admin" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.DoesNotContain("password", await second.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("no-such-tenant", "dave", "doctor", HttpStatusCode.NotFound)]
    [InlineData("hospital-bad", "dave", "superuser", HttpStatusCode.BadRequest)]
    [InlineData("hospital-bad", "dave", "3", HttpStatusCode.BadRequest)]
    [InlineData("hospital-bad", "Dave", "doctor", HttpStatusCode.BadRequest)]
    public async Task CreateUser_BadInput_IsRefused(string tenant, string username, string role, HttpStatusCode expected)
    {
        await factory.CreateTenantAsync("hospital-bad");
        using var admin = factory.CreateAdminClient();

        var response = await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/users", new { username, role });

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("")]
    [InlineData("dicomweb:admin")]
    [InlineData("dicomweb:read DICOMWEB:WRITE")]
    public async Task CreateToken_UnknownOrNoScopes_Answers400(string scopeList)
    {
        var scopes = scopeList.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        await factory.CreateTenantAsync("hospital-scopes");
        using var admin = factory.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/admin/tenants/hospital-scopes/tokens", new { scopes });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("3651")]
    [InlineData("\"soon\"")]
    public async Task CreateToken_ExpiresInDaysOutOfRangeOrNotANumber_Answers400AndIssuesNothing_S8_7(string expiresInDays)
    {
        await factory.CreateTenantAsync("hospital-expiry");
        using var admin = factory.CreateAdminClient();

        using var response = await admin.PostAsync("/admin/tenants/hospital-expiry/tokens",
            new StringContent($$"""{"scopes":["dicomweb:read"],"expiresInDays":{{expiresInDays}}}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("oit_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateToken_ExpiresInDays_ResponseSaysWhen_DefaultAYear_S8_7()
    {
        await factory.CreateTenantAsync("hospital-expiry");
        using var admin = factory.CreateAdminClient();

        var before = DateTimeOffset.UtcNow;
        using var thirty = await admin.PostAsJsonAsync("/admin/tenants/hospital-expiry/tokens", new { scopes = new[] { "dicomweb:read" }, expiresInDays = 30 });
        using var defaulted = await admin.PostAsJsonAsync("/admin/tenants/hospital-expiry/tokens", new { scopes = new[] { "dicomweb:read" } });
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.OK, thirty.StatusCode);
        Assert.Equal(HttpStatusCode.OK, defaulted.StatusCode);
        using var thirtyBody = JsonDocument.Parse(await thirty.Content.ReadAsStringAsync());
        using var defaultedBody = JsonDocument.Parse(await defaulted.Content.ReadAsStringAsync());
        Assert.InRange(thirtyBody.RootElement.GetProperty("expiresAt").GetDateTimeOffset(), before.AddDays(30), after.AddDays(30));
        Assert.InRange(defaultedBody.RootElement.GetProperty("expiresAt").GetDateTimeOffset(), before.AddDays(365), after.AddDays(365));
    }

    internal static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", string.Join("", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, body.RootElement.GetProperty("status").GetInt32());
        Assert.False(body.RootElement.TryGetProperty("detail", out _)); // nothing that says why (S5.5, S10.1)
    }
}
