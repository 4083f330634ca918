using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OrleansImaging.Api.Authentication;
using OrleansImaging.Api.Dicomweb;
using OrleansImaging.Api.Hosting;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Uploads;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// Resumable uploads under <c>/uploads</c>, following tus 1.0 (core, creation, termination, checksum with sha256,
/// expiration; docs/upload.md). Each PATCH becomes one chunk blob, made durable before the upload grain records it, so
/// the offset a HEAD reports is never lost; a connection cut mid-PATCH keeps what arrived. When the last byte is
/// committed the whole object is read once through the STOW-RS ingest path, hashed on the way, and nothing reaches a
/// study unless the hash equals the one declared at creation.
/// </summary>
public static class UploadApi
{
    /// <summary>The protocol version we speak.</summary>
    public const string TusVersion = "1.0.0";

    /// <summary>The tus extensions offered.</summary>
    public const string TusExtensions = "creation,termination,checksum,expiration";

    /// <summary>Our status header: receiving, received, ingested.</summary>
    public const string StatusHeader = "Imaging-Upload-Status";

    /// <summary>Our header with the STOW-RS status of the ingest (200, 202, 409, 400) once ingested.</summary>
    public const string StowStatusHeader = "Imaging-Stow-Status";

    /// <summary>Our header with how many of the upload's instances the archive already held, once ingested.</summary>
    public const string AlreadyStoredHeader = "Imaging-Already-Stored";

    private const string ChunkMediaType = "application/offset+octet-stream";

    // tus' status for a checksum that does not match.
    private const int ChecksumMismatch = 460;

