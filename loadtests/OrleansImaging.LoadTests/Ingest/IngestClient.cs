using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace OrleansImaging.LoadTests.Ingest;

/// <summary>What one STOW-RS request came back with.</summary>
internal sealed record StowOutcome(HttpStatusCode Status, int Referenced, int Failed, string? Problem);

/// <summary>The DICOMweb client side of the ingest benchmark: STOW-RS of files streamed from disk, QIDO counts.</summary>
internal static class IngestClient
{
    /// <summary>
    /// An HTTP/1.1 client with up to <paramref name="maxConnections"/> connections; over HTTPS it trusts exactly
    /// <paramref name="pinned"/> when given (the instance's self-signed certificate), otherwise the system's roots.
    /// </summary>
    public static HttpClient Create(Uri baseAddress, int maxConnections, X509Certificate2? pinned)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        };
        if (pinned is not null)
        {
            var thumbprint = pinned.Thumbprint;
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && string.Equals(certificate.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase),
            };
        }
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(10) };
    }

    /// <summary>Sends <paramref name="files"/> as one STOW-RS request and counts the response's referenced and failed instances.</summary>
    public static async Task<StowOutcome> StoreAsync(HttpClient client, string token, IReadOnlyList<CorpusFile> files, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/dicomweb/studies") { Content = new MultipartFilesContent(files) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType != "application/dicom+json")
            return new StowOutcome(response.StatusCode, 0, files.Count, Encoding.UTF8.GetString(body));
        using var json = JsonDocument.Parse(body);
        return new StowOutcome(response.StatusCode, Count(json.RootElement, "00081199"), Count(json.RootElement, "00081198"), null);
    }

    /// <summary>NumberOfStudyRelatedInstances of <paramref name="study"/> by QIDO-RS, or null when the study is not found.</summary>
    public static async Task<int?> CountStudyInstancesAsync(HttpClient client, string token, string study, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies?StudyInstanceUID={study}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
            return null;
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        if (json.RootElement.GetArrayLength() != 1)
            return null;
        var value = json.RootElement[0].GetProperty("00201208").GetProperty("Value")[0];
        return value.ValueKind == JsonValueKind.String ? int.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt32();
    }

    private static int Count(JsonElement root, string tag) =>
        root.TryGetProperty(tag, out var sequence) && sequence.TryGetProperty("Value", out var items) ? items.GetArrayLength() : 0;

    /// <summary>
    /// <c>multipart/related; type="application/dicom"</c> whose parts are files read from disk while the body is
    /// sent (never whole in memory); its length is known up front, so the request has a Content-Length.
    /// </summary>
    private sealed class MultipartFilesContent : HttpContent
    {
        private const int CopyBufferSize = 64 * 1024;
        private readonly IReadOnlyList<CorpusFile> _files;
        private readonly byte[] _partHeader;
        private readonly byte[] _closing;

        public MultipartFilesContent(IReadOnlyList<CorpusFile> files)
        {
            _files = files;
            var boundary = "imaging-" + Guid.NewGuid().ToString("N");
            _partHeader = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n");
            _closing = Encoding.ASCII.GetBytes($"--{boundary}--\r\n");
            Headers.TryAddWithoutValidation("Content-Type", $"multipart/related; type=\"application/dicom\"; boundary={boundary}");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            foreach (var file in _files)
            {
                await stream.WriteAsync(_partHeader, cancellationToken);
                var source = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (source.ConfigureAwait(false))
                    await source.CopyToAsync(stream, CopyBufferSize, cancellationToken);
                await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
            }
            await stream.WriteAsync(_closing, cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = _closing.Length + _files.Sum(f => _partHeader.Length + f.Length + 2);
            return true;
        }
    }
}
