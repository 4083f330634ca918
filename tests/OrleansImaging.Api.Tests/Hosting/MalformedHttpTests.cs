using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OrleansImaging.Api.Tests.Peers;

namespace OrleansImaging.Api.Tests.Hosting;

/// <summary>
/// Requests the HTTP server itself cannot parse, sent byte by byte over TLS to the real api process: each gets a bare
/// 400 that names neither the server nor the framework and echoes nothing of what was sent (S10.2, S1.2).
/// </summary>
public sealed class MalformedHttpTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-malformed-http-").FullName;
    private ApiProcess _api = null!;

    public async Task InitializeAsync() => _api = await ApiProcess.StartAsync(_data);

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Theory]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: x\r\nThis line is no header\r\n\r\n", "400")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: twelve\r\n\r\n", "400")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n", "400")]
    [InlineData("GET /healthz\r\n\r\n", "400")]
    [InlineData("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", "505")]
    public async Task RequestKestrelCannotParse_BareErrorWithoutServerOrFrameworkDetails_S10_2(string request, string status)
    {
        var answer = await SendRawAsync(request);

        Assert.StartsWith("HTTP/1.1 " + status, answer, StringComparison.Ordinal);
        var (head, body) = Split(answer);
        Assert.DoesNotContain("Server:", head, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("X-Powered-By", head, StringComparison.OrdinalIgnoreCase);
        foreach (var leak in new[] { "Kestrel", "Microsoft", "Exception", "at ", ".cs", "healthz", "twelve" })
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
    }

    private async Task<string> SendRawAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_api.BaseAddress.Host, _api.BaseAddress.Port);
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(_api.CertificatePath);
        await using var tls = new SslStream(client.GetStream(), false, (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(certificate.RawData));
        await tls.AuthenticateAsClientAsync("127.0.0.1");
        await tls.WriteAsync(Encoding.Latin1.GetBytes(request));
        await tls.FlushAsync();
        // The answer is complete when the server closes the connection (it does after an error) or, failing that, after 5 s.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await tls.ReadAsync(buffer, timeout.Token)) > 0)
                received.Write(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The server closes the connection after a 400; what arrived before is the answer.
        }
        return Encoding.Latin1.GetString(received.ToArray());
    }

    private static (string Head, string Body) Split(string answer)
    {
        var end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return end < 0 ? (answer, "") : (answer[..end], answer[(end + 4)..]);
    }
}
