using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansImaging.Api.Dicomweb;

/// <summary>One part of a transcoded response: a file written for this request, or bytes in memory.</summary>
/// <param name="ContentType">The part's Content-Type, with the transfer syntax it is in.</param>
/// <param name="Path">The file holding the part, or null.</param>
/// <param name="Bytes">The part's bytes when <paramref name="Path"/> is null.</param>
public sealed record TranscodedPart(string ContentType, string? Path, ReadOnlyMemory<byte> Bytes);

/// <summary>
/// A <c>multipart/related</c> response (RFC 2387, PS3.18 8.6) of parts the server produced for this request rather
/// than read from blob storage: transcoded instances and decoded frames. The temporary files behind it are deleted
/// (by disposing <paramref name="owner"/>) when the response is written or fails, so nothing outlives the request.
/// </summary>
/// <param name="type">The <c>type</c> parameter: the media type of every part.</param>
/// <param name="parts">The parts, in order.</param>
/// <param name="owner">What to dispose once the response is written (the temporary files), or null.</param>
public sealed class TranscodedPartsResult(string type, IReadOnlyList<TranscodedPart> parts, IAsyncDisposable? owner) : IResult
{
    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        try
        {
            var response = httpContext.Response;
            var cancellationToken = httpContext.RequestAborted;
            var boundary = "oi-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = $"multipart/related; type=\"{type}\"; boundary={boundary}";
            response.Headers.CacheControl = "no-store"; // patient data
            httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            var body = response.Body;
            foreach (var part in parts)
            {
                await body.WriteAsync(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: {part.ContentType}\r\n\r\n"), cancellationToken);
                if (part.Path is null)
                {
                    await body.WriteAsync(part.Bytes, cancellationToken);
                }
                else
                {
                    await using var file = new FileStream(part.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    await file.CopyToAsync(body, 64 * 1024, cancellationToken);
                }
                await body.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
            }
            await body.WriteAsync(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"), cancellationToken);
        }
        finally
        {
            if (owner is not null)
                await owner.DisposeAsync();
        }
    }
}
