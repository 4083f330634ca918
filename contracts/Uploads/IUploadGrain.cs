namespace OrleansImaging.Contracts.Uploads;

/// <summary>
/// One resumable upload (tus 1.0, docs/upload.md) of one hospital: its declared length and whole-object SHA-256,
/// the chunks committed so far (each a blob the api wrote), and, once complete, what ingesting it gave. Key:
/// <c>{tenant}/{uploadId}</c> (<see cref="GrainKeys.Upload"/>). Only the caller who created it (same tenant, same
/// user or token, still allowed to store) may see or touch it; everyone else gets <see cref="Errors.NotFoundException"/>.
/// </summary>
public interface IUploadGrain : IGrainWithStringKey
{
    /// <summary>Creates the upload. Throws <see cref="Errors.InvalidRequestException"/> for a bad request or a taken id.</summary>
    Task<UploadInfo> CreateAsync(NewUpload upload);

    /// <summary>Where the upload stands.</summary>
    Task<UploadInfo> GetAsync();

    /// <summary>
    /// Starts a chunk at <paramref name="offset"/>, which must be the committed offset
    /// (<see cref="Errors.ConflictException"/> otherwise, or when the upload is no longer receiving). A newer chunk
    /// supersedes an older one still in progress (a client that reconnected after a cut): the older one's commit
    /// is then refused, so of two writers only the last one counts.
    /// </summary>
    /// <returns>The lease, with the blob key the chunk's bytes go to.</returns>
    Task<UploadChunkLease> BeginChunkAsync(long offset);

    /// <summary>
    /// Records that the chunk of lease <paramref name="leaseId"/> is durable in blob storage with <paramref name="length"/>
    /// bytes; the committed offset moves on by that much. Refused (<see cref="Errors.ConflictException"/>) when
    /// the lease was superseded or the length would pass the declared length.
    /// </summary>
    Task<UploadInfo> CommitChunkAsync(string leaseId, long length);

    /// <summary>Forgets a chunk that will not be committed (its blob is removed by the caller).</summary>
    Task AbandonChunkAsync(string leaseId);

    /// <summary>The committed chunks in offset order, for reading the whole object once it is complete.</summary>
    Task<IReadOnlyList<UploadChunk>> GetChunksAsync();

    /// <summary>
    /// Records what ingesting the complete upload gave. A second completion (a client retrying while the first
    /// still ingested) keeps the first outcome: ingest is idempotent, so both saw the same instances.
    /// </summary>
    Task<UploadInfo> RecordOutcomeAsync(UploadOutcome outcome);

    /// <summary>Ends the upload (tus termination, or after a whole-object hash mismatch); returns the chunk blobs to remove.</summary>
    Task<IReadOnlyList<UploadChunk>> DeleteAsync();

    /// <summary>
    /// For the silo's upload sweeper only (a <see cref="Callers.CallerKind.System"/> caller; anyone else gets
    /// <see cref="Errors.NotFoundException"/>): whether the upload still exists, whether it has expired, and the chunk
    /// blobs it holds. Changes nothing, so a sweeper cut off after removing the blobs simply asks again.
    /// </summary>
    Task<UploadExpiry> GetExpiryAsync();

    /// <summary>
    /// For the upload sweeper only: forgets the upload if it has (still) expired, after the sweeper removed its chunk
    /// blobs. Returns false when it has not expired (a client committed a chunk in between).
    /// </summary>
    Task<bool> RemoveExpiredAsync();
}

/// <summary>What the upload sweeper learns about one upload.</summary>
/// <param name="Exists">False when the upload was already removed (completed and swept, terminated, or never created).</param>
/// <param name="Expired">True once <paramref name="ExpiresAt"/> has passed.</param>
/// <param name="ExpiresAt">When it expires (the last commit plus the lifetime); the sweeper looks again then.</param>
/// <param name="Chunks">The chunk blobs it holds (after ingest their blobs are already gone; removing them again is harmless).</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.UploadExpiry")]
public sealed record UploadExpiry(
    [property: Id(0)] bool Exists,
    [property: Id(1)] bool Expired,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] IReadOnlyList<UploadChunk> Chunks);

