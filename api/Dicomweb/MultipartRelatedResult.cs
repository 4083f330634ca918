using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Dicomweb;

/// <summary>
/// One part of a retrieve response: a whole stored object (<see cref="Segments"/> null) or pieces of one (ranges
/// read from the blob, or bytes already held), with the part's Content-Type.
/// </summary>
/// <param name="ContentType">The part's Content-Type, parameters included.</param>
/// <param name="BlobKey">The stored object the bytes come from.</param>
/// <param name="Segments">The pieces, in order; null for the whole object.</param>
/// <param name="Length">The part's length in bytes: the catalogue's size for a whole object, the pieces' sum otherwise.</param>
public sealed record BlobPart(string ContentType, string BlobKey, IReadOnlyList<DicomValueSegment>? Segments, long Length)
{
    /// <summary>A whole stored object of <paramref name="size"/> bytes.</summary>
    public static BlobPart Whole(string contentType, string blobKey, long size) => new(contentType, blobKey, null, size);

    /// <summary>A located value of a stored object.</summary>
    public static BlobPart Located(string contentType, string blobKey, DicomValueLocation location) =>
        new(contentType, blobKey, location.Segments, location.Length);
}

/// <summary>
/// A <c>multipart/related</c> response (RFC 2387, PS3.18 8.6) streamed part by part from blob storage: each part is
/// copied with the request's cancellation in 64 KiB chunks, so a 2,000-instance study costs one buffer, not a study.
/// A part is opened before its boundary is written, so a missing first object still becomes a problem response; a
/// failure after the first byte aborts the response rather than ending it with a closing boundary, so a client never
/// takes a truncated body for a whole one.
/// </summary>
/// <param name="blobs">Where the objects are.</param>
/// <param name="type">The <c>type</c> parameter: the media type of the root (every) part.</param>
/// <param name="parts">The parts, in order; enumerated once, while writing.</param>
public sealed class MultipartRelatedResult(IBlobStore blobs, string type, IEnumerable<BlobPart> parts) : IResult
{
    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        // Random, so no byte sequence in a stored object can be taken for it (RFC 2046 5.1.1: at most 70 characters).
        var boundary = "oi-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = $"multipart/related; type=\"{type}\"; boundary={boundary}";
        response.Headers.CacheControl = "no-store"; // patient data (S6.6)
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var body = response.Body;
        foreach (var part in parts)
        {
            await using var first = await BlobPartWriter.OpenFirstAsync(blobs, part, cancellationToken);
            await body.WriteAsync(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: {part.ContentType}\r\n\r\n"), cancellationToken);
            await BlobPartWriter.CopyAsync(blobs, part, first, body, cancellationToken);
            await body.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        }
        await body.WriteAsync(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"), cancellationToken);
    }
}

/// <summary>A single-part response (e.g. <c>application/octet-stream</c> bulk data) streamed from blob storage.</summary>
/// <param name="blobs">Where the object is.</param>
/// <param name="part">The part; its Content-Type becomes the response's.</param>
public sealed class SinglePartResult(IBlobStore blobs, BlobPart part) : IResult
{
    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        await using var first = await BlobPartWriter.OpenFirstAsync(blobs, part, cancellationToken);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = part.ContentType;
        response.ContentLength = part.Length;
        response.Headers.CacheControl = "no-store";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await BlobPartWriter.CopyAsync(blobs, part, first, response.Body, cancellationToken);
    }
}

/// <summary>Copies a part's bytes, checking that the store gave exactly as many as the catalogue or the header promised.</summary>
internal static class BlobPartWriter
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Opens the first blob stream the part needs (null when its first piece is held bytes).</summary>
    public static async Task<Stream?> OpenFirstAsync(IBlobStore blobs, BlobPart part, CancellationToken cancellationToken)
    {
        if (part.Segments is null)
            return await blobs.OpenReadAsync(part.BlobKey, cancellationToken) ?? throw Missing();
        if (part.Segments.Count > 0 && part.Segments[0] is { IsInObject: true } segment)
            return await blobs.OpenRangeAsync(part.BlobKey, segment.Offset, segment.Length, cancellationToken) ?? throw Missing();
        return null;
    }

    /// <summary>Writes the part's bytes to <paramref name="destination"/>, starting with the already opened <paramref name="first"/>.</summary>
    public static async Task CopyAsync(IBlobStore blobs, BlobPart part, Stream? first, Stream destination, CancellationToken cancellationToken)
    {
        if (part.Segments is null)
        {
            await CopyExactlyAsync(first!, destination, part.Length, cancellationToken);
            return;
        }
        for (var i = 0; i < part.Segments.Count; i++)
        {
            var segment = part.Segments[i];
            if (!segment.IsInObject)
            {
                await destination.WriteAsync(segment.Bytes, cancellationToken);
                continue;
            }
            if (i == 0)
            {
                await CopyExactlyAsync(first!, destination, segment.Length, cancellationToken);
                continue;
            }
            await using var range = await blobs.OpenRangeAsync(part.BlobKey, segment.Offset, segment.Length, cancellationToken) ?? throw Missing();
            await CopyExactlyAsync(range, destination, segment.Length, cancellationToken);
        }
    }

    private static async Task CopyExactlyAsync(Stream source, Stream destination, long expected, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long copied = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                copied += read;
                if (copied > expected)
                    break;
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            if (copied != expected)
            {
                // The catalogue and the object disagree: end the response abnormally rather than send other bytes.
                throw new InvalidOperationException($"A stored object holds {(copied > expected ? "more" : "fewer")} bytes than its catalogue entry says.");
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static InvalidOperationException Missing() => new("A catalogued object is missing from blob storage.");
}