    /// <summary>Maps <c>/uploads</c>.</summary>
    public static RouteGroupBuilder MapUploadApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/uploads").RequireAuthorization();
        group.MapMethods("/", [HttpMethods.Options], Options);
        group.MapPost("/", CreateAsync);
        group.MapMethods("/{uploadId}", [HttpMethods.Head], HeadAsync);
        group.MapGet("/{uploadId}", GetAsync);
        group.MapPatch("/{uploadId}", PatchAsync);
        group.MapDelete("/{uploadId}", DeleteAsync);
        return group;
    }

    /// <summary>tus discovery: version, extensions, maximum size, checksum algorithms.</summary>
    public static IResult Options(HttpContext http, ImagingHostOptions options)
    {
        var headers = http.Response.Headers;
        headers["Tus-Resumable"] = TusVersion;
        headers["Tus-Version"] = TusVersion;
        headers["Tus-Extension"] = TusExtensions;
        headers["Tus-Max-Size"] = options.MaxStowRequestBytes.ToString(CultureInfo.InvariantCulture);
        headers["Tus-Checksum-Algorithm"] = "sha256";
        return TypedResults.NoContent();
    }

    /// <summary>Creates an upload (tus creation): Upload-Length and Upload-Metadata with sha256 and contentType.</summary>
    public static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains, ImagingHostOptions options)
    {
        if (Precondition(http) is { } failed)
            return failed;
        if (ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
            return TypedResults.Unauthorized();
        var request = http.Request.Headers;
        if (request.ContainsKey("Upload-Defer-Length"))
            return Problem(StatusCodes.Status400BadRequest, "Upload-Defer-Length is not supported: declare Upload-Length.");
        if (!long.TryParse(request["Upload-Length"], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length < 1)
            return Problem(StatusCodes.Status400BadRequest, "Upload-Length must be a positive number of bytes.");
        if (length > options.MaxStowRequestBytes)
            return Problem(StatusCodes.Status413PayloadTooLarge, $"Upload-Length is larger than Tus-Max-Size, {options.MaxStowRequestBytes} bytes.");
        if (http.Request.ContentLength > 0 || http.Request.Headers.ContentType.Count > 0)
            return Problem(StatusCodes.Status400BadRequest, "Creation takes no body (creation-with-upload is not offered): send the bytes with PATCH.");
        if (ParseMetadata(request["Upload-Metadata"].ToString(), out var metadata) is { } metadataProblem)
            return Problem(StatusCodes.Status400BadRequest, metadataProblem);
        var contentType = metadata.GetValueOrDefault("contentType") ?? "application/dicom";
        if (CheckContentType(contentType, out _) is { } typeProblem)
            return Problem(StatusCodes.Status400BadRequest, typeProblem);
        if (metadata.GetValueOrDefault("sha256") is not { } sha256)
            return Problem(StatusCodes.Status400BadRequest, "Upload-Metadata must carry sha256: the whole object's SHA-256 as 64 lower-case hex digits.");
        var upload = new NewUpload(length, sha256, contentType, metadata.GetValueOrDefault("study"), metadata.GetValueOrDefault("filename"));
        var uploadId = Guid.NewGuid().ToString("N");
        var info = await grains.GetGrain<IUploadGrain>(GrainKeys.Upload(caller.TenantId, uploadId)).CreateAsync(upload);
        SetUploadHeaders(http, info);
        http.Response.Headers.Location = $"{http.Request.Scheme}://{http.Request.Host}/uploads/{uploadId}";
        return TypedResults.StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>The committed offset (tus core), with Upload-Length, Upload-Expires and our status header.</summary>
    public static async Task<IResult> HeadAsync(HttpContext http, IGrainFactory grains, IBlobStore blobs, TimeProvider time, string uploadId)
    {
        // A HEAD answer has no body, so errors are bare status codes.
        if (Precondition(http) is not null)
            return TypedResults.StatusCode(StatusCodes.Status412PreconditionFailed);
        try
        {
            var (grain, info) = await FindAsync(http, grains, uploadId);
            if (info is null || grain is null)
                return TypedResults.NotFound();
            if (await ExpireAsync(grain, info, blobs, time))
                return TypedResults.StatusCode(StatusCodes.Status410Gone);
            SetUploadHeaders(http, info);
            return TypedResults.Ok();
        }
        catch (ImagingException ex) when (ex.Code == ErrorCodes.NotFound)
        {
            return TypedResults.NotFound();
        }
    }

    /// <summary>The upload as JSON, with the ingest outcome once ingested (our addition to tus).</summary>
    public static async Task<IResult> GetAsync(HttpContext http, IGrainFactory grains, IBlobStore blobs, TimeProvider time, string uploadId)
    {
        var (grain, info) = await FindAsync(http, grains, uploadId);
        if (info is null || grain is null)
            return Problem(StatusCodes.Status404NotFound, "Upload not found.");
        if (await ExpireAsync(grain, info, blobs, time))
            return Problem(StatusCodes.Status410Gone, "The upload expired and was removed; start a new one.");
        SetUploadHeaders(http, info);
        return TypedResults.Json(new
        {
            info.UploadId,
            info.Length,
            info.Offset,
            Status = StatusName(info.Status),
            info.FileName,
            info.StudyInstanceUid,
            info.CreatedAt,
            info.ExpiresAt,
            Outcome = info.Outcome is { } o
                ? new { o.StowStatus, o.Referenced, o.AlreadyStored, FailedCount = o.Failed.Count, Failed = o.Failed.Select(f => new { f.SopInstanceUid, Reason = f.Reason.ToString("X4", CultureInfo.InvariantCulture) }), o.Problem }
                : null,
        });
    }

    /// <summary>Appends a chunk at Upload-Offset (tus core); the last one ingests the object.</summary>
    public static async Task<IResult> PatchAsync(HttpContext http, IGrainFactory grains, IBlobStore blobs, TimeProvider time, ImagingHostOptions options, string uploadId)
    {
        if (Precondition(http) is { } failed)
            return failed;
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) || !type.MediaType.Equals(ChunkMediaType, StringComparison.OrdinalIgnoreCase))
            return Problem(StatusCodes.Status415UnsupportedMediaType, $"PATCH takes Content-Type: {ChunkMediaType}.");
        if (!long.TryParse(http.Request.Headers["Upload-Offset"], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            return Problem(StatusCodes.Status400BadRequest, "Upload-Offset must be the committed offset, a number of bytes.");
        byte[]? expectedChunkSha256 = null;
        if (http.Request.Headers["Upload-Checksum"].ToString() is { Length: > 0 } checksum && ParseChecksum(checksum, out expectedChunkSha256) is { } checksumProblem)
            return Problem(StatusCodes.Status400BadRequest, checksumProblem);
        var (grain, info) = await FindAsync(http, grains, uploadId);
        if (info is null || grain is null)
            return Problem(StatusCodes.Status404NotFound, "Upload not found.");
        if (await ExpireAsync(grain, info, blobs, time))
            return Problem(StatusCodes.Status410Gone, "The upload expired and was removed; start a new one.");

        // Every byte is there already: a client that lost the answer to its last PATCH (or a server that stopped while
        // ingesting) completes it again with an empty PATCH at the end. Ingest is idempotent.
        if (info.Status != UploadStatus.Receiving && offset == info.Length)
            return await CompleteAsync(http, grain, info, blobs, grains, options);

        var lease = await grain.BeginChunkAsync(offset);
        var remaining = info.Length - offset;
        var body = new ChunkBodyStream(http.Request.Body, remaining);
        BlobWriteResult written;
        try
        {
            // Not the request's token: a cut connection ends the body (kept) rather than the write.
            written = await blobs.PutAsync(lease.BlobKey, body, CancellationToken.None);
        }
        catch
        {
            await grain.AbandonChunkAsync(lease.LeaseId);
            await blobs.DeleteAsync(lease.BlobKey, CancellationToken.None);
            throw;
        }
        if (body.PastLength || written.Length == 0 || expectedChunkSha256 is not null && !Convert.FromHexString(written.Sha256).AsSpan().SequenceEqual(expectedChunkSha256))
        {
            await grain.AbandonChunkAsync(lease.LeaseId);
            await blobs.DeleteAsync(lease.BlobKey, CancellationToken.None);
            if (body.PastLength)
                return Problem(StatusCodes.Status413PayloadTooLarge, $"The chunk runs past Upload-Length; at most {remaining} more bytes are expected.");
            if (written.Length > 0)
                return Problem(ChecksumMismatch, "The chunk's SHA-256 differs from Upload-Checksum; it was discarded. Send it again from the committed offset.");
            http.Response.Headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
            return TypedResults.NoContent();
        }
        try
        {
            info = await grain.CommitChunkAsync(lease.LeaseId, written.Length);
        }
        catch (ImagingException)
        {
            await blobs.DeleteAsync(lease.BlobKey, CancellationToken.None);
            throw;
        }
        if (body.Cut)
            return TypedResults.Empty; // nobody is listening; what arrived is committed
        if (info.Offset == info.Length)
            return await CompleteAsync(http, grain, info, blobs, grains, options);
        SetUploadHeaders(http, info);
        return TypedResults.NoContent();
    }

    /// <summary>Ends an upload and removes its bytes (tus termination).</summary>
    public static async Task<IResult> DeleteAsync(HttpContext http, IGrainFactory grains, IBlobStore blobs, string uploadId)
    {
        if (Precondition(http) is { } failed)
            return failed;
        var (grain, info) = await FindAsync(http, grains, uploadId);
        if (info is null || grain is null)
            return Problem(StatusCodes.Status404NotFound, "Upload not found.");
        await RemoveAsync(grain, blobs);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Ingests the whole object through the STOW-RS path, hashing it on the way; nothing reaches a study grain unless the
    /// SHA-256 matches the declared one. It runs to its end even if the client goes away (the outcome is recorded).
    /// </summary>
    private static async Task<IResult> CompleteAsync(HttpContext http, IUploadGrain grain, UploadInfo info, IBlobStore blobs, IGrainFactory grains, ImagingHostOptions options)
    {
        if (info.Outcome is not null)
        {
            SetUploadHeaders(http, info);
            return TypedResults.NoContent();
        }
        if (ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
            return TypedResults.Unauthorized();
        var chunks = await grain.GetChunksAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var whole = new HashingStream(new ChunkedBlobStream(blobs, chunks), hash);
        var baseUrl = options.DicomwebBaseUrl; // not the Host header: it is stored in BulkDataURIs every reader gets (S9.2)
        CheckContentType(info.ContentType, out var boundary);
        var reader = boundary is null ? null : new MultipartReader(boundary, whole, 64 * 1024) { BodyLengthLimit = null, HeadersLengthLimit = 16 * 1024 };
        var single = boundary is null;
        UploadOutcome outcome;
        try
        {
            var response = await StowIngest.IngestAsync(grains, blobs, caller.TenantId, info.StudyInstanceUid, baseUrl, NextPartAsync, Verify, CancellationToken.None);
            outcome = response.ReferencedCount + response.FailedCount == 0
                ? new UploadOutcome(StatusCodes.Status400BadRequest, 0, [], "The upload holds no DICOM part.")
                : new UploadOutcome(response.StatusCode, response.ReferencedCount, [.. response.Failures.Select(f => new UploadFailure(f.SopInstanceUid, f.Reason))],
                    AlreadyStored: response.AlreadyStoredCount);
        }
        catch (IngestRefusedException ex)
        {
            // The bytes are not what the client meant to send: keeping them would only resume a wrong object.
            await RemoveAsync(grain, blobs);
            return Problem(ChecksumMismatch, ex.Message);
        }
        catch (ChunkMissingException)
        {
            // Another completion of the same upload finished first and removed the chunks: its outcome stands.
            info = await grain.GetAsync();
            if (info.Outcome is null)
                return Problem(StatusCodes.Status409Conflict, "The upload is being completed by another request; ask with HEAD.");
            SetUploadHeaders(http, info);
            return TypedResults.NoContent();
        }
        catch (InvalidDataException ex)
        {
            outcome = new UploadOutcome(StatusCodes.Status400BadRequest, 0, [], "The upload is not a valid multipart/related body: " + ex.Message);
        }
        catch (IOException ex) when (ex is not ChunkMissingException)
        {
            outcome = new UploadOutcome(StatusCodes.Status400BadRequest, 0, [], "The upload is not a valid multipart/related body, or it ends before its final boundary.");
        }
        info = await grain.RecordOutcomeAsync(outcome);
        foreach (var chunk in chunks)
            await blobs.DeleteAsync(chunk.BlobKey, CancellationToken.None);
        SetUploadHeaders(http, info);
        return TypedResults.NoContent();

        async Task<IngestPart?> NextPartAsync(CancellationToken cancellationToken)
        {
            if (single)
            {
                single = false;
                return new IngestPart(whole, "application/dicom");
            }
            if (reader is not null && await reader.ReadNextSectionAsync(cancellationToken) is { } section)
                return new IngestPart(section.Body, section.ContentType);
            // The hash covers every byte, the multipart epilogue included.
            await whole.CopyToAsync(Stream.Null, cancellationToken);
            return null;
        }

        string? Verify()
        {
            var actual = Convert.ToHexStringLower(hash.GetCurrentHash());
            return actual == info.Sha256 ? null
                : $"The uploaded object's SHA-256 is {actual}, not the {info.Sha256} declared at creation; nothing was stored and the upload was removed. Start a new upload.";
        }
    }

    private static async Task<(IUploadGrain? Grain, UploadInfo? Info)> FindAsync(HttpContext http, IGrainFactory grains, string uploadId)
    {
        if (ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller || !GrainKeys.IsValidUploadId(uploadId) || !GrainKeys.IsValidTenantId(caller.TenantId))
            return (null, null);
        var grain = grains.GetGrain<IUploadGrain>(GrainKeys.Upload(caller.TenantId, uploadId));
        return (grain, await grain.GetAsync());
    }

    private static async Task<bool> ExpireAsync(IUploadGrain grain, UploadInfo info, IBlobStore blobs, TimeProvider time)
    {
        if (info.Outcome is not null || time.GetUtcNow() <= info.ExpiresAt)
            return false;
        await RemoveAsync(grain, blobs);
        return true;
    }

    private static async Task RemoveAsync(IUploadGrain grain, IBlobStore blobs)
    {
        foreach (var chunk in await grain.DeleteAsync())
            await blobs.DeleteAsync(chunk.BlobKey, CancellationToken.None);
    }

    private static IResult? Precondition(HttpContext http)
    {
        http.Response.Headers["Tus-Resumable"] = TusVersion;
        if (http.Request.Headers["Tus-Resumable"] == TusVersion)
            return null;
        http.Response.Headers["Tus-Version"] = TusVersion;
        return Problem(StatusCodes.Status412PreconditionFailed, $"Send Tus-Resumable: {TusVersion}.");
    }

    private static void SetUploadHeaders(HttpContext http, UploadInfo info)
    {
        var headers = http.Response.Headers;
        headers["Upload-Offset"] = info.Offset.ToString(CultureInfo.InvariantCulture);
        headers["Upload-Length"] = info.Length.ToString(CultureInfo.InvariantCulture);
        if (info.Outcome is null)
            headers["Upload-Expires"] = info.ExpiresAt.ToString("r", CultureInfo.InvariantCulture);
        headers[StatusHeader] = StatusName(info.Status);
        if (info.Outcome is { } outcome)
        {
            headers[StowStatusHeader] = outcome.StowStatus.ToString(CultureInfo.InvariantCulture);
            headers[AlreadyStoredHeader] = outcome.AlreadyStored.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string StatusName(UploadStatus status) => status switch
    {
        UploadStatus.Receiving => "receiving",
        UploadStatus.Received => "received",
        _ => "ingested",
    };

    private static IResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);

    /// <summary>Parses tus Upload-Metadata: comma-separated <c>key base64value</c> pairs; keys unique.</summary>
    internal static string? ParseMetadata(string header, out Dictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header))
            return null;
        if (header.Length > 4096)
            return "Upload-Metadata is longer than 4,096 characters.";
        foreach (var pair in header.Split(',', StringSplitOptions.TrimEntries))
        {
            var space = pair.IndexOf(' ', StringComparison.Ordinal);
            var key = space < 0 ? pair : pair[..space];
            if (key.Length == 0 || key.Any(c => c is <= ' ' or > '~' or ','))
                return "Upload-Metadata has an empty or invalid key.";
            var value = "";
            if (space >= 0)
            {
                try
                {
                    value = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(pair[(space + 1)..]));
                }
                catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
                {
                    return $"The Upload-Metadata value of '{key}' is not Base64 of UTF-8 text.";
                }
            }
            if (!metadata.TryAdd(key, value))
                return $"Upload-Metadata names '{key}' twice.";
        }
        return null;
    }

    /// <summary>Accepts <c>application/dicom</c> or <c>multipart/related</c> (type application/dicom) with a boundary.</summary>
    internal static string? CheckContentType(string contentType, out string? boundary)
    {
        boundary = null;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type))
            return "The contentType metadata is not a media type.";
        if (type.MediaType.Equals("application/dicom", StringComparison.OrdinalIgnoreCase))
            return null;
        if (!type.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
            return "The contentType metadata must be application/dicom or multipart/related; type=\"application/dicom\"; boundary=….";
        var partType = type.Parameters.FirstOrDefault(p => p.Name.Equals("type", StringComparison.OrdinalIgnoreCase))?.Value;
        if (partType is { } t && !HeaderUtilities.RemoveQuotes(t).Equals("application/dicom", StringComparison.OrdinalIgnoreCase))
            return "Only type=\"application/dicom\" parts are accepted.";
        boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        return string.IsNullOrEmpty(boundary) || boundary.Length > 70 ? "The multipart contentType needs a boundary of 1–70 characters." : null;
    }

    private static string? ParseChecksum(string header, out byte[]? sha256)
    {
        sha256 = null;
        var parts = header.Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !parts[0].Equals("sha256", StringComparison.OrdinalIgnoreCase))
            return "Upload-Checksum must be 'sha256 <base64 digest>'; sha256 is the only algorithm offered.";
        try
        {
            sha256 = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            return "The Upload-Checksum digest is not Base64.";
        }
        return sha256.Length == 32 ? null : "The Upload-Checksum digest is not 32 bytes.";
    }

    /// <summary>
    /// A PATCH body, at most the upload's remaining bytes. A cut connection (the client gone, a reset) ends it like a
    /// normal end, so what arrived is stored and committed; <see cref="Cut"/> says it happened. More bytes than
    /// remain end it too, with <see cref="PastLength"/> set (the chunk is then discarded).
    /// </summary>
    private sealed class ChunkBodyStream(Stream inner, long remaining) : ForwardOnlyReadStream
    {
        private long _left = remaining;

        public bool Cut { get; private set; }

        public bool PastLength { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Cut || PastLength || buffer.Length == 0)
                return 0;
            // One byte more than remains is asked for, so a body running past the length is noticed.
            var ask = (int)Math.Min(buffer.Length, _left + 1);
            int read;
            try
            {
                read = await inner.ReadAsync(buffer[..ask], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                Cut = true;
                return 0;
            }
            if (read > _left)
            {
                PastLength = true;
                return 0;
            }
            _left -= read;
            return read;
        }
    }

    /// <summary>A chunk blob that should be there is gone (another completion removed it).</summary>
    private sealed class ChunkMissingException() : IOException("A chunk of the upload is missing.");

    /// <summary>The committed chunks read back to back as one object.</summary>
    private sealed class ChunkedBlobStream(IBlobStore blobs, IReadOnlyList<UploadChunk> chunks) : ForwardOnlyReadStream
    {
        private int _next;
        private Stream? _current;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (_current is null)
                {
                    if (_next == chunks.Count)
                        return 0;
                    _current = await blobs.OpenReadAsync(chunks[_next++].BlobKey, cancellationToken).ConfigureAwait(false) ?? throw new ChunkMissingException();
                }
                var read = await _current.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read > 0 || buffer.Length == 0)
                    return read;
                await _current.DisposeAsync().ConfigureAwait(false);
                _current = null;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (_current is not null)
                await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Passes reads through and feeds every byte read to <c>hash</c>.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : ForwardOnlyReadStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            hash.AppendData(buffer.Span[..read]);
            return read;
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
