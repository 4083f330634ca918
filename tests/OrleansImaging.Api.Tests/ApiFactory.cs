using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Mvc.Testing;
using OrleansImaging.Api.Hosting;

namespace OrleansImaging.Api.Tests;

/// <summary>
/// The real api with its co-hosted silo on a temporary IMAGING_DATA (SQLite grain state, catalogue, admin key),
/// shared by every test of the <see cref="ApiCollection"/>.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("imaging-api-").FullName;

    /// <summary>Settings a derived factory adds for its own tests (e.g. a small request limit).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraSettings => [];

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        builder.UseSetting("IMAGING_DATA", DataDirectory)
            .UseSetting("IMAGING_URLS", "http://127.0.0.1:0")
            .UseSetting("Imaging:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in ExtraSettings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>The admin key the running instance wrote.</summary>
    public string AdminKey => File.ReadAllText(Path.Combine(DataDirectory, OrleansImaging.Api.Hosting.AdminKey.FileName)).Trim();

    /// <summary>A client that presents the admin key.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    /// <summary>A client that presents <paramref name="bearer"/>.</summary>
    public HttpClient CreateClient(string bearer)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>Creates a tenant through the admin endpoint.</summary>
    public async Task CreateTenantAsync(string tenantId)
    {
        using var admin = CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/admin/tenants", new { tenantId, displayName = "Hospital " + tenantId });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Issues a token of <paramref name="tenantId"/> through the admin endpoint; returns (id, bearer value).</summary>
    public async Task<(string TokenId, string Token)> CreateTokenAsync(string tenantId, params string[] scopes)
    {
        using var admin = CreateAdminClient();
        var response = await admin.PostAsJsonAsync($"/admin/tenants/{tenantId}/tokens", new { scopes });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return (body.GetProperty("tokenId").GetString()!, body.GetProperty("token").GetString()!);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDirectory)) // both Dispose and DisposeAsync end here
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "Api";
}
