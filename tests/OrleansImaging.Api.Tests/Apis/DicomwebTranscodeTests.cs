using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;

namespace OrleansImaging.Api.Tests.Apis;

/// <summary>
/// WADO-RS with <c>transfer-syntax=</c> in Accept (PS3.18 8.7.3): instances transcoded and frames decoded on
/// retrieval, checked against dcmtk's own decoders; what cannot be produced is 406 without a path or stack trace,
/// and another tenant's instance stays 404 however it is asked for.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DicomwebTranscodeTests(ApiFactory factory) : IDisposable
{
    private const string Tenant = "wado-transcode";
    private const string ExplicitLE = "1.2.840.10008.1.2.1";
    private const string JpegLS = "1.2.840.10008.1.2.4.80";
    private const string InstanceAccept = "multipart/related; type=\"application/dicom\"; transfer-syntax=";
    private const string FramesAccept = "multipart/related; type=\"application/octet-stream\"; transfer-syntax=";

    private readonly string _directory = Directory.CreateTempSubdirectory("wado-transcode-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RetrieveInstance_JpegLsCtAsExplicitLittleEndian_PixelsOfDcmdjplsAndAttributesAsStored()
    {
        var stored = Relabelled(JpegLsSyntheticCt());
        using var client = await ReaderAsync(stored);

        var response = await GetAsync(client, InstanceUrl(stored), InstanceAccept + ExplicitLE);

        var part = Assert.Single(await PartsAsync(response));
        Assert.Equal($"application/dicom; transfer-syntax={ExplicitLE}", part.ContentType);
        var served = DicomFile.Parse(part.Body);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, served.TransferSyntax);
        Assert.Equal(PixelData(Reference("dcmdjpls", stored)), PixelData(served));
        var original = DicomFile.Parse(stored);
        foreach (var attribute in original.Dataset.Where(a => a.Tag != DicomTag.PixelData && a is DicomElement))
            Assert.True(((DicomElement)attribute).RawValue.Span.SequenceEqual(((DicomElement)served.Dataset.GetAttribute(attribute.Tag)).RawValue.Span), $"{attribute.Tag} changed");
        AssertNoTemporaryFilesLeft();
    }

    [Fact]
    public async Task RetrieveInstance_JpegBaselineAsExplicitLittleEndian_PixelsOfDcmdjpegAndStillFlaggedLossy()
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile("SC_rgb_jpeg_dcmtk.dcm")));
        using var client = await ReaderAsync(stored);

        var response = await GetAsync(client, InstanceUrl(stored), InstanceAccept + ExplicitLE);

        var served = DicomFile.Parse(Assert.Single(await PartsAsync(response)).Body);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, served.TransferSyntax);
        // As dcmdjpeg decodes without converting colour (+cn): YBR_FULL, colour-by-pixel.
        var reference = Reference("dcmdjpeg", stored, "+px", "+cn");
        Assert.Equal(reference.Dataset.GetStringOrNull(DicomTag.PhotometricInterpretation), served.Dataset.GetStringOrNull(DicomTag.PhotometricInterpretation));
        Assert.Equal(PixelData(reference), PixelData(served));
        Assert.Equal("01", served.Dataset.GetStringOrNull(DicomTag.LossyImageCompression));
        Assert.Equal(["ISO_10918_1"], served.Dataset.GetValues<string>(DicomTag.LossyImageCompressionMethod));
    }

    [Fact]
    public async Task RetrieveInstance_NativeAsJpegLs_DcmdjplsDecodesToStoredPixels()
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile("MR_small.dcm")));
        using var client = await ReaderAsync(stored);

        var response = await GetAsync(client, InstanceUrl(stored), $"application/json;q=0.5, {InstanceAccept}{JpegLS}");

        var part = Assert.Single(await PartsAsync(response));
        Assert.Equal($"application/dicom; transfer-syntax={JpegLS}", part.ContentType);
        Assert.Equal(DicomTransferSyntax.JpegLSLossless, DicomFile.Parse(part.Body).TransferSyntax);
        var decompressed = Reference("dcmdjpls", part.Body);
        Assert.Equal(PixelData(DicomFile.Parse(stored)), PixelData(decompressed));
    }

    [Fact]
    public async Task RetrieveInstance_FirstChoiceCannotBeMade_ClientsNextChoiceServed()
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile("MR_small.dcm"))); // 16-bit: no JPEG baseline
        using var client = await ReaderAsync(stored);

        var response = await GetAsync(client, InstanceUrl(stored), $"{InstanceAccept}1.2.840.10008.1.2.4.50, {InstanceAccept}{JpegLS};q=0.5");

        Assert.Equal($"application/dicom; transfer-syntax={JpegLS}", Assert.Single(await PartsAsync(response)).ContentType);
        AssertNoTemporaryFilesLeft();
    }

    [Fact]
    public async Task RetrieveInstance_ImplicitNonImageAsExplicitLittleEndian_RewrittenWithoutCodec()
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile("rtplan.dcm")));
        using var client = await ReaderAsync(stored);

        var response = await GetAsync(client, InstanceUrl(stored), InstanceAccept + ExplicitLE);

        var served = DicomFile.Parse(Assert.Single(await PartsAsync(response)).Body);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, served.TransferSyntax);
        Assert.Equal(DicomFile.Parse(stored).Dataset.Count, served.Dataset.Count);
    }

    [Fact]
    public async Task RetrieveFrames_JpegLsAsExplicitLittleEndian_DecodedFramesOfDcmdjpls()
    {
        var stored = Relabelled(JpegLsSyntheticCt());
        using var client = await ReaderAsync(stored);

        var response = await GetAsync(client, InstanceUrl(stored) + "/frames/1", FramesAccept + ExplicitLE);

        var part = Assert.Single(await PartsAsync(response));
        Assert.Equal($"application/octet-stream; transfer-syntax={ExplicitLE}", part.ContentType);
        Assert.Equal(PixelData(Reference("dcmdjpls", stored)), part.Body);
    }

    [Fact]
    public async Task RetrieveFrames_MultiFrameRleAsExplicitLittleEndian_FramesInTheOrderAsked()
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile("SC_rgb_rle_2frame.dcm")));
        using var client = await ReaderAsync(stored);

        var response = await GetAsync(client, InstanceUrl(stored) + "/frames/2,1,2", FramesAccept + ExplicitLE);

        var parts = await PartsAsync(response);
        var reference = PixelData(Reference("dcmdrle", stored));
        var frameLength = reference.Length / 2;
        Assert.Equal([reference[frameLength..], reference[..frameLength], reference[frameLength..]], parts.Select(p => p.Body));
        Assert.All(parts, p => Assert.Equal($"application/octet-stream; transfer-syntax={ExplicitLE}", p.ContentType));
    }

    [Fact]
    public async Task RetrieveFrames_DeflatedAsExplicitLittleEndian_PixelsOfDcmconv()
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile("image_dfl.dcm")));
        using var client = await ReaderAsync(stored);

        var asStored = await GetAsync(client, InstanceUrl(stored) + "/frames/1", FramesAccept + "*");
        var decoded = await GetAsync(client, InstanceUrl(stored) + "/frames/1", FramesAccept + ExplicitLE);

        Assert.Equal(HttpStatusCode.NotAcceptable, asStored.StatusCode);
        Assert.Equal(PixelData(Reference("dcmconv", stored, "+te")), Assert.Single(await PartsAsync(decoded)).Body);
    }

    [Theory]
    [InlineData("MR_small_jpeg_ls_lossless.dcm", "image/jls")]
    [InlineData("MR_small_jp2klossless.dcm", "image/jp2")]
    [InlineData("SC_rgb_rle_2frame.dcm", "image/dicom-rle")]
    [InlineData("SC_rgb_jpeg_dcmtk.dcm", "image/jpeg")]
    public async Task RetrieveFrames_CompressedMediaTypeOfTheStoredSyntax_FramesAsStored(string name, string mediaType)
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile(name)));
        using var client = await ReaderAsync(stored);
        var syntax = DicomFile.Parse(stored).TransferSyntax.Uid;

        var response = await GetAsync(client, InstanceUrl(stored) + "/frames/1", $"multipart/related; type=\"{mediaType}\"");
        var other = await GetAsync(client, InstanceUrl(stored) + "/frames/1", $"multipart/related; type=\"{(mediaType == "image/jls" ? "image/jp2" : "image/jls")}\"");

        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "type" && p.Value == $"\"{mediaType}\"");
        var part = Assert.Single(await PartsAsync(response));
        Assert.Equal($"{mediaType}; transfer-syntax={syntax}", part.ContentType);
        var octets = Assert.Single(await PartsAsync(await GetAsync(client, InstanceUrl(stored) + "/frames/1", FramesAccept + "*")));
        Assert.Equal(octets.Body, part.Body);
        Assert.Equal(HttpStatusCode.NotAcceptable, other.StatusCode);
    }

    [Fact]
    public async Task RetrieveFrames_FrameBeyondTheLast_404AfterDecoding()
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile("SC_rgb_rle_2frame.dcm")));
        using var client = await ReaderAsync(stored);

        var response = await GetAsync(client, InstanceUrl(stored) + "/frames/3", FramesAccept + ExplicitLE);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("the instance has 2 frames", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MR_small.dcm", "/", "1.2.840.10008.1.2.4.50", "8-bit unsigned")]
    [InlineData("MR_small.dcm", "/", "1.2.3.4", "not one this server produces by transcoding")]
    [InlineData("MR_small.dcm", "/", "1.2.840.10008.1.2.4.91", "not one this server produces by transcoding")]
    [InlineData("MR_small_jpeg_ls_lossless.dcm", "/frames/1", "1.2.840.10008.1.2.4.90", "not one this server produces by transcoding")]
    public async Task Retrieve_SyntaxThatCannotBeProduced_406ProblemWithoutPathsOrTraces(string name, string resource, string syntax, string detail)
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile(name)));
        using var client = await ReaderAsync(stored);
        var accept = (resource == "/" ? InstanceAccept : FramesAccept) + syntax;

        var response = await GetAsync(client, InstanceUrl(stored) + resource.TrimEnd('/'), accept);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(detail, body, StringComparison.Ordinal);
        Assert.DoesNotContain("transcode-tmp", body, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.DataDirectory, body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        AssertNoTemporaryFilesLeft();
    }

    [Fact]
    public async Task RetrieveInstance_CorruptJpegLs_406ProblemAndServerKeepsServing()
    {
        var bytes = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile("MR_small_jpeg_ls_lossless.dcm")));
        var fragment = ((DicomFragmentSequence)DicomFile.Parse(bytes).Dataset.GetAttribute(DicomTag.PixelData)).Fragments[^1].Data;
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(fragment, out var segment));
        bytes.AsSpan(segment.Offset + (segment.Count / 4), segment.Count / 2).Fill(0xFF);
        using var client = await ReaderAsync(bytes);

        var instance = await GetAsync(client, InstanceUrl(bytes), InstanceAccept + ExplicitLE);
        var frames = await GetAsync(client, InstanceUrl(bytes) + "/frames/1", FramesAccept + ExplicitLE);
        var asStored = await GetAsync(client, InstanceUrl(bytes), InstanceAccept + "*");

        Assert.Equal(HttpStatusCode.NotAcceptable, instance.StatusCode);
        Assert.Contains("corrupt or not supported", await instance.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotAcceptable, frames.StatusCode);
        Assert.Equal(Sha256(bytes), Sha256(Assert.Single(await PartsAsync(asStored)).Body));
        AssertNoTemporaryFilesLeft();
    }

    [Fact]
    public async Task RetrieveStudy_TransferSyntaxOtherThanStored_406AsStudiesAreServedAsStored()
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile("MR_small_jpeg_ls_lossless.dcm")));
        using var client = await ReaderAsync(stored);
        var study = DicomFile.Parse(stored).Dataset.Get<string>(DicomTag.StudyInstanceUID);

        var response = await GetAsync(client, $"/dicomweb/studies/{study}", InstanceAccept + ExplicitLE);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Contains("does not offer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", InstanceAccept + ExplicitLE)]
    [InlineData("", InstanceAccept + "1.2.3.4")]
    [InlineData("/frames/1", FramesAccept + ExplicitLE)]
    public async Task Retrieve_AnotherTenantsInstanceInAnySyntax_404LikeAMissingOne(string resource, string accept)
    {
        var stored = Relabelled(File.ReadAllBytes(PydicomCorpus.TestFile("MR_small_jpeg_ls_lossless.dcm")));
        (await ReaderAsync(stored)).Dispose();
        await factory.CreateTenantAsync("wado-transcode-other");
        var (_, otherToken) = await factory.CreateTokenAsync("wado-transcode-other", Scopes.DicomwebRead);
        using var other = factory.CreateClient(otherToken);

        var theirs = await GetAsync(other, InstanceUrl(stored) + resource, accept);
        var missing = await GetAsync(other, InstanceUrl(Relabelled(stored)) + resource, accept);

        Assert.True(theirs.StatusCode == HttpStatusCode.NotFound, $"{theirs.StatusCode}: {await theirs.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(Strip(await missing.Content.ReadAsStringAsync()), Strip(await theirs.Content.ReadAsStringAsync()));
    }

    private void AssertNoTemporaryFilesLeft()
    {
        var work = Path.Combine(factory.DataDirectory, "transcode-tmp");
        Assert.True(Directory.Exists(work), "the transcoder's work folder is under the data directory");
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    /// <summary>A synthetic CT slice (explicit VR little endian, 512 × 512, 12 bits) compressed by dcmtk's dcmcjpls.</summary>
    private byte[] JpegLsSyntheticCt()
    {
        var study = Path.Combine(PydicomCorpus.Root, "..", "synthetic-ct", "ct-100-in-1-studies-v2", "study000");
        Assert.True(Directory.Exists(study), $"the synthetic CT corpus is missing at {study}");
        var output = Path.Combine(_directory, $"jls-{Guid.NewGuid():N}.dcm");
        Run("dcmcjpls", Path.Combine(study, "000001.dcm"), output);
        return File.ReadAllBytes(output);
    }

    /// <summary>A reference tool's decompression of <paramref name="bytes"/>.</summary>
    private DicomFile Reference(string tool, byte[] bytes, params string[] options)
    {
        var input = Path.Combine(_directory, $"in-{Guid.NewGuid():N}.dcm");
        var output = Path.Combine(_directory, $"out-{Guid.NewGuid():N}.dcm");
        File.WriteAllBytes(input, bytes);
        Run(tool, [.. options, input, output]);
        return DicomFile.Open(output);
    }

    private static byte[] PixelData(DicomFile file)
    {
        var bytes = ((DicomElement)file.Dataset.GetAttribute(DicomTag.PixelData)).RawValue.ToArray();
        var expected = file.Dataset.Get<int>(DicomTag.Rows) * file.Dataset.Get<int>(DicomTag.Columns) * file.Dataset.Get<int>(DicomTag.SamplesPerPixel)
            * (file.Dataset.Get<int>(DicomTag.BitsAllocated) / 8) * file.Dataset.GetOrDefault(DicomTag.NumberOfFrames, 1);
        return bytes[..expected]; // without the even-length pad
    }

    private static void Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), $"{tool} did not finish");
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {stderr.Result}");
    }

    private async Task<HttpClient> ReaderAsync(params byte[][] parts)
    {
        await factory.CreateTenantAsync(Tenant);
        var (_, writeToken) = await factory.CreateTokenAsync(Tenant, Scopes.DicomwebWrite);
        using (var writer = factory.CreateClient(writeToken))
        {
            var stored = await writer.PostAsync("/dicomweb/studies", MultipartRelated.Content(parts));
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }
        var (_, readToken) = await factory.CreateTokenAsync(Tenant, Scopes.DicomwebRead);
        return factory.CreateClient(readToken);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await client.SendAsync(request);
    }

    private static async Task<List<(string ContentType, byte[] Body)>> PartsAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var contentType = MediaTypeHeaderValue.Parse(response.Content.Headers.ContentType!.ToString());
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

    private static string InstanceUrl(byte[] bytes)
    {
        var dataset = DicomFile.Parse(bytes).Dataset;
        return $"/dicomweb/studies/{dataset.Get<string>(DicomTag.StudyInstanceUID)}/series/{dataset.Get<string>(DicomTag.SeriesInstanceUID)}/instances/{dataset.Get<string>(DicomTag.SOPInstanceUID)}";
    }

    /// <summary>A copy as a new instance of a new study, so tests sharing the api do not meet each other's data.</summary>
    private static byte[] Relabelled(byte[] bytes)
    {
        var file = DicomFile.Parse(bytes);
        var study = "2.25." + BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        file.Dataset.AddOrUpdate(DicomTag.StudyInstanceUID, study).AddOrUpdate(DicomTag.SeriesInstanceUID, study + ".1").AddOrUpdate(DicomTag.SOPInstanceUID, study + ".1.1");
        using var stream = new MemoryStream();
        file.Save(stream);
        return stream.ToArray();
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string Strip(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");
}