/// <summary>What the client declares when it creates an upload.</summary>
/// <param name="Length">Upload-Length: the whole object's bytes, at least 1.</param>
/// <param name="Sha256">The whole object's SHA-256, 64 lower-case hex digits, checked before anything is ingested.</param>
/// <param name="ContentType"><c>application/dicom</c> (one Part 10 object) or a STOW-RS <c>multipart/related</c> body with its boundary.</param>
/// <param name="StudyInstanceUid">When set, every instance must belong to this study (as STOW-RS to <c>/studies/{study}</c>).</param>
/// <param name="FileName">The client's name for the object, shown in listings; never used as a path.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.NewUpload")]
public sealed record NewUpload(
    [property: Id(0)] long Length,
    [property: Id(1)] string Sha256,
    [property: Id(2)] string ContentType,
    [property: Id(3)] string? StudyInstanceUid,
    [property: Id(4)] string? FileName);

/// <summary>Where an upload is in its life.</summary>
public enum UploadStatus
{
    /// <summary>Chunks are arriving; the committed offset is below the length.</summary>
    Receiving = 0,

    /// <summary>Every byte is committed; ingest has not finished (or was cut off and runs again on the next completion).</summary>
    Received = 1,

    /// <summary>Ingested: <see cref="UploadInfo.Outcome"/> says what became of each instance.</summary>
    Ingested = 2,
}

/// <summary>An upload as its owner sees it.</summary>
/// <param name="UploadId">Its id (32 lower-case hex digits).</param>
/// <param name="Length">Declared length.</param>
/// <param name="Offset">Bytes committed: durable, never to be sent again.</param>
/// <param name="Status">Where it is.</param>
/// <param name="ContentType">What it holds.</param>
/// <param name="StudyInstanceUid">The study it is bound to, if any.</param>
/// <param name="Sha256">The declared whole-object SHA-256.</param>
/// <param name="FileName">The client's name for it.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it is given up unless more arrives (every commit pushes this on).</param>
/// <param name="Outcome">What ingesting it gave, once <see cref="UploadStatus.Ingested"/>.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.UploadInfo")]
public sealed record UploadInfo(
    [property: Id(0)] string UploadId,
    [property: Id(1)] long Length,
    [property: Id(2)] long Offset,
    [property: Id(3)] UploadStatus Status,
    [property: Id(4)] string ContentType,
    [property: Id(5)] string? StudyInstanceUid,
    [property: Id(6)] string Sha256,
    [property: Id(7)] string? FileName,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] DateTimeOffset ExpiresAt,
    [property: Id(10)] UploadOutcome? Outcome);

/// <summary>A chunk being written: its lease and the blob it goes to.</summary>
/// <param name="LeaseId">Names this attempt; its commit is refused once a newer chunk began.</param>
/// <param name="Offset">Where in the object the chunk starts.</param>
/// <param name="BlobKey">Where its bytes go: under <c>{tenant}/uploads/{uploadId}/</c>.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.UploadChunkLease")]
public sealed record UploadChunkLease(
    [property: Id(0)] string LeaseId,
    [property: Id(1)] long Offset,
    [property: Id(2)] string BlobKey);

/// <summary>A committed chunk.</summary>
/// <param name="Offset">Where it starts in the object.</param>
/// <param name="Length">Its bytes.</param>
/// <param name="BlobKey">Its blob.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.UploadChunk")]
public sealed record UploadChunk(
    [property: Id(0)] long Offset,
    [property: Id(1)] long Length,
    [property: Id(2)] string BlobKey);

/// <summary>What ingesting a complete upload gave, as a STOW-RS response would say it.</summary>
/// <param name="StowStatus">200 all kept, 202 some failed, 409 all failed, 400 the object was not DICOM or not a valid body.</param>
/// <param name="Referenced">Instances kept (stored now or already stored with the same content).</param>
/// <param name="Failed">Instances not kept, with the STOW failure reason (PS3.18 Table I.2-1 codes).</param>
/// <param name="Problem">Why nothing could be ingested (StowStatus 400), else null.</param>
/// <param name="AlreadyStored">Of <paramref name="Referenced"/>, those the study already held with the same content.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.UploadOutcome")]
public sealed record UploadOutcome(
    [property: Id(0)] int StowStatus,
    [property: Id(1)] int Referenced,
    [property: Id(2)] IReadOnlyList<UploadFailure> Failed,
    [property: Id(3)] string? Problem = null,
    [property: Id(4)] int AlreadyStored = 0);

/// <summary>An instance of an upload that was not kept.</summary>
/// <param name="SopInstanceUid">The instance, when it could be read.</param>
/// <param name="Reason">The STOW-RS failure reason code (e.g. 0xA900 data set does not match, 0x0111 duplicate with different content).</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.UploadFailure")]
public sealed record UploadFailure(
    [property: Id(0)] string? SopInstanceUid,
    [property: Id(1)] int Reason);
