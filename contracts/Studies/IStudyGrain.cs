namespace OrleansImaging.Contracts.Studies;

/// <summary>
/// One study of one hospital: its series/instance catalogue, blob locations and hashes. Key:
/// <c>{tenant}/{studyInstanceUid}</c> (<see cref="GrainKeys.Study"/>). Callers who may not read the study get
/// <see cref="Errors.NotFoundException"/> from every method, so another tenant cannot learn it exists.
/// </summary>
public interface IStudyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records instances whose objects are already durable in blob storage, idempotently: one outcome per
    /// instance, in order. Returns only once the catalogue entries and the study's state are durable. Needs
    /// write access (<see cref="Errors.ForbiddenException"/> for a same-tenant caller without it).
    /// </summary>
    Task<IReadOnlyList<InstanceOutcome>> AddInstancesAsync(IReadOnlyList<NewInstance> instances);

    /// <summary>Where one instance is stored. Throws <see cref="Errors.NotFoundException"/> if it is not in this series of this study.</summary>
    Task<InstanceLocation> GetInstanceAsync(string seriesInstanceUid, string sopInstanceUid);

    /// <summary>The study's series with their instance counts, ordered by Series Instance UID.</summary>
    Task<IReadOnlyList<SeriesSummary>> GetSeriesAsync();

    /// <summary>The study's instances (of one series when <paramref name="seriesInstanceUid"/> is set), in the order they were stored.</summary>
    Task<IReadOnlyList<InstanceLocation>> GetInstancesAsync(string? seriesInstanceUid = null);

    /// <summary>
    /// The instances' metadata as one UTF-8 DICOM JSON array (PS3.18 Annex F), of one series when
    /// <paramref name="seriesInstanceUid"/> is set, in the order stored; read from the catalogue, never from blobs.
    /// </summary>
    Task<byte[]> GetMetadataAsync(string? seriesInstanceUid = null);

    /// <summary>Counts and timestamps of the study.</summary>
    Task<StudySummary> GetSummaryAsync();

    /// <summary>
    /// Puts a verified compressed object in the place of an instance's original (archive compression; the silo's own
    /// work only). The catalogue keeps the original's SHA-256 and size beside the new ones, so the original sent again
    /// is still recognised as already stored. Returns false, changing nothing, when the instance's current object is
    /// not the one <see cref="Archive.ArchiveReplacement.ExpectedSha256"/> names.
    /// </summary>
    Task<bool> ReplaceWithArchivedAsync(Archive.ArchiveReplacement replacement);

    /// <summary>
    /// Records that compressing an instance failed. A <paramref name="permanent"/> failure (the image cannot be
    /// compressed or did not verify) gives it up at once; others are retried a few times. Its original stays either way.
    /// </summary>
    Task RecordArchiveFailureAsync(string sopInstanceUid, string error, bool permanent);

    /// <summary>Where the study's archive compression stands: pending, compressed, failed with reasons.</summary>
    Task<Archive.ArchiveStatus> GetArchiveStatusAsync();
}

/// <summary>What happened to one instance offered to <see cref="IStudyGrain.AddInstancesAsync"/>.</summary>
public enum InstanceStatus
{
    /// <summary>Newly recorded.</summary>
    Stored = 0,

    /// <summary>The same SOP Instance UID with the same SHA-256 was already recorded: success, nothing written.</summary>
    AlreadyStored = 1,

    /// <summary>The same SOP Instance UID is recorded with different content (or in another series): not recorded.</summary>
    Conflict = 2,

    /// <summary>Not recorded because the request was invalid (see <see cref="InstanceOutcome.Reason"/>).</summary>
    Refused = 3,
}

