using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OrleansImaging.Api.Authentication;
using OrleansImaging.Api.Dicomweb;
using OrleansImaging.Api.Hosting;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Dicom.Json;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// STOW-RS (PS3.18 10.5): <c>multipart/related; type="application/dicom"</c>. Parts are streamed: each part's
/// header is read (up to Pixel Data), the whole part goes to blob storage under a fresh key of its study, and the
/// request's instances reach each study grain as one batch, which decides stored / already stored / conflict.
/// Only after blob and catalogue are durable does the sender get success.
/// </summary>
public static class DicomwebStoreApi
{
    // MultipartReader's own buffer: its 4 KB default meant 4 KB reads of the body (see the architecture notes).
    private const int BufferSize = 64 * 1024;

    // Parts of one request whose durable half may still be running while later parts are received.
    private const int MaxPartsInFlight = 8;

    /// <summary>Maps the STOW-RS resources.</summary>
    public static RouteGroupBuilder MapDicomwebStoreApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dicomweb").RequireAuthorization();
        group.MapPost("/studies", (HttpContext http, IGrainFactory grains, IBlobStore blobs, ImagingHostOptions options) => StoreAsync(http, grains, blobs, options, null));
        group.MapPost("/studies/{study}", (HttpContext http, IGrainFactory grains, IBlobStore blobs, ImagingHostOptions options, string study) => StoreAsync(http, grains, blobs, options, study));
        return group;
    }

    /// <summary>Stores every part of the request; 200 when all were kept, 202 when some failed, 409 when all failed.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult, UnauthorizedHttpResult>> StoreAsync(
        HttpContext http, IGrainFactory grains, IBlobStore blobs, ImagingHostOptions options, string? study)
    {
        if (ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        // The study grain decides again for every batch; asking the same policy first keeps a caller who may not
        // store from writing a single byte to blob storage.
        switch (Grains.Authorization.StudyAccess.Decide(caller, caller.TenantId, Grains.Authorization.StudyAction.Write))
        {
            case Grains.Authorization.AccessDecision.Forbidden:
                return TypedResults.Problem("The token may not store.", statusCode: StatusCodes.Status403Forbidden);
            case Grains.Authorization.AccessDecision.NotFound:
                return TypedResults.Problem("Not found.", statusCode: StatusCodes.Status404NotFound);
        }
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem("STOW-RS takes multipart/related; type=\"application/dicom\".", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        var type = contentType.Parameters.FirstOrDefault(p => p.Name.Equals("type", StringComparison.OrdinalIgnoreCase))?.Value;
        if (type is { } t && !HeaderUtilities.RemoveQuotes(t).Equals("application/dicom", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem($"Only type=\"application/dicom\" parts are accepted, not {t}.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return TypedResults.Problem("The multipart body has no boundary.", statusCode: StatusCodes.Status400BadRequest);
        }
        if (study is not null && !GrainKeys.IsValidUid(study))
        {
            return TypedResults.Problem("The study in the URL is not a UID.", statusCode: StatusCodes.Status400BadRequest);
        }
        if (http.Request.ContentLength > options.MaxStowRequestBytes)
        {
            return TooLarge(options);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxStowRequestBytes;
        }

        var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}/dicomweb";
        var response = new StowResponse(baseUrl);
        var pending = new Dictionary<string, List<(NewInstance Instance, string SopClass)>>(StringComparer.Ordinal);
        var body = new RequestBodyLimitStream(http.Request.Body, options.MaxStowRequestBytes);
        var reader = new MultipartReader(boundary, body, BufferSize) { BodyLengthLimit = null, HeadersLengthLimit = 16 * 1024 };
        // Each part is received (header peek, bytes streamed into a temp file) before the next is read, but its
        // durable half — fsync, rename, the directory's group fsync — overlaps with receiving the next parts: about
        // half of a part's time is waiting on the disk. Every part is durable before the study grains hear of it.
        var parts = new List<(Task Received, Dictionary<string, List<(NewInstance, string)>> Pending)>();
        MultipartSection? section;
        try
        {
            while ((section = await reader.ReadNextSectionAsync(http.RequestAborted)) is not null)
            {
                var partBody = new EndOfBodySignal(section.Body);
                section.Body = partBody;
                var partPending = new Dictionary<string, List<(NewInstance, string)>>(StringComparer.Ordinal);
                var part = ReceivePartAsync(section, caller.TenantId, study, blobs, baseUrl, response, partPending, http.RequestAborted);
                parts.Add((part, partPending));
                await Task.WhenAny(part, partBody.Consumed);
                if (part.IsCompleted)
                    await part; // a failure surfaces here, before more of the body is read
                if (parts.Count > MaxPartsInFlight && parts[^(MaxPartsInFlight + 1)].Received is { IsCompleted: false } oldest)
                    await oldest; // bounds open temp files and pending fsyncs per request
            }
            await Task.WhenAll(parts.Select(p => p.Received));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or OperationCanceledException)
        {
            // The sender is told the request failed, so nothing of it may stay: the parts already in storage are not
            // in any catalogue yet and are removed (a crash before this line leaves only unreferenced objects). Parts
            // still becoming durable are waited for first, so none is left behind.
            await SettleAsync(parts);
            foreach (var instance in parts.SelectMany(p => p.Pending.Values).SelectMany(list => list))
            {
                await blobs.DeleteAsync(instance.Item1.BlobKey, CancellationToken.None);
            }
            return ex switch
            {
                RequestBodyTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(options),
                OperationCanceledException => TypedResults.Problem("The request was aborted.", statusCode: StatusCodes.Status400BadRequest),
                // The multipart reader's own messages name the defect ("Line length limit exceeded"); an IOException's
                // message may come from storage and name a path, so it is not echoed.
                InvalidDataException => TypedResults.Problem("The multipart body is malformed: " + ex.Message, statusCode: StatusCodes.Status400BadRequest),
                _ => TypedResults.Problem("The multipart body is malformed or ends before its final boundary.", statusCode: StatusCodes.Status400BadRequest),
            };
        }
        catch
        {
            await SettleAsync(parts); // no put may still be running once the request is over
            throw;
        }
        // Request order, whatever order the parts became durable in.
        foreach (var (_, partPending) in parts)
        {
            foreach (var (studyUid, instances) in partPending)
            {
                if (!pending.TryGetValue(studyUid, out var list))
                    pending[studyUid] = list = [];
                list.AddRange(instances);
            }
        }

        foreach (var (studyUid, instances) in pending)
        {
            var grain = grains.GetGrain<IStudyGrain>(GrainKeys.Study(caller.TenantId, studyUid));
            foreach (var chunk in instances.Chunk(1000))
            {
                var outcomes = await grain.AddInstancesAsync([.. chunk.Select(c => c.Instance)]);
                for (var i = 0; i < outcomes.Count; i++)
                {
                    var (instance, sopClass) = chunk[i];
                    if (outcomes[i].IsSuccess)
                    {
                        response.Referenced(sopClass, instance.SopInstanceUid, studyUid, instance.SeriesInstanceUid);
                        if (outcomes[i].Status == InstanceStatus.AlreadyStored)
                            await blobs.DeleteAsync(instance.BlobKey, CancellationToken.None); // the first copy stays
                    }
                    else
                    {
                        response.Failed(sopClass, instance.SopInstanceUid, outcomes[i].Status == InstanceStatus.Conflict ? StowResponse.DuplicateConflict : StowResponse.ProcessingFailure);
                        await blobs.DeleteAsync(instance.BlobKey, CancellationToken.None);
                    }
                }
            }
        }
        if (response.ReferencedCount + response.FailedCount == 0)
        {
            return TypedResults.Problem("The request has no parts.", statusCode: StatusCodes.Status400BadRequest);
        }
        var status = response.FailedCount == 0 ? StatusCodes.Status200OK : response.ReferencedCount == 0 ? StatusCodes.Status409Conflict : StatusCodes.Status202Accepted;
        http.Response.StatusCode = status;
        return TypedResults.File(Encoding.UTF8.GetBytes(DicomJson.Serialize(response.ToDataset())), "application/dicom+json");
    }

    private static async Task ReceivePartAsync(MultipartSection section, string tenant, string? study, IBlobStore blobs, string baseUrl,
        StowResponse response, Dictionary<string, List<(NewInstance, string)>> pending, CancellationToken cancellationToken)
    {
        if (section.ContentType is { } partType && !partType.StartsWith("application/dicom", StringComparison.OrdinalIgnoreCase))
        {
            response.Failed(null, null, StowResponse.CannotUnderstand);
            return;
        }
        DicomHeaderPeekResult peek;
        try
        {
            peek = await DicomHeaderPeek.ReadAsync(section.Body, DicomReadOptions.HeaderOnly, cancellationToken);
        }
        catch (DicomException)
        {
            response.Failed(null, null, StowResponse.CannotUnderstand);
            return;
        }
        var header = peek.Header.Dataset;
        var studyUid = header.GetStringOrNull(DicomTag.StudyInstanceUID);
        var seriesUid = header.GetStringOrNull(DicomTag.SeriesInstanceUID);
        var sopUid = header.GetStringOrNull(DicomTag.SOPInstanceUID);
        var sopClass = header.GetStringOrNull(DicomTag.SOPClassUID) ?? peek.Header.FileMetaInformation.GetStringOrNull(DicomTag.MediaStorageSOPClassUID);
        if (!IsUid(studyUid) || !IsUid(seriesUid) || !IsUid(sopUid) || !IsUid(sopClass))
        {
            response.Failed(sopClass, sopUid, StowResponse.DataSetDoesNotMatch);
            return;
        }
        if (study is not null && study != studyUid)
        {
            response.Failed(sopClass, sopUid, StowResponse.DataSetDoesNotMatch);
            return;
        }
        // A fresh key per received object: the study grain decides whether it is new, a repeat or a conflict, and
        // the api deletes the copies it does not keep. A crash in between leaves an orphan, never a wrong object.
        // One folder per study, not per instance: a new folder costs a mkdir and an fsync of its parent, and
        // instances of a study arriving together share the study folder's fsync (the blob store's group commit).
        var key = $"{tenant}/{studyUid}/{sopUid}.{Guid.NewGuid():N}.dcm";
        var written = await blobs.PutAsync(key, peek.Content, cancellationToken);
        // The header was read only up to Pixel Data; the metadata names it as bulk data all the same (PS3.18 F.2),
        // described from its element header in the stored object (12 bytes at the offset where reading stopped).
        if (peek.Header.StoppedAtOffset is { } stoppedAt && !peek.Header.TransferSyntax.IsDeflated)
        {
            // The peek nearly always read past the stop already; only when the element header straddles the end of what
            // it buffered is it read back from storage (one small range read instead of one per instance).
            var elementHeader = new byte[12];
            int headerRead;
            if (stoppedAt + elementHeader.Length <= peek.Buffered.Length)
            {
                peek.Buffered.Span.Slice((int)stoppedAt, elementHeader.Length).CopyTo(elementHeader);
                headerRead = elementHeader.Length;
            }
            else
            {
                headerRead = 0;
                await using var head = await blobs.OpenRangeAsync(key, stoppedAt, elementHeader.Length, cancellationToken);
                if (head is not null)
                    headerRead = await head.ReadAtLeastAsync(elementHeader, elementHeader.Length, throwOnEndOfStream: false, cancellationToken);
            }
            if (DicomStoredObject.DescribeStoppedPixelData(elementHeader.AsSpan(0, headerRead), stoppedAt, peek.Header.TransferSyntax) is { } pixelData)
                header.AddOrUpdate(pixelData);
        }
        // The stored transfer syntax, as other archives report it in metadata (viewers choose their decoder from it).
        header.AddOrUpdate(DicomTag.TransferSyntaxUID, peek.Header.TransferSyntax.Uid);
        var metadata = DicomJson.Serialize(header, new DicomJsonOptions
        {
            BulkDataThreshold = 1024,
            BulkDataUriBuilder = context => $"{baseUrl}/studies/{studyUid}/series/{seriesUid}/instances/{sopUid}/bulk/{context.Path}",
            EncapsulatedPixelData = DicomJsonEncapsulatedPixelData.Omit,
        });
        var instance = new NewInstance(seriesUid!, sopUid!, sopClass!, peek.Header.TransferSyntax.Uid, key, written.Length, written.Sha256, Encoding.UTF8.GetBytes(metadata));
        if (!pending.TryGetValue(studyUid!, out var list))
        {
            pending[studyUid!] = list = [];
        }
        list.Add((instance, sopClass!));
    }

    private static ProblemHttpResult TooLarge(ImagingHostOptions options) =>
        TypedResults.Problem($"The request body is larger than {options.MaxStowRequestBytes} bytes, the configured limit; send fewer instances per request.",
            statusCode: StatusCodes.Status413PayloadTooLarge);

    private static bool IsUid(string? value) => value is not null && GrainKeys.IsValidUid(value);

    private static async Task SettleAsync(List<(Task Received, Dictionary<string, List<(NewInstance, string)>> Pending)> parts)
    {
        foreach (var (part, _) in parts)
        {
            try
            {
                await part;
            }
            catch (Exception)
            {
                // The request already failed; an orphan blob is harmless (the catalogue never points to it).
            }
        }
    }

    /// <summary>A part's body that says when it has been read to its end (the next part may then be read).</summary>
    private sealed class EndOfBodySignal(Stream inner) : Stream
    {
        private readonly TaskCompletionSource _consumed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Consumed => _consumed.Task;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => Seen(inner.Read(buffer), buffer.Length);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Seen(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Length);

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Seen(int read, int asked)
        {
            if (read == 0 && asked > 0)
                _consumed.TrySetResult();
            return read;
        }
    }
}
