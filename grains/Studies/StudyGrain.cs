using Orleans.Runtime;
using Microsoft.Extensions.Logging;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Archive;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Tenants;
using OrleansImaging.Grains.Archive;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Grains.Authorization;
using OrleansImaging.Grains.Index;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Grains.Studies;

/// <summary>
/// One study of one hospital. Holds the catalogue index (SOP Instance UID → series, blob, hash) in memory, loaded from
/// <see cref="IStudyCatalogue"/> on activation; each batch appends its new entries in one catalogue transaction and
/// writes the small state once, so the cost of a batch follows what it adds, not the study's size.
/// </summary>
public sealed partial class StudyGrain(
    [PersistentState(StorageNames.StudyState, StorageNames.Provider)] IPersistentState<StudyState> state,
    IStudyCatalogue catalogue,
    IQueryIndex index,
    TimeProvider time,
    ILogger<StudyGrain> logger,
    ArchiveCompressionScheduler? archiveScheduler = null) : Grain, IStudyGrain
{
    /// <summary>Failed attempts after which archive compression gives an instance up (its original stays).</summary>
    public const int MaxArchiveAttempts = 3;

    /// <summary>How long a failed archive compression waits before it is tried again (storage trouble passes).</summary>
    public static readonly TimeSpan ArchiveRetryDelay = TimeSpan.FromMinutes(1);

    // The tenant's archive setting, asked once a minute at most: a batch needs it only when it has uncompressed images.
    private (ArchiveCompression Compression, DateTimeOffset AskedAt)? _archiveSetting;

    /// <summary>The most instances one call may offer (a STOW request is split into batches of at most this).</summary>
    public const int MaxBatchSize = 1000;

    private readonly Dictionary<string, CatalogueEntry> _bySop = new(StringComparer.Ordinal);
    private readonly List<CatalogueEntry> _inOrder = [];
    private readonly SortedDictionary<string, (int Count, long Bytes)> _series = new(StringComparer.Ordinal);
    private string _tenantId = "";
    private string _studyInstanceUid = "";
    private bool _validKey;

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _validKey = GrainKeys.TrySplit(this.GetPrimaryKeyString(), out _tenantId, out _studyInstanceUid)
            && GrainKeys.IsValidTenantId(_tenantId) && GrainKeys.IsValidUid(_studyInstanceUid);
        if (!_validKey)
        {
            return;
        }
        foreach (var entry in await catalogue.LoadAsync(_tenantId, _studyInstanceUid, cancellationToken))
        {
            Remember(entry);
        }
        if (_inOrder.Count != state.State.InstanceCount)
        {
            // The catalogue commits before the state is written: a crash between the two leaves the state behind.
            // The catalogue is the truth; the next write brings the counts back in line.
            LogStateBehindCatalogue(this.GetPrimaryKeyString(), state.State.InstanceCount, _inOrder.Count);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<InstanceOutcome>> AddInstancesAsync(IReadOnlyList<NewInstance> instances)
    {
        Authorize(StudyAction.Write);
        ArgumentNullException.ThrowIfNull(instances);
        if (instances.Count > MaxBatchSize)
        {
            throw new InvalidRequestException($"At most {MaxBatchSize} instances per call.");
        }

        var now = time.GetUtcNow();
        var outcomes = new InstanceOutcome[instances.Count];
        var headers = new DicomDataset?[instances.Count];
        var added = new List<NewCatalogueEntry>();
        var archiveCandidates = new List<CatalogueEntry>();
        var pending = new Dictionary<string, CatalogueEntry>(StringComparer.Ordinal);
        for (var i = 0; i < instances.Count; i++)
        {
            var instance = instances[i];
            var refusal = instance is null ? "The instance is missing." : Validate(instance) ?? ReadHeader(instance, out headers[i]);
            if (refusal is not null)
            {
                outcomes[i] = new InstanceOutcome(instance?.SopInstanceUid ?? "", InstanceStatus.Refused, refusal);
                continue;
            }
            var sop = instance!.SopInstanceUid;
            if (_bySop.TryGetValue(sop, out var known) || pending.TryGetValue(sop, out known))
            {
                outcomes[i] = Compare(known, instance);
                continue;
            }
            var entry = new CatalogueEntry(instance.SeriesInstanceUid, sop, instance.SopClassUid, instance.TransferSyntaxUid,
                instance.BlobKey, instance.Size, instance.Sha256);
            pending.Add(sop, entry);
            added.Add(new NewCatalogueEntry(entry, instance.MetadataJson, now));
            if (ArchiveCompressionPolicy.IsCandidate(instance.TransferSyntaxUid, headers[i]))
                archiveCandidates.Add(entry);
            outcomes[i] = new InstanceOutcome(sop, InstanceStatus.Stored);
        }

        if (added.Count > 0)
        {
            IReadOnlyList<ArchiveWorkItem>? archiveWork = null;
            if (archiveCandidates.Count > 0 && ArchiveCompressions.TargetTransferSyntaxUid(await ArchiveSettingAsync(now)) is { } target)
                archiveWork = [.. archiveCandidates.Select(e => new ArchiveWorkItem(_tenantId, _studyInstanceUid, e.SeriesInstanceUid, e.SopInstanceUid, target))];
            try
            {
                await catalogue.AppendAsync(_tenantId, _studyInstanceUid, added, archiveWork);
            }
            catch (CatalogueConflictException)
            {
                // Another activation of this study wrote first (possible for a moment after a silo failure): this
                // activation's index is stale. Start over from the catalogue; the sender's retry gets exact outcomes.
                DeactivateOnIdle();
                throw;
            }
            foreach (var item in added)
            {
                Remember(item.Entry);
            }
            state.State = state.State with
            {
                InstanceCount = _inOrder.Count,
                SeriesCount = _series.Count,
                TotalBytes = state.State.TotalBytes + added.Sum(a => a.Entry.Size),
                CreatedAt = state.State.InstanceCount == 0 && state.State.BatchCount == 0 ? now : state.State.CreatedAt,
                UpdatedAt = now,
                BatchCount = state.State.BatchCount + 1,
            };
            // One state write per batch, after the catalogue commit: success means both are durable.
            await state.WriteStateAsync();
            if (archiveWork is not null)
                archiveScheduler?.Wake();
        }
        await IndexAsync(instances, headers, outcomes);
        return outcomes;
    }

    /// <summary>
    /// Feeds the query index with every instance the batch kept, newly stored or already stored: the index is derived
    /// and its upsert idempotent, so a sender's retry after a failure here also repairs what the index missed, and
    /// nothing is acknowledged before QIDO can find it.
    /// </summary>
    private async Task IndexAsync(IReadOnlyList<NewInstance> instances, DicomDataset?[] headers, InstanceOutcome[] outcomes)
    {
        var batch = new List<IndexedInstance>(instances.Count);
        for (var i = 0; i < instances.Count; i++)
        {
            if (!outcomes[i].IsSuccess || headers[i] is not { } header)
            {
                continue;
            }
            var instance = instances[i];
            batch.Add(IndexedInstance.FromDataset(_tenantId, header, instance.BlobKey, instance.Size, instance.Sha256, instance.TransferSyntaxUid));
        }
        if (batch.Count > 0)
        {
            await index.UpsertAsync(batch, CancellationToken.None);
        }
    }

    /// <inheritdoc/>
    public Task<InstanceLocation> GetInstanceAsync(string seriesInstanceUid, string sopInstanceUid)
    {
        Authorize(StudyAction.Read);
        if (sopInstanceUid is null || !_bySop.TryGetValue(sopInstanceUid, out var entry)
            || !string.Equals(entry.SeriesInstanceUid, seriesInstanceUid, StringComparison.Ordinal))
        {
            throw new NotFoundException("Instance not found.");
        }
        return Task.FromResult(ToLocation(entry));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<SeriesSummary>> GetSeriesAsync()
    {
        AuthorizeExisting();
        IReadOnlyList<SeriesSummary> series = [.. _series.Select(s => new SeriesSummary(s.Key, s.Value.Count, s.Value.Bytes))];
        return Task.FromResult(series);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<InstanceLocation>> GetInstancesAsync(string? seriesInstanceUid = null)
    {
        AuthorizeExisting();
        RequireKnownSeries(seriesInstanceUid);
        IReadOnlyList<InstanceLocation> instances = [.. _inOrder
            .Where(e => seriesInstanceUid is null || e.SeriesInstanceUid == seriesInstanceUid)
            .Select(ToLocation)];
        return Task.FromResult(instances);
    }

    /// <inheritdoc/>
    public async Task<byte[]> GetMetadataAsync(string? seriesInstanceUid = null)
    {
        AuthorizeExisting();
        RequireKnownSeries(seriesInstanceUid);
        using var buffer = new MemoryStream();
        await catalogue.WriteMetadataArrayAsync(_tenantId, _studyInstanceUid, seriesInstanceUid, buffer);
        return buffer.ToArray();
    }

    /// <inheritdoc/>
    public Task<StudySummary> GetSummaryAsync()
    {
        AuthorizeExisting();
        var s = state.State;
        return Task.FromResult(new StudySummary(_studyInstanceUid, _series.Count, _inOrder.Count,
            _series.Values.Sum(v => v.Bytes), s.CreatedAt, s.UpdatedAt));
    }

    private void Authorize(StudyAction action)
    {
        var caller = Access.CurrentCaller();
        if (!_validKey)
        {
            // Only after the caller check: an unauthenticated call learns nothing, not even that the key is malformed.
            throw new InvalidRequestException("A study key is {tenant}/{studyInstanceUid}.");
        }
        Access.Demand(StudyAccess.Decide(caller, _tenantId, action), "Study");
    }

    private void AuthorizeExisting()
    {
        Authorize(StudyAction.Read);
        if (_inOrder.Count == 0)
        {
            throw new NotFoundException("Study not found.");
        }
    }

    private void RequireKnownSeries(string? seriesInstanceUid)
    {
        if (seriesInstanceUid is not null && !_series.ContainsKey(seriesInstanceUid))
        {
            throw new NotFoundException("Series not found.");
        }
    }

    private string? Validate(NewInstance instance)
    {
        if (!GrainKeys.IsValidUid(instance.SopInstanceUid))
        {
            return "Invalid SOP Instance UID.";
        }
        if (!GrainKeys.IsValidUid(instance.SeriesInstanceUid))
        {
            return "Invalid Series Instance UID.";
        }
        if (!GrainKeys.IsValidUid(instance.SopClassUid))
        {
            return "Invalid SOP Class UID.";
        }
        if (!GrainKeys.IsValidUid(instance.TransferSyntaxUid))
        {
            return "Invalid Transfer Syntax UID.";
        }
        // A study may only point at objects under its own prefix: never at another tenant's or study's blobs.
        var prefix = _tenantId + "/" + _studyInstanceUid + "/";
        if (instance.BlobKey is null || !instance.BlobKey.StartsWith(prefix, StringComparison.Ordinal)
            || instance.BlobKey.Length == prefix.Length || instance.BlobKey.Contains("..", StringComparison.Ordinal))
        {
            return "The blob key is not under the study's prefix.";
        }
        if (instance.Size < 0)
        {
            return "Negative size.";
        }
        if (!IsSha256Hex(instance.Sha256))
        {
            return "The SHA-256 is not 64 lower-case hex digits.";
        }
        if (instance.MetadataJson is not { Length: > 1 } json || json[0] != (byte)'{' || json[^1] != (byte)'}')
        {
            return "The metadata is not a DICOM JSON object.";
        }
        return null;
    }

    /// <summary>
    /// Reads the instance's metadata and checks that it describes what the call says: the index and WADO metadata are
    /// built from it, so a mismatch would file an instance under another study, series or SOP Instance UID.
    /// </summary>
    private string? ReadHeader(NewInstance instance, out DicomDataset? header)
    {
        header = null;
        try
        {
            header = DicomJson.Deserialize(System.Text.Encoding.UTF8.GetString(instance.MetadataJson));
        }
        catch (DicomException ex)
        {
            return "The metadata is not valid DICOM JSON: " + ex.Message;
        }
        if (header.GetStringOrNull(DicomTag.StudyInstanceUID) != _studyInstanceUid)
            return "The metadata's Study Instance UID is not this study's.";
        if (header.GetStringOrNull(DicomTag.SeriesInstanceUID) != instance.SeriesInstanceUid)
            return "The metadata's Series Instance UID differs from the instance's.";
        if (header.GetStringOrNull(DicomTag.SOPInstanceUID) != instance.SopInstanceUid)
            return "The metadata's SOP Instance UID differs from the instance's.";
        return null;
    }

    private static InstanceOutcome Compare(CatalogueEntry known, NewInstance offered)
    {
        // After archive compression the object held is not the one received; the one received, sent again, is still a repeat.
        if (!string.Equals(known.Sha256, offered.Sha256, StringComparison.Ordinal) && !string.Equals(known.OriginalSha256, offered.Sha256, StringComparison.Ordinal))
        {
            return new InstanceOutcome(offered.SopInstanceUid, InstanceStatus.Conflict,
                "An instance with this SOP Instance UID and different content is already stored.");
        }
        if (!string.Equals(known.SeriesInstanceUid, offered.SeriesInstanceUid, StringComparison.Ordinal))
        {
            return new InstanceOutcome(offered.SopInstanceUid, InstanceStatus.Conflict,
                "An instance with this SOP Instance UID is already stored in another series.");
        }
        return new InstanceOutcome(offered.SopInstanceUid, InstanceStatus.AlreadyStored);
    }

    private static bool IsSha256Hex(string? value)
    {
        if (value is not { Length: 64 })
        {
            return false;
        }
        foreach (var c in value)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        return true;
    }

    private void Remember(CatalogueEntry entry)
    {
        _bySop[entry.SopInstanceUid] = entry;
        _inOrder.Add(entry);
        _series[entry.SeriesInstanceUid] = _series.TryGetValue(entry.SeriesInstanceUid, out var s)
            ? (s.Count + 1, s.Bytes + entry.Size)
            : (1, entry.Size);
    }

    private static InstanceLocation ToLocation(CatalogueEntry e) =>
        new(e.SeriesInstanceUid, e.SopInstanceUid, e.SopClassUid, e.TransferSyntaxUid, e.BlobKey, e.Size, e.Sha256, e.OriginalSha256);

    /// <inheritdoc/>
    public async Task<bool> ReplaceWithArchivedAsync(ArchiveReplacement replacement)
    {
        AuthorizeSystem();
        ArgumentNullException.ThrowIfNull(replacement);
        var prefix = _tenantId + "/" + _studyInstanceUid + "/";
        if (replacement.BlobKey is null || !replacement.BlobKey.StartsWith(prefix, StringComparison.Ordinal) || replacement.BlobKey.Contains("..", StringComparison.Ordinal)
            || !IsSha256Hex(replacement.Sha256) || !GrainKeys.IsValidUid(replacement.TransferSyntaxUid) || replacement.Size <= 0)
        {
            throw new InvalidRequestException("The archived object is not valid for this study.");
        }
        if (!_bySop.TryGetValue(replacement.SopInstanceUid, out var current) || current.Sha256 != replacement.ExpectedSha256)
        {
            return false;
        }
        if (!await catalogue.ReplaceAsync(_tenantId, _studyInstanceUid, replacement))
        {
            return false;
        }
        var updated = current with
        {
            TransferSyntaxUid = replacement.TransferSyntaxUid,
            BlobKey = replacement.BlobKey,
            Size = replacement.Size,
            Sha256 = replacement.Sha256,
            OriginalSha256 = current.OriginalSha256 ?? current.Sha256,
        };
        _bySop[updated.SopInstanceUid] = updated;
        _inOrder[_inOrder.IndexOf(current)] = updated;
        var (count, bytes) = _series[updated.SeriesInstanceUid];
        _series[updated.SeriesInstanceUid] = (count, bytes - current.Size + updated.Size);
        // The index keeps each instance's blob key and transfer syntax: it follows, from the patched metadata.
        if (await catalogue.ReadMetadataAsync(_tenantId, _studyInstanceUid, updated.SopInstanceUid) is { } metadata)
        {
            var header = DicomJson.Deserialize(System.Text.Encoding.UTF8.GetString(metadata));
            await index.UpsertAsync([IndexedInstance.FromDataset(_tenantId, header, updated.BlobKey, updated.Size, updated.Sha256, updated.TransferSyntaxUid)], CancellationToken.None);
        }
        return true;
    }

    /// <inheritdoc/>
    public async Task RecordArchiveFailureAsync(string sopInstanceUid, string error, bool permanent)
    {
        AuthorizeSystem();
        var attempts = await catalogue.RecordArchiveFailureAsync(_tenantId, _studyInstanceUid, sopInstanceUid, error ?? "",
            time.GetUtcNow() + ArchiveRetryDelay, permanent ? MaxArchiveAttempts : null);
        LogArchiveFailure(_tenantId, _studyInstanceUid, sopInstanceUid, attempts, error ?? "");
    }

    /// <inheritdoc/>
    public Task<ArchiveStatus> GetArchiveStatusAsync()
    {
        AuthorizeExisting();
        return catalogue.GetArchiveStatusAsync(_tenantId, _studyInstanceUid, MaxArchiveAttempts);
    }

    private void AuthorizeSystem()
    {
        var caller = Access.CurrentCaller();
        if (!_validKey || caller.Kind != CallerKind.System || !caller.IsInTenant(_tenantId))
        {
            // Archive work is the silo's own; to anyone else the method looks like a missing study.
            throw new NotFoundException("Study not found.");
        }
    }

    private async Task<ArchiveCompression> ArchiveSettingAsync(DateTimeOffset now)
    {
        if (_archiveSetting is { } cached && now - cached.AskedAt < TimeSpan.FromMinutes(1))
            return cached.Compression;
        var compression = await GrainFactory.GetGrain<ITenantGrain>(_tenantId).GetArchiveCompressionAsync();
        _archiveSetting = (compression, now);
        return compression;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive compression of {TenantId}/{StudyInstanceUid}/{SopInstanceUid} failed (attempt {Attempts}); the original stays: {Error}")]
    private partial void LogArchiveFailure(string tenantId, string studyInstanceUid, string sopInstanceUid, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Study {StudyKey}: state counts {StateCount} instances, the catalogue {CatalogueCount}; the catalogue wins.")]
    private partial void LogStateBehindCatalogue(string studyKey, int stateCount, int catalogueCount);
}
