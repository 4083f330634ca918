using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrleansImaging.Api.Hosting;

namespace OrleansImaging.Api.Tests.Hosting;

[Collection(ApiCollection.Name)]
public sealed class ApiHostTests(ApiFactory factory)
{
    private readonly ApiFactory _factory = factory;

    [Fact]
    public async Task Healthz_Started_Answers200()
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Health_SiloNotActive_Answers503()
    {
        var result = ImagingHostExtensions.Health(new SiloReadiness());

        var problem = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>(result.Result);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void DataDirectory_IsOwnerOnly_S1_1() =>
        // Blobs, the catalogue and grain state (password and token hashes) are created inside it with the umask's 0644.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_factory.DataDirectory));

    [Fact]
    public void CoHostedSilo_OpensNoClientGateway_S2_1_S2_5()
    {
        // The api calls grains in-process; an open gateway would take grain calls from any local process.
        var endpoints = _factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.EndpointOptions>>().Value;

        Assert.Equal(0, endpoints.GatewayPort);
        Assert.Equal(IPAddress.Loopback, endpoints.AdvertisedIPAddress);
    }

    [Fact]
    public async Task AnyResponse_HasNoFingerprintHeaders_S1_2()
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync("/healthz");

        Assert.False(response.Headers.Contains("Server"));
        Assert.False(response.Headers.Contains("X-Powered-By"));
        Assert.Equal("nosniff", string.Join("", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task UnknownRoute_Anonymous_Is401WithoutMappingTheApplication_S1_3_S7_2()
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync("/no/such/thing");

        // The fallback policy needs a token everywhere but /healthz: anonymous callers learn no route map.
        await OrleansImaging.Api.Tests.Apis.AdminApiTests.AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task UnknownRoute_IsProblemDetailsWithoutInternals_S1_7()
    {
        await _factory.CreateTenantAsync("host-tests");
        using var client = _factory.CreateClient((await _factory.CreateTokenAsync("host-tests", "dicomweb:read")).Token);

        var response = await client.GetAsync("/no/such/thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, body.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Trace_IsNotAllowed_S2_6()
    {
        await _factory.CreateTenantAsync("host-tests");
        using var client = _factory.CreateClient((await _factory.CreateTokenAsync("host-tests", "dicomweb:read")).Token);

        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Trace, "/healthz"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
