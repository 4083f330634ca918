using OrleansImaging.Api.Tests.Peers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Api.Tests.Apis;

/// <summary>An api whose STOW-RS limit is small enough to cross with two corpus files.</summary>
public sealed class SmallStowLimitApiFactory : ApiFactory
{
    public const long Limit = 24 * 1024;

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        [new("Imaging:MaxStowRequestBytes", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

/// <summary>
/// STOW-RS bodies that are too large or end early: a clear status, a ProblemDetails without internals, and nothing
/// left behind — no catalogue entry and no stored object for a request the sender was told failed.
/// </summary>
public sealed class DicomwebStoreLimitTests(SmallStowLimitApiFactory factory) : IClassFixture<SmallStowLimitApiFactory>
{
    private const string Boundary = "limit-test-boundary";

    [Fact]
    public async Task Store_DeclaredLengthOverTheLimit_413BeforeAnythingIsStored()
    {
        using var client = await ClientAsync("limit-declared");
        var body = Body(Corpus("CT_small.dcm"), Corpus("MR_small.dcm"), Corpus("rtplan.dcm"));
        Assert.True(body.Length > SmallStowLimitApiFactory.Limit);

        var response = await client.PostAsync("/dicomweb/studies", Content(new ByteArrayContent(body)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertProblemWithoutInternalsAsync(response);
        Assert.Empty(StoredObjects("limit-declared"));
    }

    [Fact]
    public async Task Store_StreamedBodyCrossesTheLimitAfterAGoodPart_413AndThePartIsNotKept()
    {
        using var client = await ClientAsync("limit-streamed");
        // No Content-Length: the server learns the size only while reading, after the first part is already in storage.
        var body = Body(Corpus("MR_small.dcm"), Corpus("rtplan.dcm"), Corpus("CT_small.dcm"));
        var content = new StreamContent(new UnknownLengthStream(body));

        var response = await client.PostAsync("/dicomweb/studies", Content(content));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertProblemWithoutInternalsAsync(response);
        Assert.Empty(StoredObjects("limit-streamed"));
        var search = await client.GetStringAsync("/dicomweb/instances");
        Assert.Equal("[]", search.Trim());
    }

    [Theory]
    [InlineData("missing final boundary")]
    [InlineData("truncated inside a part")]
    public async Task Store_BodyEndsEarly_400AndNothingKept(string how)
    {
        var tenant = "limit-early-" + how.Split(' ')[0];
        using var client = await ClientAsync(tenant);
        var whole = Body(Corpus("MR_small.dcm"));
        var cut = how == "missing final boundary"
            ? whole[..^(Boundary.Length + 6)] // drops "\r\n--{boundary}--\r\n"
            : whole[..(whole.Length / 2)];

        var response = await client.PostAsync("/dicomweb/studies", Content(new ByteArrayContent(cut)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertProblemWithoutInternalsAsync(response);
        Assert.Empty(StoredObjects(tenant));
        Assert.Equal("[]", (await client.GetStringAsync("/dicomweb/instances")).Trim());
    }

    private async Task<HttpClient> ClientAsync(string tenant)
    {
        await factory.CreateTenantAsync(tenant);
        var (_, token) = await factory.CreateTokenAsync(tenant, Scopes.DicomwebRead, Scopes.DicomwebWrite);
        return factory.CreateClient(token);
    }

    private IEnumerable<string> StoredObjects(string tenant)
    {
        var folder = Path.Combine(factory.DataDirectory, "blobs", tenant);
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".dcm", StringComparison.Ordinal))
            : [];
    }

    private static async Task AssertProblemWithoutInternalsAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(text);
        Assert.Equal((int)response.StatusCode, problem.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/work/", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/tmp/", text, StringComparison.Ordinal);
    }

    private static HttpContent Content(HttpContent content)
    {
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/related; type=\"application/dicom\"; boundary={Boundary}");
        return content;
    }

    private static byte[] Body(params byte[][] parts)
    {
        using var body = new MemoryStream();
        foreach (var part in parts)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: application/dicom\r\n\r\n"));
            body.Write(part);
            body.Write("\r\n"u8);
        }
        body.Write(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
        return body.ToArray();
    }

    private static byte[] Corpus(string name) => File.ReadAllBytes(PydicomCorpus.TestFile(name));

    /// <summary>A readable stream that hides its length, so HttpClient sends the body chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 8192));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
