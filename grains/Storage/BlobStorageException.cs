namespace OrleansImaging.Grains.Storage;

/// <summary>A blob store operation failed in the backing service (wraps the library's exception).</summary>
public class BlobStorageException : Exception
{
    public BlobStorageException(string message) : base(message) { }

    public BlobStorageException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A key breaks the <see cref="BlobKey"/> rules. An argument error: keys are built by our code, never taken raw from a client.</summary>
public sealed class InvalidBlobKeyException : ArgumentException
{
    public InvalidBlobKeyException(string key, string reason)
        : base($"Invalid blob key '{Truncate(key)}': {reason}. Keys are '/'-separated segments of [A-Za-z0-9._-], each starting with a letter or digit.", "key")
    {
        Key = key;
    }

    /// <summary>The rejected key.</summary>
    public string Key { get; }

    private static string Truncate(string key) => key.Length <= 120 ? key : key[..120] + "…";
}
