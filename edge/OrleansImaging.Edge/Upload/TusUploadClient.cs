using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OrleansImaging.Edge.Upload;

/// <summary>The cloud's answer once an upload is ingested.</summary>
/// <param name="StowStatus">200 kept, 202 some failed, 409 none kept, 400 not valid.</param>
/// <param name="AlreadyStored">Instances the cloud already held with the same content.</param>
/// <param name="Detail">The failure reasons, from <c>GET /uploads/{id}</c>, when something was not kept.</param>
internal sealed record UploadResult(int StowStatus, int AlreadyStored, string? Detail);

/// <summary>The cloud refuses the credential or the client itself (401, 403, 412): no file can be sent, so the run stops.</summary>
internal sealed class UploadAbortedException(string message) : Exception(message);

/// <summary>The cloud refused for good (not a transient failure): retrying the same request will not help.</summary>
internal sealed class UploadRefusedException(string message, HttpStatusCode? status = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// A client of the cloud's resumable upload protocol (tus 1.0 with our whole-object SHA-256, docs/upload.md):
/// create, ask the committed offset, send chunks from there, read the outcome. Transient failures (network, 5xx,
/// 409 on an offset the server moved) are retried with exponential backoff from the offset HEAD reports.
/// Safe to share between concurrent uploads (it keeps no per-upload state); <paramref name="throttle"/> is then
/// shared by all of them. <paramref name="log"/>, if given, hears where an upload resumes.
/// </summary>
internal sealed class TusUploadClient(HttpClient http, int chunkSize, int maxAttempts, Func<long, CancellationToken, ValueTask>? throttle = null, Action<string>? log = null)
{
    /// <summary>Creates an upload of <paramref name="length"/> bytes; returns its absolute URL.</summary>
    public Task<Uri> CreateAsync(long length, string sha256, string fileName, CancellationToken cancellationToken) =>
        CreateAsync(length, sha256, fileName, "application/dicom", cancellationToken);

    /// <summary>Creates an upload of <paramref name="contentType"/> (one Part 10 file, or a multipart/related STOW body); returns its absolute URL.</summary>
    public async Task<Uri> CreateAsync(long length, string sha256, string fileName, string contentType, CancellationToken cancellationToken)
    {
        return await RetryAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "uploads");
            request.Headers.Add("Tus-Resumable", "1.0.0");
            request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("Upload-Metadata", $"sha256 {B64(sha256)},contentType {B64(contentType)},filename {B64(fileName)}");
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Created || response.Headers.Location is null)
                throw await FailureAsync(response, "creating the upload");
            return new Uri(http.BaseAddress!, response.Headers.Location);
        }, cancellationToken);
    }

    /// <summary>Sends <paramref name="file"/> to <paramref name="upload"/> from the committed offset on, and returns the ingest outcome.</summary>
    /// <exception cref="UploadRefusedException">The upload is gone (404/410), or the cloud refused the object.</exception>
    public Task<UploadResult> SendAsync(Uri upload, string file, IProgress<long> progress, CancellationToken cancellationToken) =>
        SendAsync(upload, () => new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan), file, progress, cancellationToken);

    /// <summary>
    /// Sends the body <paramref name="open"/> gives (a seekable stream, opened anew for each attempt) to
    /// <paramref name="upload"/> from the committed offset on, and returns the ingest outcome.
    /// </summary>
    /// <exception cref="UploadRefusedException">The upload is gone (404/410), the cloud refused the object, or the body changed.</exception>
    public async Task<UploadResult> SendAsync(Uri upload, Func<Stream> open, string name, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            try
            {
                var (offset, length, result) = await HeadAsync(upload, cancellationToken);
                progress.Report(offset);
                if (result is not null)
                    return await WithDetailAsync(upload, result, cancellationToken);
                if (offset > 0)
                    log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"upload {upload.AbsolutePath}: resuming at byte {offset} of {length} (committed by the cloud)"));
                await using var stream = open();
                if (stream.Length != length)
                    throw new UploadRefusedException($"'{name}' changed since the upload began ({stream.Length} bytes, not {length}).");
                stream.Position = offset;
                // Pooled: a fresh 8 MiB array per batch cost a zeroing and 2,048 page faults each time (perf on bench dimse).
                var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(chunkSize, Math.Max(1, length - offset)));
                try
                {
                    while (true)
                    {
                        var want = (int)Math.Clamp(Math.Min(chunkSize, length - offset), 0, buffer.Length); // a rented array may be longer
                        var read = await stream.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false, cancellationToken);
                        if (throttle is not null)
                            await throttle(read, cancellationToken);
                        using var request = new HttpRequestMessage(HttpMethod.Patch, upload) { Content = new ByteArrayContent(buffer, 0, read) };
                        request.Headers.Add("Tus-Resumable", "1.0.0");
                        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
                        // Over HTTPS, TLS already protects each chunk in transit, and the whole-object SHA-256 is checked before
                        // anything is ingested: a chunk checksum there only hashed every byte a second time (a fifth of the
                        // edge's CPU is libcrypto). Over plain HTTP it still catches a chunk corrupted on the way.
                        if (upload.Scheme != Uri.UriSchemeHttps)
                            request.Headers.Add("Upload-Checksum", "sha256 " + Convert.ToBase64String(SHA256.HashData(buffer.AsSpan(0, read))));
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
                        using var response = await http.SendAsync(request, cancellationToken);
                        if (response.StatusCode != HttpStatusCode.NoContent)
                            throw await FailureAsync(response, "sending a chunk");
                        offset = long.Parse(response.Headers.GetValues("Upload-Offset").First(), CultureInfo.InvariantCulture);
                        failures = 0;
                        progress.Report(offset);
                        if (ResultOf(response) is { } done)
                            return await WithDetailAsync(upload, done, cancellationToken);
                        if (offset >= length)
                            break; // every byte sent but no outcome: ask again (HEAD) and complete with an empty PATCH
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                // Complete again: an empty PATCH at the end ingests (or returns what was ingested).
                using var complete = new HttpRequestMessage(HttpMethod.Patch, upload) { Content = new ByteArrayContent([]) };
                complete.Headers.Add("Tus-Resumable", "1.0.0");
                complete.Headers.Add("Upload-Offset", length.ToString(CultureInfo.InvariantCulture));
                complete.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
                using var completed = await http.SendAsync(complete, cancellationToken);
                if (completed.StatusCode != HttpStatusCode.NoContent || ResultOf(completed) is not { } final)
                    throw await FailureAsync(completed, "completing the upload");
                return await WithDetailAsync(upload, final, cancellationToken);
            }
            catch (Exception ex) when (IsTransient(ex) && ++failures < maxAttempts)
            {
                await Task.Delay(Backoff(failures), cancellationToken);
            }
        }
    }

    private async Task<(long Offset, long Length, UploadResult? Result)> HeadAsync(Uri upload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, upload);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
            throw await FailureAsync(response, "asking the committed offset");
        var offset = long.Parse(response.Headers.GetValues("Upload-Offset").First(), CultureInfo.InvariantCulture);
        var length = long.Parse(response.Headers.GetValues("Upload-Length").First(), CultureInfo.InvariantCulture);
        return (offset, length, ResultOf(response));
    }

    private async Task<UploadResult> WithDetailAsync(Uri upload, UploadResult result, CancellationToken cancellationToken)
    {
        if (result.StowStatus == 200)
            return result;
        using var response = await http.GetAsync(upload, cancellationToken);
        var detail = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(cancellationToken) : null;
        return result with { Detail = detail is null ? null : FailureText(detail) };
    }

    private static UploadResult? ResultOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Imaging-Stow-Status", out var status)
            ? new UploadResult(
                int.Parse(status.First(), CultureInfo.InvariantCulture),
                response.Headers.TryGetValues("Imaging-Already-Stored", out var already) ? int.Parse(already.First(), CultureInfo.InvariantCulture) : 0,
                null)
            : null;

    /// <summary>The failure reasons of GET's JSON in words (PS3.18 Table I.2-1 codes).</summary>
    private static string FailureText(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("outcome", out var outcome) || outcome.ValueKind != System.Text.Json.JsonValueKind.Object)
            return "no outcome";
        if (outcome.TryGetProperty("problem", out var problem) && problem.ValueKind == System.Text.Json.JsonValueKind.String)
            return problem.GetString()!;
        var reasons = outcome.GetProperty("failed").EnumerateArray()
            .Select(f => f.GetProperty("reason").GetString() switch
            {
                "C000" => "not readable as DICOM",
                "A900" => "the data set does not match (a UID is missing or malformed)",
                "0111" => "the cloud holds this SOP Instance UID with different content",
                "0110" => "the cloud could not process it",
                var code => "failure reason " + code,
            })
            .Distinct();
        return string.Join("; ", reasons);
    }

    private static async Task<Exception> FailureAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync();
        var detail = ProblemDetail(body) ?? response.ReasonPhrase ?? "";
        var message = $"The cloud answered {status} while {what}: {detail}";
        if (status is 401 or 403 or 412)
            return new UploadAbortedException(status switch
            {
                401 => "The cloud does not accept the token (401): check --token; nothing was sent.",
                403 => "The token may not store studies (403): it needs the dicomweb:write scope; nothing was sent.",
                _ => message,
            });
        return status is 404 or 410 or 400 or 413 or 415 or 460
            ? new UploadRefusedException(message, response.StatusCode)
            : new HttpRequestException(message, null, response.StatusCode); // 409 (offset moved), 5xx, 429: try again from HEAD
    }

    private static string? ProblemDetail(string body)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static bool IsTransient(Exception ex) => ex is HttpRequestException or IOException || ex is TaskCanceledException { InnerException: TimeoutException };

    private async Task<T> RetryAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < maxAttempts)
            {
                await Task.Delay(Backoff(attempt), cancellationToken);
            }
        }
    }

    /// <summary>0.5 s, 1 s, 2 s … up to 30 s, with up to 25% jitter so many edges do not retry in step.</summary>
    internal static TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(30, 0.5 * Math.Pow(2, attempt - 1));
        return TimeSpan.FromSeconds(seconds * (1 + Random.Shared.NextDouble() / 4));
    }

    private static string B64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
}
