using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;
using SkiaSharp;

namespace OrleansImaging.Api.Tests.Rendering;

/// <summary>
/// Rendered and thumbnail resources over HTTP, with pydicom corpus files stored through STOW-RS. Pixels are compared
/// with dcmtk's dcmj2pnm rendering the same file with the same window (at most 1 grey level apart, same size).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DicomwebRenderedApiTests(ApiFactory factory)
{
    private const string Tenant = "render-a";

    [Theory]
    [InlineData("CT_small.dcm", "+Wm")] // signed, rescaled, no window of its own: the pixel range
    [InlineData("MR_small.dcm", "+Wi", "1")] // its own window
    [InlineData("JPEG-lossy.dcm", "+Wm")] // JPEG extended 12-bit
    [InlineData("SC_rgb_jpeg_dcmtk.dcm")] // JPEG baseline YBR_FULL
    [InlineData("SC_rgb_rle.dcm")] // RGB, RLE
    public async Task GetRendered_CorpusImageAsPng_MatchesDcmj2pnm(string name, params string[] window)
    {
        var bytes = Corpus(name);
        using var client = await ReaderAsync(bytes);

        var response = await GetAsync(client, Url(bytes, "/rendered"), "image/png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using var actual = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        using var expected = Dcmj2pnm(PydicomCorpus.TestFile(name), window);
        Assert.InRange(MaxDifference(expected, actual), 0, 1);
    }

    [Fact]
    public async Task GetRendered_Jpeg2000_DefaultJpegAtImageSize()
    {
        var bytes = Corpus("JPEG2000.dcm");
        var file = DicomFile.Parse(bytes);
        using var client = await ReaderAsync(bytes);

        var response = await client.GetAsync(Url(bytes, "/rendered"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        using var decoded = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((file.Dataset.Get<int>(DicomTag.Columns), file.Dataset.Get<int>(DicomTag.Rows)), (decoded.Width, decoded.Height));
    }

    [Theory]
    [InlineData("window=40,400,linear", "40", "400")]
    [InlineData("window=-600,1500", "-600", "1500")]
    public async Task GetRendered_WindowParameter_MatchesDcmj2pnmWithThatWindow(string query, string center, string width)
    {
        var bytes = Corpus("CT_small.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await GetAsync(client, Url(bytes, "/rendered?" + query), "image/png");

        using var actual = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        using var expected = Dcmj2pnm(PydicomCorpus.TestFile("CT_small.dcm"), "+Ww", center, width);
        Assert.InRange(MaxDifference(expected, actual), 0, 1);
    }

    [Fact]
    public async Task GetRendered_WindowFunctions_GiveDifferentImages()
    {
        var bytes = Corpus("CT_small.dcm");
        using var client = await ReaderAsync(bytes);

        var linear = await PngAsync(client, Url(bytes, "/rendered?window=40,400,linear"));
        var sigmoid = await PngAsync(client, Url(bytes, "/rendered?window=40,400,sigmoid"));
        var exact = await PngAsync(client, Url(bytes, "/rendered?window=40,400,linear-exact"));

        Assert.NotEqual(Sha256(linear), Sha256(sigmoid));
        Assert.NotEqual(Sha256(linear), Sha256(exact));
    }

    [Theory]
    [InlineData("viewport=64,64", 64, 64)]
    [InlineData("viewport=100,50", 50, 50)]
    [InlineData("viewport=256,256", 256, 256)]
    [InlineData("viewport=32,32,64,0,64,128", 16, 32)]
    [InlineData("viewport=64,64,128,,-128,", 64, 64)]
    public async Task GetRendered_Viewport_OutputFitsKeepingAspect(string query, int width, int height)
    {
        var bytes = Corpus("CT_small.dcm"); // 128 × 128
        using var client = await ReaderAsync(bytes);

        using var decoded = SKBitmap.Decode(await PngAsync(client, Url(bytes, "/rendered?" + query)));

        Assert.Equal((width, height), (decoded.Width, decoded.Height));
    }

    [Fact]
    public async Task GetRendered_Quality_SmallerJpegAtLowQuality()
    {
        var bytes = Corpus("MR_small.dcm");
        using var client = await ReaderAsync(bytes);

        var low = await (await client.GetAsync(Url(bytes, "/rendered?quality=5"))).Content.ReadAsByteArrayAsync();
        var high = await (await client.GetAsync(Url(bytes, "/rendered?quality=100"))).Content.ReadAsByteArrayAsync();

        Assert.True(low.Length < high.Length, $"quality 5: {low.Length} bytes, quality 100: {high.Length}");
        using var decoded = SKBitmap.Decode(low);
        Assert.Equal((64, 64), (decoded.Width, decoded.Height));
    }

    [Fact]
    public async Task GetFrameRendered_SecondFrame_MatchesDcmj2pnmFrame2AndInstanceRenderedIsFrame1()
    {
        var bytes = Corpus("SC_rgb_rle_2frame.dcm");
        using var client = await ReaderAsync(bytes);

        var second = await PngAsync(client, Url(bytes, "/frames/2/rendered"));
        var first = await PngAsync(client, Url(bytes, "/frames/1/rendered"));
        var instance = await PngAsync(client, Url(bytes, "/rendered"));

        using var actual = SKBitmap.Decode(second);
        using var expected = Dcmj2pnm(PydicomCorpus.TestFile("SC_rgb_rle_2frame.dcm"), "+F", "2");
        Assert.InRange(MaxDifference(expected, actual), 0, 1);
        Assert.Equal(Sha256(first), Sha256(instance));
        Assert.NotEqual(Sha256(first), Sha256(second));
    }

    [Theory]
    [InlineData("/frames/3/rendered", HttpStatusCode.NotFound, "Frame 3")]
    [InlineData("/frames/1,2/rendered", HttpStatusCode.BadRequest, "frames")]
    [InlineData("/frames/0/rendered", HttpStatusCode.BadRequest, "frames")]
    [InlineData("/frames/x/rendered", HttpStatusCode.BadRequest, "frames")]
    public async Task GetFrameRendered_BadFrame_ProblemNamesIt(string suffix, HttpStatusCode status, string named)
    {
        var bytes = Corpus("SC_rgb_rle_2frame.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await client.GetAsync(Url(bytes, suffix));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(named, await DetailAsync(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("window=abc", "window")]
    [InlineData("window=40", "window")]
    [InlineData("window=40,0,linear", "window")]
    [InlineData("window=40,0.5", "window")]
    [InlineData("window=40,400,cubic", "window")]
    [InlineData("window=40,NaN", "window")]
    [InlineData("window=40,400&window=50,500", "window")]
    [InlineData("viewport=0,64", "viewport")]
    [InlineData("viewport=64", "viewport")]
    [InlineData("viewport=99999,64", "viewport")]
    [InlineData("viewport=64,64,1,2,3", "viewport")]
    [InlineData("viewport=64,64,-1,0,10,10", "viewport")]
    [InlineData("viewport=64,64,100,0,100,10", "viewport")] // region beyond the 128 columns
    [InlineData("quality=0", "quality")]
    [InlineData("quality=101", "quality")]
    [InlineData("quality=high", "quality")]
    public async Task GetRendered_BadParameter_400NamingIt(string query, string parameter)
    {
        var bytes = Corpus("CT_small.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await client.GetAsync(Url(bytes, "/rendered?" + query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(parameter, await DetailAsync(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image/png", "image/png")]
    [InlineData("image/jpeg", "image/jpeg")]
    [InlineData("image/*", "image/jpeg")]
    [InlineData("*/*", "image/jpeg")]
    [InlineData("image/gif, image/png;q=0.5", "image/png")]
    [InlineData("image/jpeg;q=0.2, image/png;q=0.9", "image/png")]
    public async Task GetRendered_Accept_NegotiatedMediaType(string accept, string expected)
    {
        var bytes = Corpus("MR_small.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await GetAsync(client, Url(bytes, "/rendered"), accept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
        using var decoded = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(64, decoded.Width);
    }

    [Theory]
    [InlineData("application/dicom")]
    [InlineData("image/gif")]
    [InlineData("image/png;q=0, image/jpeg;q=0")]
    [InlineData("multipart/related; type=\"image/jpeg\"")]
    public async Task GetRendered_UnservedAccept_406(string accept)
    {
        var bytes = Corpus("MR_small.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await GetAsync(client, Url(bytes, "/rendered"), accept);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Contains("image/jpeg", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRendered_AcceptQueryParameter_UsedInsteadOfHeader()
    {
        var bytes = Corpus("MR_small.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await GetAsync(client, Url(bytes, "/rendered?accept=image/png"), "image/jpeg");

        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetRendered_StructuredReport_406SaysNotAnImage()
    {
        var bytes = Corpus("test-SR.dcm");
        using var client = await ReaderAsync(bytes);

        var response = await client.GetAsync(Url(bytes, "/rendered"));

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        var detail = await DetailAsync(response);
        Assert.Contains("no Pixel Data", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("/tmp", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRendered_DecodeBomb_406BeforeDecodingWithoutPaths()
    {
        // CT_small's 128 × 128 pixels declared as 60,000 × 60,000: 7.2 GB decoded, refused by the codec's limit.
        var file = DicomFile.Parse(Corpus("CT_small.dcm"));
        file.Dataset.AddOrUpdate(DicomTag.Rows, (ushort)60000).AddOrUpdate(DicomTag.Columns, (ushort)60000);
        using var stream = new MemoryStream();
        file.Save(stream);
        var bytes = stream.ToArray();
        using var client = await ReaderAsync(bytes);

        var response = await client.GetAsync(Url(bytes, "/rendered"));

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        var detail = await DetailAsync(response);
        Assert.Contains("limit", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), detail, StringComparison.Ordinal);
        Assert.DoesNotContain("imaging-render", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRendered_CorruptJpeg2000_406ClearProblemAndServerStillRenders()
    {
        // The JPEG 2000 codestream's main header overwritten with zeros after its SOC marker (lengths kept): OpenJPEG
        // shrugs off damaged tile data, but not a codestream without its SIZ segment.
        var bytes = Corpus("JPEG2000.dcm");
        var marker = bytes.AsSpan().LastIndexOf(new byte[] { 0xFF, 0x4F, 0xFF, 0x51 }); // SOC, SIZ
        Assert.True(marker > 0);
        bytes.AsSpan(marker + 2, 64).Clear();
        using var client = await ReaderAsync(bytes);

        var response = await client.GetAsync(Url(bytes, "/rendered"));
        var healthy = Corpus("MR_small.dcm");
        using (await ReaderAsync(healthy))
        {
        }
        var after = await client.GetAsync(Url(healthy, "/rendered"));

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Contains("cannot be decoded", await DetailAsync(response), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task GetThumbnail_InstanceSeriesStudy_JpegWithin128KeepingAspect()
    {
        var study = NewUid();
        var lossy = Relabel(Corpus("JPEG-lossy.dcm"), study, study + ".1", study + ".1.1", 1); // 256 × 1024
        var ct = Relabel(Corpus("CT_small.dcm"), study, study + ".2", study + ".2.1", 1); // 128 × 128
        var mr = Relabel(Corpus("MR_small.dcm"), study, study + ".3", study + ".3.1", 1); // 64 × 64: never enlarged
        using var client = await ReaderAsync(lossy, ct, mr);

        var instance = await ThumbnailAsync(client, Url(mr, "/thumbnail"));
        var series = await ThumbnailAsync(client, $"/dicomweb/studies/{study}/series/{study}.2/thumbnail");
        var whole = await ThumbnailAsync(client, $"/dicomweb/studies/{study}/thumbnail");
        var sized = await ThumbnailAsync(client, $"/dicomweb/studies/{study}/series/{study}.2/thumbnail?viewport=32,32");

        Assert.Equal((64, 64), instance);
        Assert.Equal((128, 128), series);
        Assert.Equal((32, 128), whole); // the first series stored
        Assert.Equal((32, 32), sized);
    }

    [Fact]
    public async Task GetFrameThumbnail_SecondFrame_SameAsRenderedFrameAtThumbnailSize()
    {
        var bytes = Corpus("SC_rgb_rle_2frame.dcm"); // 100 × 100: a thumbnail keeps its size
        using var client = await ReaderAsync(bytes);

        var thumbnail = await PngAsync(client, Url(bytes, "/frames/2/thumbnail"));
        var rendered = await PngAsync(client, Url(bytes, "/frames/2/rendered"));
        var small = await PngAsync(client, Url(bytes, "/frames/2/thumbnail?viewport=50,50"));

        Assert.Equal(Sha256(rendered), Sha256(thumbnail));
        using var decoded = SKBitmap.Decode(small);
        Assert.Equal((50, 50), (decoded.Width, decoded.Height));
    }

    [Fact]
    public async Task GetThumbnail_SeriesWithoutImages_406()
    {
        var study = NewUid();
        var sr = Relabel(Corpus("test-SR.dcm"), study, study + ".1", study + ".1.1", 1);
        using var client = await ReaderAsync(sr);

        var response = await client.GetAsync($"/dicomweb/studies/{study}/series/{study}.1/thumbnail");

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Contains("no image instances", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRendered_OtherTenantsInstance_404SameAsUnknown()
    {
        var bytes = Corpus("CT_small.dcm");
        using (await ReaderAsync(bytes))
        {
        }
        await factory.CreateTenantAsync("render-b");
        var (_, token) = await factory.CreateTokenAsync("render-b", Scopes.DicomwebRead);
        using var other = factory.CreateClient(token);
        var file = DicomFile.Parse(bytes);
        var study = file.Dataset.Get<string>(DicomTag.StudyInstanceUID);

        var foreign = await other.GetAsync(Url(bytes, "/rendered"));
        var unknown = await other.GetAsync(Url(bytes, "/rendered").Replace(study, NewUid(), StringComparison.Ordinal));
        var foreignThumbnail = await other.GetAsync($"/dicomweb/studies/{study}/thumbnail");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignThumbnail.StatusCode);
        Assert.Equal(Strip(await unknown.Content.ReadAsStringAsync()), Strip(await foreign.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task GetRendered_NoToken_401()
    {
        var bytes = Corpus("CT_small.dcm");
        using (await ReaderAsync(bytes))
        {
        }
        using var anonymous = factory.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Url(bytes, "/rendered"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Url(bytes, "/thumbnail"))).StatusCode);
    }

    [Fact]
    public async Task GetRendered_WriteOnlyToken_SameStatusAsWadoRetrieve()
    {
        var bytes = Corpus("CT_small.dcm");
        using (await ReaderAsync(bytes))
        {
        }
        var (_, token) = await factory.CreateTokenAsync(Tenant, Scopes.DicomwebWrite);
        using var writer = factory.CreateClient(token);

        var retrieve = await writer.GetAsync(Url(bytes, ""));
        var rendered = await writer.GetAsync(Url(bytes, "/rendered"));

        Assert.Equal(HttpStatusCode.Forbidden, rendered.StatusCode);
        Assert.Equal(retrieve.StatusCode, rendered.StatusCode);
    }

    private async Task<(int Width, int Height)> ThumbnailAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        using var decoded = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.True(decoded.Width <= 128 && decoded.Height <= 128, $"{decoded.Width} × {decoded.Height}");
        return (decoded.Width, decoded.Height);
    }

    private static async Task<byte[]> PngAsync(HttpClient client, string url)
    {
        var response = await GetAsync(client, url, "image/png");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Stores <paramref name="parts"/> in <see cref="Tenant"/> through STOW-RS and returns a read-only client.</summary>
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

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null)
            request.Headers.TryAddWithoutValidation("Accept", accept);
        return await client.SendAsync(request);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("detail").GetString()!;
    }

    private static string Url(byte[] bytes, string suffix)
    {
        var dataset = DicomFile.Parse(bytes).Dataset;
        return $"/dicomweb/studies/{dataset.Get<string>(DicomTag.StudyInstanceUID)}/series/{dataset.Get<string>(DicomTag.SeriesInstanceUID)}/instances/{dataset.Get<string>(DicomTag.SOPInstanceUID)}{suffix}";
    }

    /// <summary>A copy of a corpus file as another instance: new study, series and SOP Instance UIDs and Instance Number.</summary>
    private static byte[] Relabel(byte[] bytes, string study, string series, string sop, int instanceNumber)
    {
        var file = DicomFile.Parse(bytes);
        file.Dataset.AddOrUpdate(DicomTag.StudyInstanceUID, study).AddOrUpdate(DicomTag.SeriesInstanceUID, series).AddOrUpdate(DicomTag.SOPInstanceUID, sop)
            .AddOrUpdate(DicomTag.InstanceNumber, instanceNumber.ToString(CultureInfo.InvariantCulture));
        using var stream = new MemoryStream();
        file.Save(stream);
        return stream.ToArray();
    }

    /// <summary>dcmtk's rendering of <paramref name="path"/> with the given window options, as a decoded PNG.</summary>
    private static SKBitmap Dcmj2pnm(string path, params string[] options)
    {
        var output = Path.Combine(Path.GetTempPath(), $"dcmj2pnm-{Guid.NewGuid():N}.png");
        try
        {
            var start = new ProcessStartInfo("dcmj2pnm") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in (string[])["--write-png", .. options, path, output])
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "dcmj2pnm failed: " + errors.Result);
            return SKBitmap.Decode(output);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static int MaxDifference(SKBitmap expected, SKBitmap actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var worst = 0;
        for (var y = 0; y < expected.Height; y++)
        {
            for (var x = 0; x < expected.Width; x++)
            {
                SKColor e = expected.GetPixel(x, y), a = actual.GetPixel(x, y);
                worst = Math.Max(worst, Math.Max(Math.Abs(e.Red - a.Red), Math.Max(Math.Abs(e.Green - a.Green), Math.Abs(e.Blue - a.Blue))));
            }
        }
        return worst;
    }

    private static string NewUid() => "2.25." + BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string Strip(string problem) => Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");

    /// <summary>
    /// A corpus file as a new instance of a new study: several corpus files share UIDs with different content (a
    /// conflict when stored in one tenant), and tests must not depend on each other's objects.
    /// </summary>
    private static byte[] Corpus(string name)
    {
        var study = NewUid();
        var bytes = File.ReadAllBytes(PydicomCorpus.TestFile(name));
        return Relabel(bytes, study, study + ".1", study + ".1.1", DicomFile.Parse(bytes).Dataset.GetOrDefault(DicomTag.InstanceNumber, 1));
    }
}