/// <summary>An instance whose object is already durable in blob storage, to be recorded in the study.</summary>
/// <param name="SeriesInstanceUid">Series Instance UID (0020,000E).</param>
/// <param name="SopInstanceUid">SOP Instance UID (0008,0018).</param>
/// <param name="SopClassUid">SOP Class UID (0008,0016).</param>
/// <param name="TransferSyntaxUid">The transfer syntax the object is stored in.</param>
/// <param name="BlobKey">Where the object is; must lie under <c>{tenant}/{studyInstanceUid}/</c>.</param>
/// <param name="Size">The object's length in bytes.</param>
/// <param name="Sha256">The object's SHA-256, 64 lower-case hex digits.</param>
/// <param name="MetadataJson">The instance's DICOM JSON object (UTF-8), bulk data as URIs, pixel data left out.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.NewInstance")]
public sealed record NewInstance(
    [property: Id(0)] string SeriesInstanceUid,
    [property: Id(1)] string SopInstanceUid,
    [property: Id(2)] string SopClassUid,
    [property: Id(3)] string TransferSyntaxUid,
    [property: Id(4)] string BlobKey,
    [property: Id(5)] long Size,
    [property: Id(6)] string Sha256,
    [property: Id(7)] byte[] MetadataJson);

/// <summary>The outcome for one instance.</summary>
/// <param name="SopInstanceUid">The instance, as offered.</param>
/// <param name="Status">What happened.</param>
/// <param name="Reason">Why it was a conflict or refused, for the STOW response; null when stored.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.InstanceOutcome")]
public sealed record InstanceOutcome(
    [property: Id(0)] string SopInstanceUid,
    [property: Id(1)] InstanceStatus Status,
    [property: Id(2)] string? Reason = null)
{
    /// <summary>Stored or already stored: the sender may count the instance as kept.</summary>
    public bool IsSuccess => Status is InstanceStatus.Stored or InstanceStatus.AlreadyStored;
}

/// <summary>Where and what one stored instance is.</summary>
/// <param name="SeriesInstanceUid">Its series.</param>
/// <param name="SopInstanceUid">The instance.</param>
/// <param name="SopClassUid">Its SOP class.</param>
/// <param name="TransferSyntaxUid">The transfer syntax it is stored in.</param>
/// <param name="BlobKey">The blob key of the object.</param>
/// <param name="Size">The object's length in bytes.</param>
/// <param name="Sha256">The object's SHA-256, lower-case hex.</param>
/// <param name="OriginalSha256">When archive compression replaced the object received, that object's SHA-256; else null.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.InstanceLocation")]
public sealed record InstanceLocation(
    [property: Id(0)] string SeriesInstanceUid,
    [property: Id(1)] string SopInstanceUid,
    [property: Id(2)] string SopClassUid,
    [property: Id(3)] string TransferSyntaxUid,
    [property: Id(4)] string BlobKey,
    [property: Id(5)] long Size,
    [property: Id(6)] string Sha256,
    [property: Id(7)] string? OriginalSha256 = null);

/// <summary>One series of a study.</summary>
/// <param name="SeriesInstanceUid">The series.</param>
/// <param name="InstanceCount">How many instances it has.</param>
/// <param name="TotalBytes">The sum of their sizes.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.SeriesSummary")]
public sealed record SeriesSummary(
    [property: Id(0)] string SeriesInstanceUid,
    [property: Id(1)] int InstanceCount,
    [property: Id(2)] long TotalBytes);

/// <summary>Counts and timestamps of a study.</summary>
/// <param name="StudyInstanceUid">The study.</param>
/// <param name="SeriesCount">How many series.</param>
/// <param name="InstanceCount">How many instances.</param>
/// <param name="TotalBytes">The sum of the instances' sizes.</param>
/// <param name="CreatedAt">When the first instance was recorded.</param>
/// <param name="UpdatedAt">When the last instance was recorded.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.StudySummary")]
public sealed record StudySummary(
    [property: Id(0)] string StudyInstanceUid,
    [property: Id(1)] int SeriesCount,
    [property: Id(2)] int InstanceCount,
    [property: Id(3)] long TotalBytes,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset UpdatedAt);
