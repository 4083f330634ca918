namespace OrleansImaging.Contracts.Archive;

/// <summary>How a hospital keeps its images in the archive (the whitepaper's lossless archive compression).</summary>
public enum ArchiveCompression
{
    /// <summary>Objects stay exactly as received (the embedded default).</summary>
    AsReceived = 0,

    /// <summary>Uncompressed images are recompressed to JPEG-LS lossless (1.2.840.10008.1.2.4.80).</summary>
    JpegLsLossless = 1,

    /// <summary>Uncompressed images are recompressed to JPEG 2000 lossless only (1.2.840.10008.1.2.4.90).</summary>
    Jpeg2000Lossless = 2,
}

/// <summary>The archive settings' names and transfer syntaxes.</summary>
public static class ArchiveCompressions
{
    /// <summary>The transfer syntax UID objects are compressed to, or null for <see cref="ArchiveCompression.AsReceived"/>.</summary>
    public static string? TargetTransferSyntaxUid(ArchiveCompression compression) => compression switch
    {
        ArchiveCompression.JpegLsLossless => "1.2.840.10008.1.2.4.80",
        ArchiveCompression.Jpeg2000Lossless => "1.2.840.10008.1.2.4.90",
        _ => null,
    };

    /// <summary>The name used on the command line and in the admin API: as-received, jpeg-ls, jpeg2000.</summary>
    public static string Name(ArchiveCompression compression) => compression switch
    {
        ArchiveCompression.JpegLsLossless => "jpeg-ls",
        ArchiveCompression.Jpeg2000Lossless => "jpeg2000",
        _ => "as-received",
    };

    /// <summary>Parses <see cref="Name"/>'s spelling.</summary>
    public static bool TryParse(string? name, out ArchiveCompression compression)
    {
        compression = name switch
        {
            "as-received" => ArchiveCompression.AsReceived,
            "jpeg-ls" => ArchiveCompression.JpegLsLossless,
            "jpeg2000" => ArchiveCompression.Jpeg2000Lossless,
            _ => (ArchiveCompression)(-1),
        };
        return compression >= 0;
    }
}

/// <summary>One instance waiting to be compressed for the archive (a row of the durable work queue).</summary>
/// <param name="TenantId">Its tenant.</param>
/// <param name="StudyInstanceUid">Its study.</param>
/// <param name="SeriesInstanceUid">Its series.</param>
/// <param name="SopInstanceUid">The instance.</param>
/// <param name="TargetTransferSyntaxUid">What it is to be compressed to.</param>
/// <param name="Attempts">How many attempts failed so far.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.ArchiveWorkItem")]
public sealed record ArchiveWorkItem(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string StudyInstanceUid,
    [property: Id(2)] string SeriesInstanceUid,
    [property: Id(3)] string SopInstanceUid,
    [property: Id(4)] string TargetTransferSyntaxUid,
    [property: Id(5)] int Attempts = 0);

/// <summary>What became of one work item.</summary>
public enum ArchiveWorkOutcome
{
    /// <summary>The compressed object replaced the original after its pixels were verified identical.</summary>
    Compressed = 0,

    /// <summary>Nothing to do any more (already compressed, or the instance changed since).</summary>
    Skipped = 1,

    /// <summary>It failed; the reason is recorded on the study and the item is retried later or given up.</summary>
    Failed = 2,
}

/// <summary>The result of compressing one instance.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="OriginalSize">The original object's bytes.</param>
/// <param name="CompressedSize">The compressed object's bytes (0 unless compressed).</param>
/// <param name="Error">Why it failed, when it did.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.ArchiveWorkResult")]
public sealed record ArchiveWorkResult(
    [property: Id(0)] ArchiveWorkOutcome Outcome,
    [property: Id(1)] long OriginalSize = 0,
    [property: Id(2)] long CompressedSize = 0,
    [property: Id(3)] string? Error = null);

/// <summary>
/// Codec work on the silos: compresses one instance for the archive. A stateless worker, so each silo runs as many
/// at once as it has cores; the silo's scheduler feeds it from the durable queue, as the system caller of the tenant.
/// </summary>
public interface ICodecWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Compresses <paramref name="item"/>'s object, verifies the compressed pixels decode bit-identical to the
    /// original's, stores it under a new blob key and asks the study grain to swap it in (which records both hashes);
    /// the original is deleted only after the swap. Never throws for a bad image: the failure is recorded on the study.
    /// </summary>
    Task<ArchiveWorkResult> CompressAsync(ArchiveWorkItem item);
}

/// <summary>A verified compressed object to take the place of an instance's original.</summary>
/// <param name="SopInstanceUid">The instance.</param>
/// <param name="ExpectedSha256">The SHA-256 of the object it replaces: if the study holds another by now, nothing changes.</param>
/// <param name="BlobKey">Where the compressed object is (under the study's prefix).</param>
/// <param name="TransferSyntaxUid">Its transfer syntax.</param>
/// <param name="Size">Its bytes.</param>
/// <param name="Sha256">Its SHA-256.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.ArchiveReplacement")]
public sealed record ArchiveReplacement(
    [property: Id(0)] string SopInstanceUid,
    [property: Id(1)] string ExpectedSha256,
    [property: Id(2)] string BlobKey,
    [property: Id(3)] string TransferSyntaxUid,
    [property: Id(4)] long Size,
    [property: Id(5)] string Sha256);

/// <summary>Where a study's archive compression stands.</summary>
/// <param name="Pending">Instances waiting (or being retried).</param>
/// <param name="Compressed">Instances whose original was replaced by a verified compressed object.</param>
/// <param name="Failed">Instances given up on, with the last reason (at most 100 listed).</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.ArchiveStatus")]
public sealed record ArchiveStatus(
    [property: Id(0)] int Pending,
    [property: Id(1)] int Compressed,
    [property: Id(2)] IReadOnlyList<ArchiveFailure> Failed);

/// <summary>An instance archive compression gave up on.</summary>
/// <param name="SopInstanceUid">The instance (its original stays, untouched).</param>
/// <param name="Attempts">How many times it was tried.</param>
/// <param name="Error">The last reason.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.ArchiveFailure")]
public sealed record ArchiveFailure(
    [property: Id(0)] string SopInstanceUid,
    [property: Id(1)] int Attempts,
    [property: Id(2)] string Error);
