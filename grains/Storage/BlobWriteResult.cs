namespace OrleansImaging.Grains.Storage;

/// <summary>What a put stored (or, for a put-if-absent that found an object, what was offered).</summary>
/// <param name="Length">Bytes read from the content stream.</param>
/// <param name="Sha256">SHA-256 of those bytes, 64 lowercase hex digits.</param>
/// <param name="Created">False only from <see cref="IBlobStore.PutIfAbsentAsync"/> when an object was already there.</param>
public sealed record BlobWriteResult(long Length, string Sha256, bool Created);

/// <summary>An object's length and SHA-256 (64 lowercase hex digits).</summary>
/// <param name="Length">The object's size in bytes.</param>
/// <param name="Sha256">Null only for an Azure blob written by something other than <see cref="AzureBlobStore"/> (no sha256 metadata).</param>
public sealed record BlobInfo(long Length, string? Sha256);
