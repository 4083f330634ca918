using System.Text;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Dicom.Json;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Dicomweb;

/// <summary>One part of a body to ingest: its bytes and its declared media type, if any.</summary>
/// <param name="Body">The part's bytes, read once to their end.</param>
/// <param name="ContentType">The part's Content-Type, or null when the body did not say.</param>
internal readonly record struct IngestPart(Stream Body, string? ContentType);

/// <summary>The ingest was stopped before any instance was recorded (the parts already stored were removed).</summary>
/// <param name="message">Why, safe to show the sender.</param>
internal sealed class IngestRefusedException(string message) : Exception(message);

/// <summary>
/// The ingest path STOW-RS and completed uploads share, so that both store, deduplicate and authorize alike. Parts are
/// streamed: each part's header is read (up to Pixel Data), the whole part goes to blob storage under a fresh key of
/// its study, and the instances reach each study grain in batches, which decide stored / already stored / conflict.
/// Nothing reaches a study grain until every part is durable and the caller's final check passed; when reading the
/// body fails or the check refuses, the parts already stored are removed and the exception propagates.
/// </summary>
internal static class StowIngest
{
    // Parts of one request whose durable half may still be running while later parts are received.
    private const int MaxPartsInFlight = 8;

    /// <summary>Ingests the parts <paramref name="nextPart"/> yields until it yields null.</summary>
    /// <param name="grains">Grain factory; calls carry the request's caller.</param>
    /// <param name="blobs">Where objects go.</param>
    /// <param name="tenant">The caller's tenant: every key and study grain lies within it.</param>
    /// <param name="study">When set, instances of any other study fail with 0xA900 (STOW-RS to <c>/studies/{study}</c>).</param>
    /// <param name="baseUrl">The DICOMweb base URL, for Retrieve URLs and bulk data URIs.</param>
    /// <param name="nextPart">The next part, or null at the end of the body.</param>
    /// <param name="verify">Called once every part is durable and before any study grain hears of them: a non-null
    /// answer refuses the whole body (<see cref="IngestRefusedException"/>).</param>
    /// <param name="cancellationToken">Stops receiving; recording in study grains is not interrupted once begun.</param>
    /// <returns>The STOW-RS response; no parts at all leaves it empty.</returns>
    public static async Task<StowResponse> IngestAsync(
        IGrainFactory grains,
        IBlobStore blobs,
        string tenant,
        string? study,
        string baseUrl,
        Func<CancellationToken, Task<IngestPart?>> nextPart,
        Func<string?>? verify,
        CancellationToken cancellationToken)
    {
        var response = new StowResponse(baseUrl);
        // Each part is received (header peek, bytes streamed into a temp file) before the next is read, but its
        // durable half — fsync, rename, the directory's group fsync — overlaps with receiving the next parts: about
        // half of a part's time is waiting on the disk. Every part is durable before the study grains hear of it.
        var parts = new List<(Task Received, Dictionary<string, List<(NewInstance, string)>> Pending)>();
        try
        {
            while (await nextPart(cancellationToken) is { } next)
            {
                var partBody = new EndOfBodySignal(next.Body);
                var partPending = new Dictionary<string, List<(NewInstance, string)>>(StringComparer.Ordinal);
                var part = ReceivePartAsync(partBody, next.ContentType, tenant, study, blobs, baseUrl, response, partPending, cancellationToken);
                parts.Add((part, partPending));
                await Task.WhenAny(part, partBody.Consumed);
                if (part.IsCompleted)
                    await part; // a failure surfaces here, before more of the body is read
                if (parts.Count > MaxPartsInFlight && parts[^(MaxPartsInFlight + 1)].Received is { IsCompleted: false } oldest)
                    await oldest; // bounds open temp files and pending fsyncs per request
            }
            await Task.WhenAll(parts.Select(p => p.Received));
            if (verify?.Invoke() is { } refusal)
                throw new IngestRefusedException(refusal);
        }
        catch
        {
            // The sender is told the body failed, so nothing of it may stay: the parts already in storage are not
            // in any catalogue yet and are removed (a crash before this line leaves only unreferenced objects). Parts
            // still becoming durable are waited for first, so none is left behind.
            await SettleAsync(parts);
            foreach (var instance in parts.SelectMany(p => p.Pending.Values).SelectMany(list => list))
                await blobs.DeleteAsync(instance.Item1.BlobKey, CancellationToken.None);
            throw;
        }

        // Request order, whatever order the parts became durable in.
        var pending = new Dictionary<string, List<(NewInstance Instance, string SopClass)>>(StringComparer.Ordinal);
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
            var grain = grains.GetGrain<IStudyGrain>(GrainKeys.Study(tenant, studyUid));
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
                        {
                            response.CountAlreadyStored();
                            await blobs.DeleteAsync(instance.BlobKey, CancellationToken.None); // the first copy stays
                        }
                    }
                    else
                    {
                        response.Failed(sopClass, instance.SopInstanceUid, outcomes[i].Status == InstanceStatus.Conflict ? StowResponse.DuplicateConflict : StowResponse.ProcessingFailure);
                        await blobs.DeleteAsync(instance.BlobKey, CancellationToken.None);
                    }
                }
            }
        }
        return response;
    }

    private static async Task ReceivePartAsync(Stream body, string? contentType, string tenant, string? study, IBlobStore blobs, string baseUrl,
        StowResponse response, Dictionary<string, List<(NewInstance, string)>> pending, CancellationToken cancellationToken)
    {
        if (contentType is { } partType && !partType.StartsWith("application/dicom", StringComparison.OrdinalIgnoreCase))
        {
            response.Failed(null, null, StowResponse.CannotUnderstand);
            return;
        }
        DicomHeaderPeekResult peek;
        try
        {
            peek = await DicomHeaderPeek.ReadAsync(body, DicomReadOptions.HeaderOnly, cancellationToken);
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
            pending[studyUid!] = list = [];
        list.Add((instance, sopClass!));
    }

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
                // The body already failed; an orphan blob is harmless (the catalogue never points to it).
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
