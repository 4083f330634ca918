namespace OrleansImaging.Grains.Storage;

/// <summary>
/// Immutable-object storage for DICOM instances and derived files, keyed by a slash-separated
/// path (callers use <c>{tenant}/{study}/{instance}</c>; see <see cref="BlobKey"/> for the rules).
/// </summary>
/// <remarks>
/// The ingest path relies on three promises every implementation keeps:
/// <list type="bullet">
/// <item>Durable on success: when a put completes, the object survives a process kill and, for the
/// folder store, a power loss (file and directory entry are fsynced).</item>
/// <item>Atomic: a reader sees the whole old object, the whole new one, or none; never a partial one.
/// A cancelled or failed put leaves nothing a reader or <see cref="ListAsync"/> can see.</item>
/// <item>Hashed while streaming: the SHA-256 of exactly the bytes stored comes back from the put,
/// so the caller can record it before anything points at the object.</item>
/// </list>
/// </remarks>
public interface IBlobStore
{
    /// <summary>
    /// Streams <paramref name="content"/> to <paramref name="key"/>, replacing any object already there
    /// atomically (last writer wins). Reads <paramref name="content"/> to its end; does not dispose it.
    /// </summary>
    /// <returns>The length and SHA-256 of the bytes stored; <see cref="BlobWriteResult.Created"/> is always true.</returns>
    /// <exception cref="InvalidBlobKeyException">The key breaks the <see cref="BlobKey"/> rules.</exception>
    Task<BlobWriteResult> PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams <paramref name="content"/> to <paramref name="key"/> only if no object exists there: of
    /// concurrent callers exactly one creates it. The body is read to its end either way, so the result
    /// always carries the length and SHA-256 of what the caller offered; compare it with
    /// <see cref="GetInfoAsync"/> to tell an idempotent retry from a conflict.
    /// </summary>
    /// <returns><see cref="BlobWriteResult.Created"/> is false when an object was already there (it is left unchanged).</returns>
    Task<BlobWriteResult> PutIfAbsentAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens the whole object for reading (seekable where the store allows), or returns null if there is none.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens <paramref name="length"/> bytes from <paramref name="offset"/> (frames, bulk data), clipped to the
    /// object's end: a range starting at or past the end reads as empty. Returns null if there is no object.
    /// </summary>
    Task<Stream?> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>Returns whether an object exists at <paramref name="key"/>.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns the object's length and SHA-256, or null if there is none. The folder store has nowhere to
    /// keep the hash, so it reads the object to compute it: use this on the rare paths (a put that found
    /// an object already there, verification), not per read.
    /// </summary>
    Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object; returns false if there was none.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the keys that start with <paramref name="prefix"/> (a plain string prefix, like Azure's:
    /// <c>"t1/s1/"</c> lists one study, <c>"t1/s"</c> every study of t1 starting with "s"). Order is not specified.
    /// </summary>
    IAsyncEnumerable<string> ListAsync(string prefix = "", CancellationToken cancellationToken = default);
}
