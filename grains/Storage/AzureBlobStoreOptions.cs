namespace OrleansImaging.Grains.Storage;

/// <summary>Options for <see cref="AzureBlobStore"/> (cluster mode: one container per store, Azure Blob Storage or Azurite).</summary>
public sealed class AzureBlobStoreOptions
{
    /// <summary>The storage account's connection string (for Azurite: <c>DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=…;BlobEndpoint=http://127.0.0.1:PORT/devstoreaccount1;</c>).</summary>
    /// <value>Required unless the store is given a <c>BlobContainerClient</c>; no default.</value>
    public string ConnectionString { get; set; } = "";

    /// <summary>The container holding this store's objects.</summary>
    /// <value>Required; 3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</value>
    public string ContainerName { get; set; } = "";

    /// <summary>Whether the first write creates the container if it does not exist.</summary>
    /// <value>true.</value>
    public bool CreateContainerIfMissing { get; set; } = true;

    /// <summary>
    /// Bytes per staged block, and the buffer each concurrent put holds. An object shorter than this goes
    /// up in one Put Blob request (one round trip: every DICOM instance but the largest); a longer one is
    /// staged block by block and committed with its hash in one Put Block List.
    /// </summary>
    /// <value>4,194,304 (4 MiB). Between 64 KiB and 100 MiB.</value>
    public int BlockSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate(bool connectionStringRequired = true)
    {
        if (connectionStringRequired && string.IsNullOrWhiteSpace(ConnectionString))
            throw new ArgumentException($"{nameof(AzureBlobStoreOptions)}.{nameof(ConnectionString)} is required.", nameof(ConnectionString));
        if (!IsValidContainerName(ContainerName))
            throw new ArgumentException($"{nameof(AzureBlobStoreOptions)}.{nameof(ContainerName)} '{ContainerName}' is not a valid container name (3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit).", nameof(ContainerName));
        if (BlockSize is < 64 * 1024 or > 100 * 1024 * 1024)
            throw new ArgumentException($"{nameof(AzureBlobStoreOptions)}.{nameof(BlockSize)} must be between 64 KiB and 100 MiB; it is {BlockSize}.", nameof(BlockSize));
    }

    internal static bool IsValidContainerName(string? name)
    {
        if (name is null || name.Length is < 3 or > 63)
            return false;
        if (name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
            return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                return false;
        }
        return true;
    }
}
