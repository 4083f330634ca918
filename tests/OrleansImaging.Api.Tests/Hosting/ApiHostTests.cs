using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OrleansImaging.Api.Tests.Hosting;

public sealed class ApiHostTests : IClassFixture<ApiHostTests.Factory>
{
    private readonly Factory _factory;

    public ApiHostTests(Factory factory) => _factory = factory;

    [Fact]
    public async Task Healthz_Started_Answers200()
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", await response.Content.ReadAsStringAsync());
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
    public async Task UnknownRoute_IsProblemDetailsWithoutInternals_S1_7()
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync("/no/such/thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, body.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Trace_IsNotAllowed_S2_6()
    {
        using var client = _factory.CreateClient();

        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Trace, "/healthz"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    public sealed class Factory : WebApplicationFactory<Program>
    {
        private readonly string _data = Directory.CreateTempSubdirectory("imaging-api-").FullName;

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
            builder.UseSetting("IMAGING_DATA", _data).UseSetting("IMAGING_URLS", "http://127.0.0.1:0");

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            Directory.Delete(_data, recursive: true);
        }
    }
}
