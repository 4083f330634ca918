using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Api.Tests.Apis;

/// <summary>DICOMweb errors are ProblemDetails that describe the request, never the server (no stack, exception type or path).</summary>
[Collection(ApiCollection.Name)]
public sealed class DicomwebProblemDetailsTests(ApiFactory factory)
{
    private const string UnknownStudy = "1.2.826.0.1.3680043.8.498.404404404";

    [Fact]
    public async Task ErrorAnswers_KeepTheSecurityHeaders_S2_7_S6_6()
    {
        await factory.CreateTenantAsync("problem-a");
        var (_, token) = await factory.CreateTokenAsync("problem-a", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);
        using var anonymous = factory.CreateClient();

        // A grain's NotFound (through the exception handler), a handler's own 400, and the authentication's 401.
        foreach (var response in new[]
        {
            await client.GetAsync($"/dicomweb/studies/{UnknownStudy}/metadata"),
            await client.GetAsync($"/dicomweb/studies/{UnknownStudy}/series/1.2.3/instances/1.2.3.4/frames/0"),
            await client.GetAsync("/dicomweb/studies?StudyDate=2024-01-01"),
            await anonymous.GetAsync("/dicomweb/studies"),
        })
        {
            Assert.True((int)response.StatusCode >= 400, $"{response.RequestMessage!.RequestUri} answered {response.StatusCode}");
            Assert.Equal("nosniff", string.Join("", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("DENY", string.Join("", response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("no-referrer", string.Join("", response.Headers.GetValues("Referrer-Policy")));
            Assert.True(response.Headers.CacheControl?.NoStore, $"{response.RequestMessage.RequestUri} is cacheable");
        }
    }

    [Theory]
    [InlineData("multipart/related; type=\"application/dicom\"")]
    [InlineData("image/jpeg")]
    [InlineData("application/octet-stream")]
    public async Task GrainNotFound_WithAnAcceptThatNamesNoJson_Still404ProblemNever500(string accept)
    {
        await factory.CreateTenantAsync("problem-accept");
        var (_, token) = await factory.CreateTokenAsync("problem-accept", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{UnknownStudy}/metadata");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.Equal(404, JsonDocument.Parse(text).RootElement.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/dicom+json")]
    [InlineData("application/json")]
    public async Task StudyMetadata_UnknownStudy_404ProblemWithoutStackTypeOrPath_S10_1(string? accept)
    {
        await factory.CreateTenantAsync("problem-a");
        var (_, token) = await factory.CreateTokenAsync("problem-a", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{UnknownStudy}/metadata");
        if (accept is not null)
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(
            ["detail", "status", "title", "traceId", "type"],
            problem.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        // "type" is the RFC's problem type URI, never an exception type.
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.5", problem.RootElement.GetProperty("type").GetString());
        foreach (var leak in new[] { "   at ", "Exception", "OrleansImaging.", ".cs", "/work/", "/tmp/", factory.DataDirectory, UnknownStudy })
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
    }
}
