using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Api.Tests.Apis;

/// <summary>
/// The hospital's devices over HTTP: <c>/admin/tenants/{id}/devices</c> behind the admin key (what <c>./imaging admin
/// device</c> calls) and <c>GET /edge/devices</c> with the edge's bearer token.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AdminDeviceApiTests(ApiFactory factory)
{
    [Fact]
    public async Task RegisterDevice_AddListUpdateRemove_EdgeTokenReadsItsOwnTenantsList()
    {
        await factory.CreateTenantAsync("devices-crud");
        using var admin = factory.CreateAdminClient();

        var added = await admin.PostAsJsonAsync("/admin/tenants/devices-crud/devices", new { aeTitle = "CT1  ", displayName = "CT room 3", modality = "CT", host = "10.1.2.3" });
        var again = await admin.PostAsJsonAsync("/admin/tenants/devices-crud/devices", new { aeTitle = "CT1", displayName = "CT room 3", modality = "CT", host = "10.1.2.3" });
        var other = await admin.PostAsJsonAsync("/admin/tenants/devices-crud/devices", new { aeTitle = "MR1", displayName = "MR" });
        var updated = await admin.PostAsJsonAsync("/admin/tenants/devices-crud/devices", new { aeTitle = "MR1", displayName = "MR room 1", modality = "MR" });

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("CT1", (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("aeTitle").GetString());
        Assert.Equal("no-store", added.Headers.CacheControl?.ToString());
        Assert.Equal(["CT1|CT room 3|CT|10.1.2.3", "MR1|MR room 1|MR|"], await ListAsync(admin, "/admin/tenants/devices-crud/devices"));

        var (_, edgeToken) = await factory.CreateTokenAsync("devices-crud", Scopes.DicomwebWrite);
        using var edge = factory.CreateClient(edgeToken);
        var fromEdge = await edge.GetAsync("/edge/devices");
        Assert.Equal(HttpStatusCode.OK, fromEdge.StatusCode);
        Assert.Equal("no-store", fromEdge.Headers.CacheControl?.ToString());
        Assert.Equal(["CT1|CT room 3|CT|10.1.2.3", "MR1|MR room 1|MR|"], await ListAsync(edge, "/edge/devices"));

        var removed = await admin.DeleteAsync("/admin/tenants/devices-crud/devices/CT1");
        var removedAgain = await admin.DeleteAsync("/admin/tenants/devices-crud/devices/CT1");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);
        Assert.Equal("application/problem+json", removedAgain.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["MR1|MR room 1|MR|"], await ListAsync(edge, "/edge/devices"));
    }

    [Theory]
    [InlineData("ABCDEFGHIJKLMNOPQ")]
    [InlineData("CT\\1")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("CT\u00011")]
    [InlineData(null)]
    public async Task RegisterDevice_BadAeTitle_Answers400ProblemDetails_NothingStored(string? aeTitle)
    {
        await factory.CreateTenantAsync("devices-bad-ae");
        using var admin = factory.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/admin/tenants/devices-bad-ae/devices", new { aeTitle, displayName = "Bad" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("AE title", body.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await ListAsync(admin, "/admin/tenants/devices-bad-ae/devices"));
    }

    [Theory]
    [InlineData("CT/1", "CT%2F1", "slash")]
    [InlineData("CT 1", "CT%201", "space")]
    [InlineData("CT+1", "CT%2B1", "plus")]
    public async Task RemoveDevice_EscapedAeTitle_RemovesThatDevice(string aeTitle, string inPath, string what)
    {
        var tenant = "devices-escaped-" + what;
        await factory.CreateTenantAsync(tenant);
        using var admin = factory.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/devices", new { aeTitle, displayName = "Escaped" })).StatusCode);

        var response = await admin.DeleteAsync($"/admin/tenants/{tenant}/devices/{inPath}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await ListAsync(admin, $"/admin/tenants/{tenant}/devices"));
    }

    [Theory]
    [InlineData("ABCDEFGHIJKLMNOPQ")]
    [InlineData("CT%5C1")]
    [InlineData("CT%011")]
    [InlineData("%20%20")]
    public async Task RemoveDevice_BadAeTitle_Answers400(string aeTitle)
    {
        await factory.CreateTenantAsync("devices-bad-remove");
        using var admin = factory.CreateAdminClient();

        var response = await admin.DeleteAsync($"/admin/tenants/devices-bad-remove/devices/{aeTitle}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("modality", "ct", "modality")]
    [InlineData("host", "ct.hospital.example", "host")]
    [InlineData("displayName", "", "display name")]
    public async Task RegisterDevice_BadField_Answers400WithTheField(string field, string value, string expected)
    {
        await factory.CreateTenantAsync("devices-bad-field");
        using var admin = factory.CreateAdminClient();
        var request = new Dictionary<string, string> { ["aeTitle"] = "CT1", ["displayName"] = "CT", [field] = value };

        var response = await admin.PostAsJsonAsync("/admin/tenants/devices-bad-field/devices", request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(expected, body.RootElement.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact] // S3.2, S7.4: a tenant that does not exist answers 404 on every device endpoint
    public async Task Devices_UnknownTenant_Answers404_S3_2()
    {
        using var admin = factory.CreateAdminClient();

        var post = await admin.PostAsJsonAsync("/admin/tenants/devices-nobody/devices", new { aeTitle = "CT1", displayName = "CT" });
        var get = await admin.GetAsync("/admin/tenants/devices-nobody/devices");
        var delete = await admin.DeleteAsync("/admin/tenants/devices-nobody/devices/CT1");
        var badId = await admin.GetAsync("/admin/tenants/NOT_A_TENANT/devices");

        Assert.All(new[] { post, get, delete, badId }, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.All(new[] { post, get, delete, badId }, r => Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType));
    }

    [Fact] // S3.2: another hospital's edge token reads its own list, never this one; S3.1: a token cannot use the admin endpoints
    public async Task Devices_OtherTenantsToken_SeesOnlyItsOwnList_AdminEndpoints401_S3_2()
    {
        await factory.CreateTenantAsync("devices-a");
        await factory.CreateTenantAsync("devices-b");
        using var admin = factory.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/admin/tenants/devices-a/devices", new { aeTitle = "CT-A", displayName = "CT" })).StatusCode);
        var (_, tokenB) = await factory.CreateTokenAsync("devices-b", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var b = factory.CreateClient(tokenB);

        var own = await ListAsync(b, "/edge/devices");
        var read = await b.GetAsync("/admin/tenants/devices-a/devices");
        var write = await b.PostAsJsonAsync("/admin/tenants/devices-a/devices", new { aeTitle = "EVIL", displayName = "Evil" });
        var delete = await b.DeleteAsync("/admin/tenants/devices-a/devices/CT-A");

        Assert.Empty(own);
        await AdminApiTests.AssertUnauthorizedAsync(read);
        await AdminApiTests.AssertUnauthorizedAsync(write);
        await AdminApiTests.AssertUnauthorizedAsync(delete);
        Assert.Equal(["CT-A|CT||"], await ListAsync(admin, "/admin/tenants/devices-a/devices"));
    }

    [Fact] // S3.1: a read-only token may not read the allow-list (only the edge's write token may)
    public async Task EdgeDevices_ReadOnlyToken_Answers403_S3_1()
    {
        await factory.CreateTenantAsync("devices-readonly");
        var (_, token) = await factory.CreateTokenAsync("devices-readonly", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);

        var response = await client.GetAsync("/edge/devices");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact] // S2.5: no credential, no list
    public async Task EdgeDevices_WithoutToken_Answers401_S2_5()
    {
        using var client = factory.CreateClient();

        await AdminApiTests.AssertUnauthorizedAsync(await client.GetAsync("/edge/devices"));
    }

    private static async Task<List<string>> ListAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("devices").EnumerateArray().Select(d =>
            $"{d.GetProperty("aeTitle").GetString()}|{d.GetProperty("displayName").GetString()}|{d.GetProperty("modality").GetString()}|{d.GetProperty("host").GetString()}")];
    }
}
