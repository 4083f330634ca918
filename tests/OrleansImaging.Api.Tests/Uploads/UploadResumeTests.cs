using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;
using static OrleansImaging.Api.Tests.Uploads.TusTestClient;

namespace OrleansImaging.Api.Tests.Uploads;

/// <summary>
/// Resuming against the real api process (`./imaging start`'s program) over TLS: a TCP connection reset in the middle of
/// a PATCH, and a SIGKILL of the api between chunks. In both the client asks HEAD where to go on, sends the rest, and the
/// instance that comes back is byte-identical, stored once.
/// </summary>
public sealed class UploadResumeTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-upload-resume-").FullName;
    private ApiProcess _api = null!;
    private string _token = "";

    public async Task InitializeAsync()
    {
        _api = await ApiProcess.StartAsync(_data);
        _token = await _api.CreateTenantAndTokenAsync("resume", Scopes.DicomwebRead, Scopes.DicomwebWrite);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Patch_ConnectionResetHalfWay_BytesThatArrivedAreCommitted_RestCompletesByteIdentical()
    {
        var bytes = SyntheticCt.Series(1, size: 512)[0].Bytes; // ~0.5 MB
        using var client = _api.CreateClient(_token);
        var location = await CreateAsync(client, bytes);
        var sent = 200_000;

        await SendThenResetAsync(location, bytes, sent);

        // The server notices the reset a moment after the client; the bytes it had by then are committed.
        var committed = await WaitForOffsetAsync(client, location, o => o > 0);
        Assert.InRange(committed, 1, sent);
        using var rest = await client.SendAsync(Patch(location, committed, bytes[(int)committed..]));
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        Assert.Equal("200", Header(rest, "Imaging-Stow-Status"));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await RetrieveAsync(client, bytes)));
    }

    [Fact]
    public async Task Api_SigkilledBetweenChunks_CommittedOffsetSurvives_UploadCompletesAfterRestart()
    {
        var bytes = SyntheticCt.Series(1, size: 256)[0].Bytes;
        string location;
        using (var client = _api.CreateClient(_token))
        {
            location = await CreateAsync(client, bytes);
            using var first = await client.SendAsync(Patch(location, 0, bytes[..50_000]));
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
            using var second = await client.SendAsync(Patch(location, 50_000, bytes[50_000..100_000]));
            Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        }

        Assert.Equal(137, await _api.KillAsync());
        await _api.DisposeAsync();
        _api = await ApiProcess.StartAsync(_data);

        using var again = _api.CreateClient(_token);
        using (var head = await again.SendAsync(Head(location)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(100_000, Offset(head));
        }
        using var rest = await again.SendAsync(Patch(location, 100_000, bytes[100_000..]));
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        Assert.Equal("200", Header(rest, "Imaging-Stow-Status"));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await RetrieveAsync(again, bytes)));
    }

    /// <summary>Writes a PATCH declaring the whole remaining length, sends <paramref name="sent"/> bytes, then resets the TCP connection.</summary>
    private async Task SendThenResetAsync(string location, byte[] bytes, int sent)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _api.BaseAddress.Port);
        var pinned = X509CertificateLoader.LoadCertificateFromFile(_api.CertificatePath).GetCertHashString();
        await using (var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: true,
            (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == pinned))
        {
            await tls.AuthenticateAsClientAsync("127.0.0.1");
            var head = string.Create(CultureInfo.InvariantCulture,
                $"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1:{_api.BaseAddress.Port}\r\nAuthorization: Bearer {_token}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: {bytes.Length}\r\n\r\n");
            await tls.WriteAsync(Encoding.ASCII.GetBytes(head));
            await tls.WriteAsync(bytes.AsMemory(0, sent));
            await tls.FlushAsync();
            await Task.Delay(500); // let the server read what was sent
        }
        socket.LingerState = new LingerOption(true, 0); // close with RST, as a dropped link or a killed client does
        socket.Close();
    }

    private static async Task<long> WaitForOffsetAsync(HttpClient client, string location, Func<long, bool> condition)
    {
        long offset = 0;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var head = await client.SendAsync(Head(location));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            offset = Offset(head);
            if (condition(offset))
                return offset;
            await Task.Delay(100);
        }
        return offset;
    }

    private static async Task<string> CreateAsync(HttpClient client, byte[] body)
    {
        using var request = Create(body);
        request.RequestUri = new Uri("uploads", UriKind.Relative);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.PathAndQuery;
    }

    private static async Task<byte[]> RetrieveAsync(HttpClient client, byte[] bytes)
    {
        var file = DicomFile.Parse(bytes);
        var url = $"dicomweb/studies/{file.Dataset.Get<string>(DicomTag.StudyInstanceUID)}/series/{file.Dataset.Get<string>(DicomTag.SeriesInstanceUID)}/instances/{file.Dataset.Get<string>(DicomTag.SOPInstanceUID)}";
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parts = MultipartRelated.Parse(response.Content.Headers.ContentType!.ToString(), await response.Content.ReadAsByteArrayAsync());
        return Assert.Single(parts).Body;
    }
}
