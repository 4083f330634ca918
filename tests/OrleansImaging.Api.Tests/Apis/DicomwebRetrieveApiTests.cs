using OrleansImaging.Api.Tests.Peers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Dicom.Json;
using MediaTypeHeaderValue = System.Net.Http.Headers.MediaTypeHeaderValue;
using NameValueHeaderValue = System.Net.Http.Headers.NameValueHeaderValue;

namespace OrleansImaging.Api.Tests.Apis;

/// <summary>
/// WADO-RS retrieval over HTTP with corpus files stored through STOW-RS: every expectation is bytes of the file
/// itself, or values our parser reads from it when loading everything, so a wrong offset or a lost byte fails.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DicomwebRetrieveApiTests(ApiFactory factory)
{
    private const string Tenant = "wado-a";

    /// <summary>Single and multi-frame, native (explicit, implicit, big endian) and encapsulated (RLE, JPEG 2000, JPEG), and a waveform.</summary>
    public static TheoryData<string> Files() =>
        ["CT_small.dcm", "rtdose.dcm", "MR_small_bigendian.dcm", "SC_rgb_rle_2frame.dcm", "JPEG2000.dcm", "SC_rgb_jpeg_dcmtk.dcm", "waveform_ecg.dcm"];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task RetrieveInstance_StoredCorpusFile_OnePartByteForByteWithStoredSyntax(string name)
    {
        var bytes = Corpus(name);
        using var client = await ReaderAsync(bytes);
        var file = DicomFile.Parse(bytes);

        var response = await client.GetAsync(InstanceUrl(file));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("multipart/related", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "type" && p.Value == "\"application/dicom\"");
        var part = Assert.Single(await PartsAsync(response));
        Assert.Equal($"application/dicom; transfer-syntax={file.TransferSyntax.Uid}", part.ContentType);
        Assert.Equal(Sha256(bytes), Sha256(part.Body));
    }

    [Fact]
    public async Task RetrieveStudyAndSeries_SeveralInstancesAndSyntaxes_EveryPartInStoredOrder()
    {
        var study = NewUid();
        var ct = Enumerable.Range(1, 3).Select(n => Relabel(Corpus("CT_small.dcm"), study, study + ".1", $"{study}.1.{n}")).ToArray();
        var j2k = Relabel(Corpus("JPEG2000.dcm"), study, study + ".2", study + ".2.1");
        using var client = await ReaderAsync([.. ct, j2k]);

        var studyParts = await PartsAsync(await client.GetAsync($"/dicomweb/studies/{study}"));
        var seriesParts = await PartsAsync(await client.GetAsync($"/dicomweb/studies/{study}/series/{study}.1"));

        Assert.Equal([.. ct.Select(Sha256), Sha256(j2k)], studyParts.Select(p => Sha256(p.Body)));
        Assert.Equal(ct.Select(Sha256), seriesParts.Select(p => Sha256(p.Body)));
        Assert.Equal($"application/dicom; transfer-syntax={DicomFile.Parse(j2k).TransferSyntax.Uid}", studyParts[3].ContentType);
        var mixed = await GetAsync(client, $"/dicomweb/studies/{study}", "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1");
        Assert.Equal(HttpStatusCode.NotAcceptable, mixed.StatusCode);
        var any = await GetAsync(client, $"/dicomweb/studies/{study}", "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
        Assert.Equal(4, (await PartsAsync(any)).Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("*/*")]
    [InlineData("multipart/related; type=\"application/dicom\"")]
    [InlineData("multipart/related; type=application/dicom; transfer-syntax=*")]
    [InlineData("multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1")]
    [InlineData("application/json;q=0.9, multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.50, */*;q=0.1")]
    public async Task RetrieveInstance_AcceptableAsStored_200(string? accept)
    {
        var bytes = Corpus("CT_small.dcm"); // explicit VR little endian
        using var client = await ReaderAsync(bytes);

        var response = await GetAsync(client, InstanceUrl(DicomFile.Parse(bytes)), accept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Sha256(bytes), Sha256(Assert.Single(await PartsAsync(response)).Body));
    }

    [Theory]
    [InlineData("multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.50", "transcoding")]
    [InlineData("multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2", "transcoding")]
    [InlineData("application/json", "multipart/related")]
    [InlineData("application/dicom", "multipart/related")]
    [InlineData("multipart/related; type=\"image/jpeg\"", "multipart/related")]
    [InlineData("*/*;q=0", "multipart/related")]
    public async Task RetrieveInstance_NotAcceptable_406Problem(string accept, string detail)
    {
        var bytes = Corpus("CT_small.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await GetAsync(client, InstanceUrl(DicomFile.Parse(bytes)), accept);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Metadata_EveryBulkDataUri_ServesTheValueOurParserReads(string name)
    {
        var bytes = Corpus(name);
        using var client = await ReaderAsync(bytes);
        var file = DicomFile.Parse(bytes);
        var uris = BulkDataUris(await InstanceMetadataAsync(client, file));

        if (file.Dataset.Contains(DicomTag.PixelData))
        {
            var pixel = Assert.Single(uris, u => u.Path.ToString() == "7FE00010");
            Assert.Equal(file.Dataset.GetAttribute(DicomTag.PixelData) is DicomFragmentSequence ? "OB" : file.Dataset.GetAttribute(DicomTag.PixelData).VR.Code(), pixel.VR);
            Assert.EndsWith($"{InstanceUrl(file)}/bulk/7FE00010", pixel.Uri, StringComparison.Ordinal);
        }
        Assert.NotEmpty(uris);
        foreach (var (path, _, uri) in uris)
        {
            var response = await client.GetAsync(new Uri(uri).PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("multipart/related", response.Content.Headers.ContentType?.MediaType);
            var parts = await PartsAsync(response);
            Assert.Equal(Expected(file, path), parts.Select(p => p.Body));
        }
    }

    [Fact]
    public async Task InstanceMetadata_OneObject_TheInstanceOfItsSeriesMetadata()
    {
        var study = NewUid();
        var instances = Enumerable.Range(1, 3).Select(n => Relabel(Corpus("CT_small.dcm"), study, study + ".1", $"{study}.1.{n}")).ToArray();
        using var client = await ReaderAsync(instances);
        var second = DicomFile.Parse(instances[1]);

        var response = await client.GetAsync(InstanceUrl(second) + "/metadata");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/dicom+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var only = Assert.Single(body.RootElement.EnumerateArray());
        Assert.Equal((await InstanceMetadataAsync(client, second)).GetRawText(), only.GetRawText());
        var missing = await client.GetAsync($"/dicomweb/studies/{study}/series/{study}.1/instances/{study}.1.9/metadata");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("CT_small.dcm", "1.2.840.10008.1.2.1")]
    [InlineData("JPEG2000.dcm", "1.2.840.10008.1.2.4.91")]
    [InlineData("MR_small_bigendian.dcm", "1.2.840.10008.1.2.2")]
    public async Task Metadata_ReportsTheStoredTransferSyntax(string name, string storedSyntax)
    {
        var study = NewUid();
        var bytes = Relabel(Corpus(name), study, study + ".1", study + ".1.1");
        Assert.Equal(storedSyntax, DicomFile.Parse(bytes).TransferSyntax.Uid);
        using var client = await ReaderAsync(bytes);

        var metadata = await InstanceMetadataAsync(client, DicomFile.Parse(bytes));

        Assert.Equal(storedSyntax, metadata.GetProperty("00020010").GetProperty("Value")[0].GetString());
        Assert.Equal("UI", metadata.GetProperty("00020010").GetProperty("vr").GetString());
    }

    [Fact]
    public async Task BulkData_OnlyOctetStreamAcceptable_SinglePartBody()
    {
        var bytes = Corpus("CT_small.dcm");
        using var client = await ReaderAsync(bytes);
        var file = DicomFile.Parse(bytes);

        var response = await GetAsync(client, $"{InstanceUrl(file)}/bulk/7FE00010", "application/octet-stream");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(((DicomElement)file.Dataset.GetAttribute(DicomTag.PixelData)).RawValue.ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("00191099")] // no such element
    [InlineData("54000100")] // a sequence, not a value
    [InlineData("54000100/7/54001010")] // no such item
    [InlineData("zz")]
    [InlineData("7FE00010/extra")]
    public async Task BulkData_UnknownPath_404Problem(string path)
    {
        var bytes = Corpus("waveform_ecg.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await client.GetAsync($"{InstanceUrl(DicomFile.Parse(bytes))}/bulk/{path}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Frames_NativeMultiFrame_EachPartIsItsSliceInTheOrderAsked()
    {
        var bytes = Corpus("rtdose.dcm"); // 15 frames of 10 x 10 x 32 bits, implicit VR
        using var client = await ReaderAsync(bytes);
        var file = DicomFile.Parse(bytes);
        var pixels = ((DicomElement)file.Dataset.GetAttribute(DicomTag.PixelData)).RawValue.ToArray();

        var response = await client.GetAsync($"{InstanceUrl(file)}/frames/3,1,15,3");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parts = await PartsAsync(response);
        Assert.Equal([3, 1, 15, 3], parts.Select(p => Array.IndexOf(Enumerable.Range(0, 15).Select(i => Sha256(pixels[(i * 400)..((i + 1) * 400)])).ToArray(), Sha256(p.Body)) + 1));
        Assert.All(parts, p => Assert.Equal("application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1", p.ContentType));
    }

    [Theory]
    [InlineData("SC_rgb_rle_2frame.dcm", "2,1")]
    [InlineData("JPEG2000.dcm", "1")]
    [InlineData("SC_rgb_jpeg_dcmtk.dcm", "1")]
    public async Task Frames_Encapsulated_FragmentsOfEachFrameWithTheStoredSyntax(string name, string frames)
    {
        var bytes = Corpus(name);
        using var client = await ReaderAsync(bytes);
        var file = DicomFile.Parse(bytes);
        var expected = SplitFrames(file);

        var response = await GetAsync(client, $"{InstanceUrl(file)}/frames/{frames}", "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parts = await PartsAsync(response);
        Assert.Equal(frames.Split(',').Select(n => expected[int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) - 1]), parts.Select(p => p.Body));
        Assert.All(parts, p => Assert.Equal($"application/octet-stream; transfer-syntax={file.TransferSyntax.Uid}", p.ContentType));
    }

    [Fact]
    public async Task Frames_OtherCompressedSyntaxDemandedOfCompressedFrames_406()
    {
        // Compressed frames are served as stored or decoded (DicomwebTranscodeTests), not recompressed.
        var bytes = Corpus("JPEG2000.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await GetAsync(client, $"{InstanceUrl(DicomFile.Parse(bytes))}/frames/1",
            "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.4.80");

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Contains(DicomFile.Parse(bytes).TransferSyntax.Uid, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MR_small_bigendian.dcm", "1.2.840.10008.1.2.2", HttpStatusCode.NotAcceptable)] // served little endian, so not as asked
    [InlineData("MR_small_bigendian.dcm", "1.2.840.10008.1.2.1", HttpStatusCode.OK)]
    [InlineData("rtdose.dcm", "1.2.840.10008.1.2", HttpStatusCode.OK)] // implicit VR little endian: the same frame bytes
    [InlineData("rtdose.dcm", "1.2.840.10008.1.2.4.50", HttpStatusCode.NotAcceptable)]
    public async Task Frames_NativeDemandedSyntax_ServedOnlyWhenTheBytesAreThatSyntax(string name, string syntax, HttpStatusCode status)
    {
        var bytes = Corpus(name);
        using var client = await ReaderAsync(bytes);
        var file = DicomFile.Parse(bytes);

        var response = await GetAsync(client, $"{InstanceUrl(file)}/frames/1", $"multipart/related; type=\"application/octet-stream\"; transfer-syntax={syntax}");

        Assert.Equal(status, response.StatusCode);
        if (status == HttpStatusCode.OK)
        {
            var pixels = ((DicomElement)file.Dataset.GetAttribute(DicomTag.PixelData)).RawValue.ToArray();
            var part = Assert.Single(await PartsAsync(response));
            Assert.Equal(pixels[..part.Body.Length], part.Body);
            Assert.Equal(pixels.Length / file.Dataset.GetOrDefault(DicomTag.NumberOfFrames, 1), part.Body.Length);
        }
    }

    [Fact]
    public async Task Deflated_InstanceAsStoredButPixelDataAndFrames406()
    {
        var bytes = Corpus("image_dfl.dcm");
        using var client = await ReaderAsync(bytes);
        var file = DicomFile.Parse(bytes);

        var instance = await client.GetAsync(InstanceUrl(file));
        var frames = await client.GetAsync($"{InstanceUrl(file)}/frames/1");
        var pixels = await client.GetAsync($"{InstanceUrl(file)}/bulk/7FE00010");

        Assert.Equal(Sha256(bytes), Sha256(Assert.Single(await PartsAsync(instance)).Body));
        Assert.Equal(HttpStatusCode.NotAcceptable, frames.StatusCode);
        Assert.Equal(HttpStatusCode.NotAcceptable, pixels.StatusCode);
        Assert.DoesNotContain(BulkDataUris(await InstanceMetadataAsync(client, file)), u => u.Path.Tag == DicomTag.PixelData);
    }

    [Theory]
    [InlineData("rtdose.dcm", "0", HttpStatusCode.BadRequest, "Frame 0")]
    [InlineData("rtdose.dcm", "abc", HttpStatusCode.BadRequest, "Frame 'abc'")]
    [InlineData("rtdose.dcm", "1,,2", HttpStatusCode.BadRequest, "Frame ''")]
    [InlineData("rtdose.dcm", "-1", HttpStatusCode.BadRequest, "Frame '-1'")]
    [InlineData("rtdose.dcm", "2,16", HttpStatusCode.NotFound, "Frame 16")]
    [InlineData("SC_rgb_rle_2frame.dcm", "3", HttpStatusCode.NotFound, "Frame 3")]
    [InlineData("waveform_ecg.dcm", "1", HttpStatusCode.NotFound, "no pixel data")]
    public async Task Frames_BadOrMissingFrame_ProblemNamingIt(string name, string frames, HttpStatusCode status, string detail)
    {
        var bytes = Corpus(name);
        using var client = await ReaderAsync(bytes);

        var response = await client.GetAsync($"{InstanceUrl(DicomFile.Parse(bytes))}/frames/{frames}");

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains(detail, text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dicomweb/studies/1.2.3.999")]
    [InlineData("/dicomweb/studies/{study}/series/1.2.3.999")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/1.2.3.999")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/1.2.3.999/frames/1")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/1.2.3.999/bulk/7FE00010")]
    [InlineData("/dicomweb/studies/not-a-uid/series/{series}/instances/{instance}")]
    public async Task Retrieve_UnknownStudySeriesOrInstance_404ProblemWithoutDetails_S10_1(string template)
    {
        var bytes = Corpus("CT_small.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await client.GetAsync(Fill(template, DicomFile.Parse(bytes)));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.DataDirectory, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}/metadata")]
    [InlineData("/dicomweb/studies/{study}")]
    [InlineData("/dicomweb/studies/{study}/series/{series}")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/1")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}/bulk/7FE00010")]
    public async Task Retrieve_OtherHospitalsStudy_SameNotFoundAsAnUnknownOne_S3_2_S7_4(string template)
    {
        var bytes = Corpus("CT_small.dcm");
        using (await ReaderAsync(bytes))
        {
        }
        await factory.CreateTenantAsync("wado-b");
        var (_, token) = await factory.CreateTokenAsync("wado-b", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var other = factory.CreateClient(token);
        var file = DicomFile.Parse(bytes);

        var theirs = await other.GetAsync(Fill(template, file));
        var unknown = await other.GetAsync(Fill(template, file).Replace(file.Dataset.Get<string>(DicomTag.StudyInstanceUID), "1.2.3.4.5.6.7", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(Strip(await unknown.Content.ReadAsStringAsync()), Strip(await theirs.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}/metadata")]
    [InlineData("/dicomweb/studies/{study}")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/1")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}/bulk/7FE00010")]
    public async Task Retrieve_TokenWithoutReadScope_403_S3_1(string template)
    {
        var bytes = Corpus("CT_small.dcm");
        using (await ReaderAsync(bytes))
        {
        }
        var (_, token) = await factory.CreateTokenAsync(Tenant, Scopes.DicomwebWrite);
        using var writer = factory.CreateClient(token);

        var response = await writer.GetAsync(Fill(template, DicomFile.Parse(bytes)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}/metadata")]
    [InlineData("/dicomweb/studies/{study}")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/1")]
    [InlineData("/dicomweb/studies/{study}/series/{series}/instances/{instance}/bulk/7FE00010")]
    public async Task Retrieve_NoToken_401_S7_2(string template)
    {
        var bytes = Corpus("CT_small.dcm");
        using (await ReaderAsync(bytes))
        {
        }
        using var anonymous = factory.CreateClient();

        var response = await anonymous.GetAsync(Fill(template, DicomFile.Parse(bytes)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Stores <paramref name="parts"/> in <see cref="Tenant"/> through STOW-RS and returns a read-only client.</summary>
    private async Task<HttpClient> ReaderAsync(params byte[][] parts)
    {
        await factory.CreateTenantAsync(Tenant);
        var (_, writeToken) = await factory.CreateTokenAsync(Tenant, Scopes.DicomwebWrite);
        using (var writer = factory.CreateClient(writeToken))
        {
            var stored = await writer.PostAsync("/dicomweb/studies", Multipart(parts));
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }
        var (_, readToken) = await factory.CreateTokenAsync(Tenant, Scopes.DicomwebRead);
        return factory.CreateClient(readToken);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null)
            request.Headers.TryAddWithoutValidation("Accept", accept);
        return await client.SendAsync(request);
    }

    /// <summary>Reads a multipart/related body to its closing boundary (a truncated body throws).</summary>
    private static async Task<List<(string ContentType, byte[] Body)>> PartsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var contentType = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.Parse(response.Content.Headers.ContentType!.ToString());
        var reader = new MultipartReader(HeaderUtilities.RemoveQuotes(contentType.Boundary).Value!, await response.Content.ReadAsStreamAsync()) { BodyLengthLimit = null };
        var parts = new List<(string, byte[])>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            using var body = new MemoryStream();
            await section.Body.CopyToAsync(body);
            parts.Add((section.ContentType ?? "", body.ToArray()));
        }
        return parts;
    }

    private static async Task<JsonElement> InstanceMetadataAsync(HttpClient client, DicomFile file)
    {
        var url = $"/dicomweb/studies/{file.Dataset.Get<string>(DicomTag.StudyInstanceUID)}/series/{file.Dataset.Get<string>(DicomTag.SeriesInstanceUID)}/metadata";
        using var document = JsonDocument.Parse(await client.GetStringAsync(url));
        var sop = file.Dataset.Get<string>(DicomTag.SOPInstanceUID);
        return Assert.Single(document.RootElement.EnumerateArray(), i => i.GetProperty("00080018").GetProperty("Value")[0].GetString() == sop).Clone();
    }

    /// <summary>Every BulkDataURI of a DICOM JSON object, with the path of its attribute (items included) and VR.</summary>
    private static List<(DicomBulkDataPath Path, string VR, string Uri)> BulkDataUris(JsonElement dataset, List<DicomJsonPathStep>? steps = null)
    {
        steps ??= [];
        var found = new List<(DicomBulkDataPath, string, string)>();
        foreach (var attribute in dataset.EnumerateObject())
        {
            var tag = DicomTag.Parse(attribute.Name);
            var vr = attribute.Value.GetProperty("vr").GetString()!;
            if (attribute.Value.TryGetProperty("BulkDataURI", out var uri))
                found.Add((new DicomBulkDataPath([.. steps], tag), vr, uri.GetString()!));
            if (vr == "SQ" && attribute.Value.TryGetProperty("Value", out var items))
            {
                var index = 0;
                foreach (var item in items.EnumerateArray())
                    found.AddRange(BulkDataUris(item, [.. steps, new DicomJsonPathStep(tag, index++)]));
            }
        }
        return found;
    }

    /// <summary>What our parser reads at <paramref name="path"/> with everything loaded: the value, or each frame's fragments.</summary>
    private static IEnumerable<byte[]> Expected(DicomFile file, DicomBulkDataPath path) => path.Find(file.Dataset) switch
    {
        DicomElement element => [element.RawValue.ToArray()],
        DicomFragmentSequence => SplitFrames(file),
        var other => throw new InvalidOperationException($"{path} names {other}, which has no bulk data."),
    };

    private static List<byte[]> SplitFrames(DicomFile file)
    {
        var fragments = (DicomFragmentSequence)file.Dataset.GetAttribute(DicomTag.PixelData);
        return [.. fragments.SplitIntoFrames(file.Dataset.GetOrDefault(DicomTag.NumberOfFrames, 1)).Select(f => f.SelectMany(x => x.Data.ToArray()).ToArray())];
    }

    private static string InstanceUrl(DicomFile file) => Fill("/dicomweb/studies/{study}/series/{series}/instances/{instance}", file);

    private static string Fill(string template, DicomFile file) => template
        .Replace("{study}", file.Dataset.Get<string>(DicomTag.StudyInstanceUID), StringComparison.Ordinal)
        .Replace("{series}", file.Dataset.Get<string>(DicomTag.SeriesInstanceUID), StringComparison.Ordinal)
        .Replace("{instance}", file.Dataset.Get<string>(DicomTag.SOPInstanceUID), StringComparison.Ordinal);

    /// <summary>A copy of a corpus file as another instance: new study, series and SOP Instance UIDs.</summary>
    private static byte[] Relabel(byte[] bytes, string study, string series, string sop)
    {
        var file = DicomFile.Parse(bytes);
        file.Dataset.AddOrUpdate(DicomTag.StudyInstanceUID, study).AddOrUpdate(DicomTag.SeriesInstanceUID, series).AddOrUpdate(DicomTag.SOPInstanceUID, sop);
        using var stream = new MemoryStream();
        file.Save(stream);
        return stream.ToArray();
    }

    private static string NewUid() => "2.25." + BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string Strip(string problem) => Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");

    private static byte[] Corpus(string name) => File.ReadAllBytes(PydicomCorpus.TestFile(name));

    private static MultipartContent Multipart(params byte[][] parts) => MultipartRelated.Content(parts);
}
