using OrleansImaging.Api.Tests.Peers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;

namespace OrleansImaging.Api.Tests.Apis;

/// <summary>STOW-RS with real DICOM files nobody here wrote (the pydicom corpus), then found by QIDO and WADO metadata.</summary>
[Collection(ApiCollection.Name)]
public sealed class DicomwebStoreApiTests(ApiFactory factory)
{
    private static readonly string[] Files = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm"];

    [Fact]
    public async Task Store_CorpusFiles_200ThenFoundByQidoAndMetadata_AndResendIsStillSuccess()
    {
        await factory.CreateTenantAsync("stow-a");
        var (_, token) = await factory.CreateTokenAsync("stow-a", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var client = factory.CreateClient(token);
        var parts = Files.Select(f => File.ReadAllBytes(Corpus(f))).ToArray();

        var first = await client.PostAsync("/dicomweb/studies", Multipart(parts));
        var again = await client.PostAsync("/dicomweb/studies", Multipart(parts));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        Assert.Equal(3, body.RootElement.GetProperty("00081199").GetProperty("Value").GetArrayLength());
        foreach (var bytes in parts)
        {
            var study = DicomFile.Parse(bytes).Dataset.Get<string>(DicomTag.StudyInstanceUID);
            using var found = JsonDocument.Parse(await client.GetStringAsync("/dicomweb/studies?StudyInstanceUID=" + study));
            Assert.Equal(1, found.RootElement.GetArrayLength());
            using var metadata = JsonDocument.Parse(await client.GetStringAsync($"/dicomweb/studies/{study}/metadata"));
            Assert.Equal(1, metadata.RootElement.GetArrayLength());
        }
    }

    [Fact]
    public async Task Store_WithAForgedHostHeader_StoredBulkDataUrisAndRetrieveUrlUseTheConfiguredAddress_S9_2()
    {
        // The Host header is the sender's to choose; what is stored from it would be served to every later reader of
        // the metadata, who might follow it with their token.
        await factory.CreateTenantAsync("stow-host");
        var (_, token) = await factory.CreateTokenAsync("stow-host", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var client = factory.CreateClient(token);
        var bytes = File.ReadAllBytes(Corpus("CT_small.dcm"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/dicomweb/studies") { Content = Multipart([bytes]) };
        request.Headers.Host = "evil.example";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = factory.Services.GetRequiredService<OrleansImaging.Api.Hosting.ImagingHostOptions>().DicomwebBaseUrl + "/studies/";
        var answer = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("evil.example", answer, StringComparison.Ordinal);
        Assert.Contains(expected, answer, StringComparison.Ordinal);
        var study = DicomFile.Parse(bytes).Dataset.Get<string>(DicomTag.StudyInstanceUID);
        var metadata = await client.GetStringAsync($"/dicomweb/studies/{study}/metadata");
        Assert.DoesNotContain("evil.example", metadata, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(metadata);
        var uri = json.RootElement[0].GetProperty("7FE00010").GetProperty("BulkDataURI").GetString();
        Assert.StartsWith(expected + study + "/", uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_NonDicomPartAmongGoodOnes_202WithFailedEntryAndTheOthersStored()
    {
        await factory.CreateTenantAsync("stow-a");
        var (_, token) = await factory.CreateTokenAsync("stow-a", Scopes.DicomwebWrite);
        using var client = factory.CreateClient(token);

        var response = await client.PostAsync("/dicomweb/studies", Multipart(File.ReadAllBytes(Corpus("MR_small.dcm")), "not dicom at all"u8.ToArray()));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, body.RootElement.GetProperty("00081199").GetProperty("Value").GetArrayLength());
        var failed = Assert.Single(body.RootElement.GetProperty("00081198").GetProperty("Value").EnumerateArray());
        Assert.Equal(0xC000, failed.GetProperty("00081197").GetProperty("Value")[0].GetInt32());
    }

    [Fact]
    public async Task Store_InstanceOfAnotherStudyThanTheUrl_409FailedEntry()
    {
        await factory.CreateTenantAsync("stow-a");
        var (_, token) = await factory.CreateTokenAsync("stow-a", Scopes.DicomwebWrite);
        using var client = factory.CreateClient(token);

        var response = await client.PostAsync("/dicomweb/studies/1.2.3.4.5.6", Multipart(File.ReadAllBytes(Corpus("CT_small.dcm"))));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(0xA900, body.RootElement.GetProperty("00081198").GetProperty("Value")[0].GetProperty("00081197").GetProperty("Value")[0].GetInt32());
    }

    [Fact]
    public async Task Store_ReadOnlyToken_403AndNothingWritten_S3_1()
    {
        await factory.CreateTenantAsync("stow-ro");
        var (_, token) = await factory.CreateTokenAsync("stow-ro", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);

        var blobs = Path.Combine(factory.DataDirectory, "blobs", "stow-ro");

        var response = await client.PostAsync("/dicomweb/studies", Multipart(File.ReadAllBytes(Corpus("CT_small.dcm"))));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(Directory.Exists(blobs) && Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Any(), "nothing may be written for a caller who may not store");
    }

    [Fact]
    public async Task Store_SameUidsAsAnotherHospitalsInstance_StoredInItsOwnTenantWithoutTouchingOrRevealingTheOther_S3_2()
    {
        await factory.CreateTenantAsync("stow-iso-a");
        await factory.CreateTenantAsync("stow-iso-b");
        var (_, tokenA) = await factory.CreateTokenAsync("stow-iso-a", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        var (_, tokenB) = await factory.CreateTokenAsync("stow-iso-b", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var clientA = factory.CreateClient(tokenA);
        using var clientB = factory.CreateClient(tokenB);
        var original = File.ReadAllBytes(Corpus("MR_small.dcm"));
        var forged = DicomFile.Parse(original);
        forged.Dataset.AddOrUpdate(DicomTag.PatientName, "Forged^Name");
        using var forgedBytes = new MemoryStream();
        forged.Save(forgedBytes);
        var study = forged.Dataset.Get<string>(DicomTag.StudyInstanceUID);

        var storedByB = await clientB.PostAsync("/dicomweb/studies", Multipart(original));
        // Same Study/Series/SOP UIDs, different content: a 409 here would tell hospital A that hospital B has them.
        var storedByA = await clientA.PostAsync("/dicomweb/studies", Multipart(forgedBytes.ToArray()));

        Assert.Equal(HttpStatusCode.OK, storedByB.StatusCode);
        Assert.Equal(HttpStatusCode.OK, storedByA.StatusCode);
        using var seenByB = JsonDocument.Parse(await clientB.GetStringAsync($"/dicomweb/studies/{study}/metadata"));
        using var seenByA = JsonDocument.Parse(await clientA.GetStringAsync($"/dicomweb/studies/{study}/metadata"));
        Assert.NotEqual("Forged^Name", PatientName(Assert.Single(seenByB.RootElement.EnumerateArray())));
        Assert.Equal("Forged^Name", PatientName(Assert.Single(seenByA.RootElement.EnumerateArray())));

        static string? PatientName(JsonElement instance) =>
            instance.GetProperty("00100010").GetProperty("Value")[0].GetProperty("Alphabetic").GetString();
    }

    [Fact]
    public async Task Store_WrongContentType_415()
    {
        await factory.CreateTenantAsync("stow-a");
        var (_, token) = await factory.CreateTokenAsync("stow-a", Scopes.DicomwebWrite);
        using var client = factory.CreateClient(token);

        var response = await client.PostAsync("/dicomweb/studies", new ByteArrayContent(File.ReadAllBytes(Corpus("CT_small.dcm")))
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/dicom") },
        });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("multipart/related; type=\"application/dicom\"", "--b\r\nContent-Type: application/dicom\r\n\r\nxx")]
    [InlineData("multipart/related; type=\"application/dicom\"; boundary=b", "--b\r\nContent-Type: application/dicom\r\n\r\nxxxx")]
    public async Task Store_MalformedMultipart_400(string contentType, string body)
    {
        await factory.CreateTenantAsync("stow-a");
        var (_, token) = await factory.CreateTokenAsync("stow-a", Scopes.DicomwebWrite);
        using var client = factory.CreateClient(token);
        var content = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await client.PostAsync("/dicomweb/studies", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string Corpus(string name) => PydicomCorpus.TestFile(name);

    private static MultipartContent Multipart(params byte[][] parts) => MultipartRelated.Content(parts);
}
