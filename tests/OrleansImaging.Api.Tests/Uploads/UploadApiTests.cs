using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;
using static OrleansImaging.Api.Tests.Uploads.TusTestClient;

namespace OrleansImaging.Api.Tests.Uploads;

/// <summary>
/// The resumable upload protocol (tus 1.0 with our whole-object SHA-256): chunks, offsets, resuming after a cut, the
/// hash check before ingest, termination, who may touch an upload, and the bad requests.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class UploadApiTests(ApiFactory factory)
{
    [Fact]
    public async Task Options_AdvertisesTusVersionExtensionsAndSha256()
    {
        using var client = await ClientAsync("tus-options");

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/uploads"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", Header(response, "Tus-Version"));
        Assert.Equal("1.0.0", Header(response, "Tus-Resumable"));
        Assert.Contains("checksum", Header(response, "Tus-Extension")!.Split(','));
        Assert.Contains("termination", Header(response, "Tus-Extension")!.Split(','));
        Assert.Equal("sha256", Header(response, "Tus-Checksum-Algorithm"));
        Assert.True(long.Parse(Header(response, "Tus-Max-Size")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Upload_InThreeChunks_OffsetsAdvance_LastChunkIngests_RetrievedByteIdentical()
    {
        using var client = await ClientAsync("tus-chunks");
        var bytes = File.ReadAllBytes(PydicomCorpus.TestFile("CT_small.dcm"));
        var file = DicomFile.Parse(bytes);

        var location = await CreateAsync(client, bytes);
        using (var head = await client.SendAsync(Head(location)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(0, Offset(head));
            Assert.Equal(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(head, "Upload-Length"));
            Assert.Equal("receiving", Header(head, "Imaging-Upload-Status"));
            Assert.NotNull(Header(head, "Upload-Expires"));
            Assert.Equal("no-store", head.Headers.CacheControl?.ToString());
        }
        var third = bytes.Length / 3;
        long offset = 0;
        foreach (var end in new[] { third, 2 * third })
        {
            using var patch = await client.SendAsync(Patch(location, offset, bytes[(int)offset..end], withChecksum: true));
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
            Assert.Equal(end, Offset(patch));
            offset = end;
            using var head = await client.SendAsync(Head(location));
            Assert.Equal(end, Offset(head));
        }
        Assert.Empty(await InstancesAsync(client)); // nothing is ingested before the last byte

        using var last = await client.SendAsync(Patch(location, offset, bytes[(int)offset..]));

        Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
        Assert.Equal(bytes.Length, Offset(last));
        Assert.Equal("ingested", Header(last, "Imaging-Upload-Status"));
        Assert.Equal("200", Header(last, "Imaging-Stow-Status"));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await RetrieveAsync(client, file)));
        using var status = JsonDocument.Parse(await client.GetStringAsync(location));
        Assert.Equal("ingested", status.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, status.RootElement.GetProperty("outcome").GetProperty("referenced").GetInt32());
        Assert.Equal("片子 1.dcm", status.RootElement.GetProperty("fileName").GetString());
        Assert.Empty(ChunkFiles("tus-chunks")); // the chunks are removed once ingested
    }

    [Fact]
    public async Task Upload_MultipartBodyOfThreeInstances_AllIngestedOnce_RepeatedCompletionAddsNothing()
    {
        using var client = await ClientAsync("tus-multipart");
        var instances = SyntheticCt.Series(3);
        var (body, contentType) = Multipart([.. instances.Select(i => i.Bytes)]);
        var location = await CreateAsync(client, body, contentType);

        using var patch = await client.SendAsync(Patch(location, 0, body));
        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        Assert.Equal("200", Header(patch, "Imaging-Stow-Status"));
        // A client that lost the answer completes again with an empty PATCH at the end.
        using var again = await client.SendAsync(Patch(location, body.Length, []));

        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal("ingested", Header(again, "Imaging-Upload-Status"));
        var listed = await InstancesAsync(client);
        Assert.Equal(instances.Select(i => i.SopInstanceUid).Order(), listed.Order());
        Assert.Equal("0", Header(again, "Imaging-Already-Stored"));
        // The same instances in a new upload: kept, and reported as already present.
        var repeat = await CreateAsync(client, body, contentType);
        using var repeated = await client.SendAsync(Patch(repeat, 0, body));
        Assert.Equal("200", Header(repeated, "Imaging-Stow-Status"));
        Assert.Equal("3", Header(repeated, "Imaging-Already-Stored"));
        foreach (var instance in instances)
            Assert.Equal(SHA256.HashData(instance.Bytes), SHA256.HashData(await RetrieveAsync(client, DicomFile.Parse(instance.Bytes))));
    }

    [Fact]
    public async Task Patch_OffsetOtherThanCommitted_409AndNothingChanges()
    {
        using var client = await ClientAsync("tus-offset");
        var bytes = SyntheticCt.Series(1)[0].Bytes;
        var location = await CreateAsync(client, bytes);
        using (var first = await client.SendAsync(Patch(location, 0, bytes[..1000])))
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);

        using var behind = await client.SendAsync(Patch(location, 0, bytes[..1000]));
        using var ahead = await client.SendAsync(Patch(location, 2000, bytes[2000..3000]));

        Assert.Equal(HttpStatusCode.Conflict, behind.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, ahead.StatusCode);
        Assert.Contains("1000", await ahead.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var head = await client.SendAsync(Head(location));
        Assert.Equal(1000, Offset(head));
    }

    [Fact]
    public async Task Patch_ChunkChecksumMismatch_460ChunkDiscarded_ThenTheRightChunkIsTaken()
    {
        using var client = await ClientAsync("tus-checksum");
        var bytes = SyntheticCt.Series(1)[0].Bytes;
        var location = await CreateAsync(client, bytes);
        var corrupted = bytes[..4096];
        corrupted[100] ^= 0xFF;

        using var bad = await client.SendAsync(Patch(location, 0, new ByteArrayContent(corrupted), checksumOf: bytes[..4096]));

        Assert.Equal(460, (int)bad.StatusCode);
        using (var head = await client.SendAsync(Head(location)))
            Assert.Equal(0, Offset(head));
        Assert.Empty(ChunkFiles("tus-checksum"));
        using var good = await client.SendAsync(Patch(location, 0, bytes[..4096], withChecksum: true));
        Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
        Assert.Equal(4096, Offset(good));
    }

    [Fact]
    public async Task Complete_WholeObjectHashDiffersFromDeclared_460NothingStoredUploadRemoved()
    {
        using var client = await ClientAsync("tus-whole-hash");
        var bytes = SyntheticCt.Series(1)[0].Bytes;
        var declared = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var sent = (byte[])bytes.Clone();
        sent[^10] ^= 0x01; // a pixel bit flipped on the way: still valid DICOM
        using var create = await client.SendAsync(Create(sent, declaredSha256: declared));
        var location = create.Headers.Location!.PathAndQuery;

        using var patch = await client.SendAsync(Patch(location, 0, sent));

        Assert.Equal(460, (int)patch.StatusCode);
        Assert.Contains("SHA-256", await patch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await InstancesAsync(client));
        Assert.Empty(StoredObjects("tus-whole-hash"));
        using var head = await client.SendAsync(Head(location));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Complete_NotDicom_OutcomeSaysCannotUnderstandAndNothingIsStored()
    {
        using var client = await ClientAsync("tus-not-dicom");
        var bytes = "this is not a DICOM file at all, just text that a CD might hold"u8.ToArray();
        var location = await CreateAsync(client, bytes);

        using var patch = await client.SendAsync(Patch(location, 0, bytes));

        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        Assert.Equal("409", Header(patch, "Imaging-Stow-Status"));
        using var status = JsonDocument.Parse(await client.GetStringAsync(location));
        var failed = status.RootElement.GetProperty("outcome").GetProperty("failed");
        Assert.Equal("C000", failed[0].GetProperty("reason").GetString());
        Assert.Empty(StoredObjects("tus-not-dicom"));
    }

    [Fact]
    public async Task Complete_UploadBoundToAStudy_InstanceOfAnotherStudyFailsA900()
    {
        using var client = await ClientAsync("tus-study");
        var bytes = SyntheticCt.Series(1)[0].Bytes;
        using var create = await client.SendAsync(Create(bytes, study: SyntheticCt.NewUid()));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var location = create.Headers.Location!.PathAndQuery;

        using var patch = await client.SendAsync(Patch(location, 0, bytes));

        Assert.Equal("409", Header(patch, "Imaging-Stow-Status"));
        using var status = JsonDocument.Parse(await client.GetStringAsync(location));
        Assert.Equal("A900", status.RootElement.GetProperty("outcome").GetProperty("failed")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Delete_TerminatesTheUploadAndRemovesItsChunks()
    {
        using var client = await ClientAsync("tus-delete");
        var bytes = SyntheticCt.Series(1)[0].Bytes;
        var location = await CreateAsync(client, bytes);
        using (var patch = await client.SendAsync(Patch(location, 0, bytes[..2048])))
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        Assert.NotEmpty(ChunkFiles("tus-delete"));

        using var delete = await client.SendAsync(Delete(location));

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Empty(ChunkFiles("tus-delete"));
        using var head = await client.SendAsync(Head(location));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Upload_OfAnotherTenantOrAnotherToken_404LikeOneThatDoesNotExist_S3_2()
    {
        using var owner = await ClientAsync("tus-owner");
        using var otherTenant = await ClientAsync("tus-intruder");
        var (_, sameTenantToken) = await factory.CreateTokenAsync("tus-owner", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var sameTenantOtherToken = factory.CreateClient(sameTenantToken);
        var bytes = SyntheticCt.Series(1)[0].Bytes;
        var location = await CreateAsync(owner, bytes);
        var missing = "/uploads/" + Guid.NewGuid().ToString("N");

        foreach (var intruder in new[] { otherTenant, sameTenantOtherToken })
        {
            using var head = await intruder.SendAsync(Head(location));
            using var patch = await intruder.SendAsync(Patch(location, 0, bytes));
            using var get = await intruder.GetAsync(location);
            using var delete = await intruder.SendAsync(Delete(location));
            using var unknown = await intruder.GetAsync(missing);
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
            Assert.Equal(await DetailAsync(unknown), await DetailAsync(get));
        }
        using var ownerHead = await owner.SendAsync(Head(location));
        Assert.Equal(0, Offset(ownerHead)); // nothing the intruders sent was taken
    }

    [Fact]
    public async Task Create_ReadOnlyToken403_NoToken401_S3_1()
    {
        await factory.CreateTenantAsync("tus-readonly");
        var (_, readOnly) = await factory.CreateTokenAsync("tus-readonly", Scopes.DicomwebRead);
        using var reader = factory.CreateClient(readOnly);
        using var anonymous = factory.CreateClient();
        var bytes = SyntheticCt.Series(1)[0].Bytes;

        using var forbidden = await reader.SendAsync(Create(bytes));
        using var unauthenticated = await anonymous.SendAsync(Create(bytes));

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    [Theory]
    [InlineData("no Tus-Resumable", 412)]
    [InlineData("Tus-Resumable 0.2.2", 412)]
    [InlineData("no Upload-Length", 400)]
    [InlineData("Upload-Length -5", 400)]
    [InlineData("Upload-Length abc", 400)]
    [InlineData("Upload-Length 0", 400)]
    [InlineData("Upload-Length huge", 413)]
    [InlineData("Upload-Defer-Length", 400)]
    [InlineData("no sha256", 400)]
    [InlineData("sha256 upper case", 400)]
    [InlineData("metadata not base64", 400)]
    [InlineData("metadata key twice", 400)]
    [InlineData("contentType text/plain", 400)]
    [InlineData("multipart without boundary", 400)]
    [InlineData("study not a UID", 400)]
    [InlineData("body on creation", 400)]
    public async Task Create_BadRequest_ClearStatusAndProblem(string what, int expected)
    {
        using var client = await ClientAsync("tus-bad-create");
        var sha = Convert.ToHexStringLower(SHA256.HashData([1, 2, 3]));
        var request = new HttpRequestMessage(HttpMethod.Post, "/uploads");
        if (what != "no Tus-Resumable")
            request.Headers.Add("Tus-Resumable", what == "Tus-Resumable 0.2.2" ? "0.2.2" : "1.0.0");
        var length = what switch
        {
            "no Upload-Length" => null,
            "Upload-Length -5" => "-5",
            "Upload-Length abc" => "abc",
            "Upload-Length 0" => "0",
            "Upload-Length huge" => "99999999999999",
            _ => "3",
        };
        if (length is not null)
            request.Headers.TryAddWithoutValidation("Upload-Length", length);
        if (what == "Upload-Defer-Length")
            request.Headers.Add("Upload-Defer-Length", "1");
        var metadata = what switch
        {
            "no sha256" => "contentType " + B64("application/dicom"),
            "sha256 upper case" => "sha256 " + B64(sha.ToUpperInvariant()),
            "metadata not base64" => "sha256 !!!notbase64",
            "metadata key twice" => $"sha256 {B64(sha)},sha256 {B64(sha)}",
            "contentType text/plain" => $"sha256 {B64(sha)},contentType {B64("text/plain")}",
            "multipart without boundary" => $"sha256 {B64(sha)},contentType {B64("multipart/related; type=\"application/dicom\"")}",
            "study not a UID" => $"sha256 {B64(sha)},study {B64("../etc")}",
            _ => "sha256 " + B64(sha),
        };
        request.Headers.TryAddWithoutValidation("Upload-Metadata", metadata);
        if (what == "body on creation")
            request.Content = new ByteArrayContent([1, 2, 3]);

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, (int)response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_BadRequests_ClearStatusAndOffsetUnchanged()
    {
        using var client = await ClientAsync("tus-bad-patch");
        var bytes = SyntheticCt.Series(1)[0].Bytes;
        var location = await CreateAsync(client, bytes);

        var wrongType = Patch(location, 0, bytes[..100]);
        wrongType.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/dicom");
        var noOffset = Patch(location, 0, bytes[..100]);
        noOffset.Headers.Remove("Upload-Offset");
        var badChecksum = Patch(location, 0, bytes[..100]);
        badChecksum.Headers.Add("Upload-Checksum", "md5 AAAA");
        var tooLong = Patch(location, 0, [.. bytes, 1, 2, 3]);

        using var r1 = await client.SendAsync(wrongType);
        using var r2 = await client.SendAsync(noOffset);
        using var r3 = await client.SendAsync(badChecksum);
        using var r4 = await client.SendAsync(tooLong);
        using var r5 = await client.SendAsync(Patch("/uploads/not-an-id", 0, bytes[..100]));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, r1.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, r2.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, r3.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r4.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, r5.StatusCode);
        using var head = await client.SendAsync(Head(location));
        Assert.Equal(0, Offset(head));
        Assert.Empty(ChunkFiles("tus-bad-patch"));
    }

    private async Task<HttpClient> ClientAsync(string tenant)
    {
        await factory.CreateTenantAsync(tenant);
        var (_, token) = await factory.CreateTokenAsync(tenant, Scopes.DicomwebRead, Scopes.DicomwebWrite);
        return factory.CreateClient(token);
    }

    private static async Task<string> CreateAsync(HttpClient client, byte[] body, string contentType = "application/dicom")
    {
        using var response = await client.SendAsync(Create(body, contentType));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("1.0.0", Header(response, "Tus-Resumable"));
        var location = response.Headers.Location!;
        Assert.Matches("^/uploads/[0-9a-f]{32}$", location.AbsolutePath);
        return location.PathAndQuery;
    }

    private static async Task<List<string>> InstancesAsync(HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("/dicomweb/instances"));
        return [.. json.RootElement.EnumerateArray().Select(i => i.GetProperty("00080018").GetProperty("Value")[0].GetString()!)];
    }

    private static async Task<byte[]> RetrieveAsync(HttpClient client, DicomFile file)
    {
        var url = $"/dicomweb/studies/{file.Dataset.Get<string>(DicomTag.StudyInstanceUID)}/series/{file.Dataset.Get<string>(DicomTag.SeriesInstanceUID)}/instances/{file.Dataset.Get<string>(DicomTag.SOPInstanceUID)}";
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parts = MultipartRelated.Parse(response.Content.Headers.ContentType!.ToString(), await response.Content.ReadAsByteArrayAsync());
        return Assert.Single(parts).Body;
    }

    private IEnumerable<string> ChunkFiles(string tenant)
    {
        var folder = Path.Combine(factory.DataDirectory, "blobs", tenant, "uploads");
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.part", SearchOption.AllDirectories) : [];
    }

    private IEnumerable<string> StoredObjects(string tenant)
    {
        var folder = Path.Combine(factory.DataDirectory, "blobs", tenant);
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.dcm", SearchOption.AllDirectories)
            : [];
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("status").GetInt32() + " " + problem.RootElement.GetProperty("detail").GetString();
    }

    private static string B64(string value) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value));
}
