using System.Globalization;
using Orleans.Runtime;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Uploads;
using OrleansImaging.Grains.Authorization;

namespace OrleansImaging.Grains.Uploads;

/// <summary>
/// One resumable upload. It holds only bookkeeping: the bytes are chunk blobs the api writes under
/// <c>{tenant}/uploads/{uploadId}/</c>, and a chunk counts only once this grain recorded its commit, after the blob
/// is durable. The grain serializes chunk commits (one writer wins, by lease) and owns the rules of who may touch it:
/// its creator, while still allowed to store in the tenant (<see cref="StudyAccess"/>).
/// </summary>
public sealed class UploadGrain(
    [PersistentState(StorageNames.UploadState, StorageNames.Provider)] IPersistentState<UploadState> state,
    IUploadRegistry registry,
    UploadOptions options,
    TimeProvider silo) : Grain, IUploadGrain
{
    /// <summary>Chunks one upload may have; a client sending tiny PATCHes is told to send larger ones.</summary>
    public const int MaxChunks = 10_000;

    /// <summary>Failed instances recorded per upload (the state stays small; the count of the rest is in the outcome's status).</summary>
    public const int MaxRecordedFailures = 1000;

    private readonly TimeProvider _clock = options.Clock ?? silo;

    private TimeSpan Lifetime => options.Lifetime;

    private string _tenantId = "";
    private string _uploadId = "";
    private bool _validKey;

    private bool Exists => state.State.Declared is not null;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _validKey = GrainKeys.TrySplit(this.GetPrimaryKeyString(), out _tenantId, out _uploadId)
            && GrainKeys.IsValidTenantId(_tenantId) && GrainKeys.IsValidUploadId(_uploadId);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<UploadInfo> CreateAsync(NewUpload upload)
    {
        var caller = Access.CurrentCaller();
        if (!_validKey)
            throw new InvalidRequestException("Invalid upload key.");
        Access.Demand(StudyAccess.Decide(caller, _tenantId, StudyAction.Write), "Upload");
        ArgumentNullException.ThrowIfNull(upload);
        if (Validate(upload) is { } problem)
            throw new InvalidRequestException(problem);
        if (Exists)
            throw new InvalidRequestException("The upload id is taken.");
        var now = _clock.GetUtcNow();
        // The registry row first: an upload the sweeper cannot find would keep its chunk blobs for ever, while a row
        // whose upload was never written is just dropped by the sweeper.
        await registry.RegisterAsync(_tenantId, _uploadId, now + Lifetime);
        state.State = new UploadState
        {
            CreatedBy = Owner(caller),
            Declared = upload,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        await state.WriteStateAsync();
        return Info();
    }

    /// <inheritdoc/>
    public Task<UploadInfo> GetAsync()
    {
        Authorize();
        return Task.FromResult(Info());
    }

    /// <inheritdoc/>
    public Task<UploadChunkLease> BeginChunkAsync(long offset)
    {
        Authorize();
        var s = state.State;
        if (_clock.GetUtcNow() > s.ExpiresAt)
            throw new NotFoundException("Upload not found.");
        if (s.Offset >= s.Declared!.Length)
            throw new ConflictException("Every byte of the upload is already committed.");
        if (offset != s.Offset)
            throw new ConflictException(string.Create(CultureInfo.InvariantCulture, $"Upload-Offset {offset} is not the committed offset {s.Offset}; ask with HEAD and send from there."));
        if (s.Chunks.Count >= MaxChunks)
            throw new InvalidRequestException($"The upload has {MaxChunks} chunks already; send the rest in larger PATCH requests or start again.");
        var leaseId = Guid.NewGuid().ToString("N");
        // A newer writer supersedes an older one (a client that reconnected while the server still reads the cut
        // connection): only the newest lease may commit, and each writes its own blob, so they never mix bytes.
        s.Lease = new UploadChunkLease(leaseId, offset, string.Create(CultureInfo.InvariantCulture, $"{_tenantId}/uploads/{_uploadId}/{offset:D16}.{leaseId}.part"));
        // Not persisted: a lease lives as long as one request; after a restart the client begins again anyway.
        return Task.FromResult(s.Lease);
    }

    /// <inheritdoc/>
    public async Task<UploadInfo> CommitChunkAsync(string leaseId, long length)
    {
        Authorize();
        var s = state.State;
        if (s.Lease is not { } lease || lease.LeaseId != leaseId)
            throw new ConflictException("A newer PATCH to this upload superseded this one.");
        if (length < 0 || length > s.Declared!.Length - lease.Offset)
            throw new ConflictException(string.Create(CultureInfo.InvariantCulture, $"The chunk would end past Upload-Length {s.Declared!.Length}."));
        s.Lease = null;
        if (length > 0)
        {
            s.Chunks.Add(new UploadChunk(lease.Offset, length, lease.BlobKey));
            s.ExpiresAt = _clock.GetUtcNow() + Lifetime;
            await state.WriteStateAsync();
        }
        return Info();
    }

    /// <inheritdoc/>
    public Task AbandonChunkAsync(string leaseId)
    {
        Authorize();
        if (state.State.Lease?.LeaseId == leaseId)
            state.State.Lease = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<UploadChunk>> GetChunksAsync()
    {
        Authorize();
        return Task.FromResult<IReadOnlyList<UploadChunk>>([.. state.State.Chunks]);
    }

    /// <inheritdoc/>
    public async Task<UploadInfo> RecordOutcomeAsync(UploadOutcome outcome)
    {
        Authorize();
        ArgumentNullException.ThrowIfNull(outcome);
        var s = state.State;
        if (s.Offset != s.Declared!.Length)
            throw new ConflictException("The upload is not complete.");
        if (s.Outcome is not null)
            return Info(); // a completion retried while the first was still ingesting: the first outcome stands
        s.Outcome = outcome with { Failed = [.. outcome.Failed.Take(MaxRecordedFailures)] };
        await state.WriteStateAsync();
        return Info();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<UploadChunk>> DeleteAsync()
    {
        Authorize();
        var chunks = state.State.Chunks;
        await ForgetAsync();
        return chunks;
    }

    /// <inheritdoc/>
    public Task<UploadExpiry> GetExpiryAsync()
    {
        AuthorizeSweeper();
        var s = state.State;
        return Task.FromResult(Exists
            ? new UploadExpiry(true, _clock.GetUtcNow() > s.ExpiresAt, s.ExpiresAt, [.. s.Chunks])
            : new UploadExpiry(false, true, default, []));
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveExpiredAsync()
    {
        AuthorizeSweeper();
        if (Exists && _clock.GetUtcNow() <= state.State.ExpiresAt)
            return false;
        await ForgetAsync();
        return true;
    }

    private async Task ForgetAsync()
    {
        if (Exists)
            await state.ClearStateAsync();
        state.State = new UploadState();
        if (_validKey)
            await registry.ForgetAsync(_tenantId, _uploadId);
        DeactivateOnIdle();
    }

    private void AuthorizeSweeper()
    {
        // Background work of the silo only; a request never carries a system caller (S3.2: the same answer as a missing upload).
        if (!_validKey || Access.CurrentCaller().Kind != CallerKind.System)
            throw new NotFoundException("Upload not found.");
    }

    /// <summary>Why <paramref name="upload"/> cannot be accepted, or null.</summary>
    public static string? Validate(NewUpload upload)
    {
        if (upload.Length < 1)
            return "Upload-Length must be at least 1.";
        if (upload.Sha256 is not { Length: 64 } || !upload.Sha256.All(char.IsAsciiHexDigitLower))
            return "The sha256 metadata must be the whole object's SHA-256 as 64 lower-case hex digits.";
        if (string.IsNullOrWhiteSpace(upload.ContentType) || upload.ContentType.Length > 256)
            return "The contentType metadata is missing or too long.";
        if (upload.StudyInstanceUid is not null && !GrainKeys.IsValidUid(upload.StudyInstanceUid))
            return "The study metadata is not a UID.";
        if (upload.FileName is { Length: > 255 })
            return "The filename metadata is longer than 255 characters.";
        return null;
    }

    private static string Owner(Caller caller) => caller.Kind + ":" + caller.Id;

    private void Authorize()
    {
        var caller = Access.CurrentCaller();
        // Someone else's upload, another tenant's, a missing one and a malformed key all look the same (S3.2).
        if (!_validKey || !Exists || !StudyAccess.CanWrite(caller, _tenantId) || state.State.CreatedBy != Owner(caller))
            throw new NotFoundException("Upload not found.");
    }

    private UploadInfo Info()
    {
        var s = state.State;
        var d = s.Declared!;
        var status = s.Outcome is not null ? UploadStatus.Ingested : s.Offset == d.Length ? UploadStatus.Received : UploadStatus.Receiving;
        return new UploadInfo(_uploadId, d.Length, s.Offset, status, d.ContentType, d.StudyInstanceUid, d.Sha256, d.FileName, s.CreatedAt, s.ExpiresAt, s.Outcome);
    }
}
