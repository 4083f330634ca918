using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;

namespace OrleansImaging.Api.Tests.Archive;

/// <summary>
/// Archive compression as a hospital sees it: with JPEG-LS chosen, uncompressed images are replaced in the background
/// by JPEG-LS objects whose pixels dcmtk decodes to the originals; lossy and non-image objects stay as they are; the
/// original sent again is still a repeat, not a conflict; an image that cannot be compressed is recorded with its
/// reason and kept.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ArchiveCompressionTests(ApiFactory factory)
{
    private const string JpegLs = "1.2.840.10008.1.2.4.80";

    [Fact]
    public async Task JpegLsTenant_UncompressedImagesBecomeJpegLs_PixelsIdenticalPerDcmdjpls_OriginalsGone_RepeatIsNotAConflict()
    {
        using var client = await TenantAsync("archive-jls", "jpeg-ls");
        var series = SyntheticCt.Series(3, size: 128);
        var lossy = await File.ReadAllBytesAsync(PydicomCorpus.TestFile("SC_rgb_jpeg_dcmtk.dcm"));
        await StoreAsync(client, [.. series.Select(s => s.Bytes)]);
        await StoreAsync(client, lossy);
        var study = series[0].StudyInstanceUid;

        await WaitForAsync(client, study, status => status.GetProperty("compressed").GetInt32() == 3 && status.GetProperty("pending").GetInt32() == 0);

        foreach (var instance in series)
        {
            var (contentType, stored) = await RetrieveAsync(client, instance.StudyInstanceUid, instance.SeriesInstanceUid, instance.SopInstanceUid);
            Assert.Contains(JpegLs, contentType, StringComparison.Ordinal);
            Assert.Equal(JpegLs, DicomFile.Parse(stored).TransferSyntax.Uid);
            Assert.Equal(Dcmtk.PixelData(instance.Bytes), Dcmtk.PixelData(Dcmtk.DecodeJpegLs(stored)));
            Assert.True(stored.Length < instance.Bytes.Length + 4096);
        }
        var metadata = JsonDocument.Parse(await client.GetStringAsync($"/dicomweb/studies/{study}/metadata"));
        Assert.All(metadata.RootElement.EnumerateArray(), m => Assert.Equal(JpegLs, m.GetProperty("00020010").GetProperty("Value")[0].GetString()));
        // One object per instance is left: the originals were deleted after the swap.
        Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "blobs", "archive-jls", study), "*.dcm").Count());
        // The lossy JPEG stays exactly as received.
        var lossyFile = DicomFile.Parse(lossy);
        var (_, lossyStored) = await RetrieveAsync(client, lossyFile.Dataset.Get<string>(DicomTag.StudyInstanceUID), lossyFile.Dataset.Get<string>(DicomTag.SeriesInstanceUID), lossyFile.Dataset.Get<string>(DicomTag.SOPInstanceUID));
        Assert.Equal(SHA256.HashData(lossy), SHA256.HashData(lossyStored));
        // The original sent again is recognised (its hash is kept beside the compressed one's).
        using var again = await client.PostAsync("/dicomweb/studies", MultipartRelated.Content([series[0].Bytes]));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task AsReceivedTenant_NothingIsCompressed()
    {
        using var client = await TenantAsync("archive-none", "as-received");
        var instance = SyntheticCt.Series(1)[0];
        await StoreAsync(client, instance.Bytes);

        using var status = JsonDocument.Parse(await client.GetStringAsync($"/studies/{instance.StudyInstanceUid}/archive"));

        Assert.Equal(0, status.RootElement.GetProperty("pending").GetInt32());
        Assert.Equal(0, status.RootElement.GetProperty("compressed").GetInt32());
        var (_, stored) = await RetrieveAsync(client, instance.StudyInstanceUid, instance.SeriesInstanceUid, instance.SopInstanceUid);
        Assert.Equal(SHA256.HashData(instance.Bytes), SHA256.HashData(stored));
    }

    [Fact]
    public async Task ImageThatCannotBeCompressed_FailureRecordedWithReason_OriginalKept_OthersStillCompressed()
    {
        using var client = await TenantAsync("archive-broken", "jpeg-ls");
        var good = SyntheticCt.Series(1, size: 64)[0];
        // Pixel Data shorter than Rows × Columns × 2 says: GDCM cannot encode what is not there.
        var broken = DicomFile.Parse(SyntheticCt.Instance(good.StudyInstanceUid, good.SeriesInstanceUid, 2, size: 64).Bytes);
        broken.Dataset.AddOrUpdate(new DicomElement(DicomTag.PixelData, DicomVR.OW, new byte[64 * 10]));
        var brokenBytes = Save(broken);
        await StoreAsync(client, good.Bytes, brokenBytes);

        var status = await WaitForAsync(client, good.StudyInstanceUid, s => s.GetProperty("failed").GetArrayLength() == 1 && s.GetProperty("compressed").GetInt32() == 1);

        var failure = status.GetProperty("failed")[0];
        Assert.Equal(broken.Dataset.Get<string>(DicomTag.SOPInstanceUID), failure.GetProperty("sopInstanceUid").GetString());
        Assert.False(string.IsNullOrWhiteSpace(failure.GetProperty("error").GetString()));
        var (_, kept) = await RetrieveAsync(client, good.StudyInstanceUid, good.SeriesInstanceUid, broken.Dataset.Get<string>(DicomTag.SOPInstanceUID));
        Assert.Equal(SHA256.HashData(brokenBytes), SHA256.HashData(kept));
    }

    [Fact]
    public async Task ArchiveSetting_UnknownName400_DoctorsCannotSeeAnotherTenantsArchiveStatus_S3_2()
    {
        using var client = await TenantAsync("archive-guard", "jpeg2000");
        using var admin = factory.CreateAdminClient();
        using var bad = await admin.PostAsJsonAsync("/admin/tenants/archive-guard/archive", new { compression = "zip" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var instance = SyntheticCt.Series(1)[0];
        await StoreAsync(client, instance.Bytes);
        using var other = await TenantAsync("archive-guard-other", "as-received");

        using var hidden = await other.GetAsync($"/studies/{instance.StudyInstanceUid}/archive");
        using var missing = await other.GetAsync($"/studies/{SyntheticCt.NewUid()}/archive");

        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<HttpClient> TenantAsync(string tenant, string compression)
    {
        await factory.CreateTenantAsync(tenant);
        using (var admin = factory.CreateAdminClient())
        {
            using var set = await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/archive", new { compression });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            using var body = JsonDocument.Parse(await set.Content.ReadAsStringAsync());
            Assert.Equal(compression, body.RootElement.GetProperty("compression").GetString());
        }
        var (_, token) = await factory.CreateTokenAsync(tenant, Scopes.DicomwebRead, Scopes.DicomwebWrite);
        return factory.CreateClient(token);
    }

    private static async Task StoreAsync(HttpClient client, params byte[][] parts)
    {
        using var response = await client.PostAsync("/dicomweb/studies", MultipartRelated.Content(parts));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient client, string study, Func<JsonElement, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = JsonDocument.Parse(await client.GetStringAsync($"/studies/{study}/archive")).RootElement;
            if (done(status))
                return status;
            if (clock.Elapsed > TimeSpan.FromSeconds(90))
                Assert.Fail("Archive compression did not finish: " + status);
            await Task.Delay(200);
        }
    }

    private static async Task<(string ContentType, byte[] Body)> RetrieveAsync(HttpClient client, string study, string series, string sop)
    {
        using var response = await client.GetAsync($"/dicomweb/studies/{study}/series/{series}/instances/{sop}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var part = Assert.Single(MultipartRelated.Parse(response.Content.Headers.ContentType!.ToString(), await response.Content.ReadAsByteArrayAsync()));
        return (part.ContentType ?? "", part.Body);
    }

    private static byte[] Save(DicomFile file)
    {
        using var stream = new MemoryStream();
        file.Save(stream);
        return stream.ToArray();
    }
}
