using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace OrleansImaging.Grains.Storage;

/// <summary>
/// <see cref="IBlobStore"/> over one Azure Blob Storage container (Azurite locally), as block blobs.
/// The SHA-256 is computed while the body streams and stored as the blob's <c>sha256</c> metadata in the
/// same request that makes the blob visible (Azure's own Content-MD5 is neither SHA-256 nor kept for
/// blobs uploaded in blocks). A body shorter than <see cref="AzureBlobStoreOptions.BlockSize"/> goes up in one
/// Put Blob; a longer one as staged blocks committed by one Put Block List. Either request is atomic on
/// the service, so readers see the whole old blob, the whole new one, or none. Put-if-absent sends
/// <c>If-None-Match: *</c> on that request.
/// </summary>
/// <remarks>
/// Cancelling or failing mid-put leaves at most uncommitted blocks, which no read or listing sees and the
/// service discards (at the next commit to that name, or after a week). A cancellation that races the final
/// request may still leave the whole blob: never a partial one.
/// </remarks>
public sealed class AzureBlobStore : IBlobStore
{
    /// <summary>The metadata entry holding the SHA-256 (64 lowercase hex digits).</summary>
    public const string Sha256MetadataKey = "sha256";

    private readonly BlobContainerClient _container;
    private readonly AzureBlobStoreOptions _options;
    private Lazy<Task> _containerCreated;

    /// <summary>Connects with <see cref="AzureBlobStoreOptions.ConnectionString"/>.</summary>
    public AzureBlobStore(AzureBlobStoreOptions options)
        : this(CreateContainerClient(options), options)
    {
    }

    /// <summary>Uses a container client built by the host (for example with a managed identity); the options' connection string is ignored.</summary>
    public AzureBlobStore(BlobContainerClient container, AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(connectionStringRequired: false);
        _container = container;
        _options = options;
        _containerCreated = NewContainerCreation();
    }

    /// <summary>The container this store writes to.</summary>
    public string ContainerName => _container.Name;

    /// <inheritdoc />
    public Task<BlobWriteResult> PutAsync(string key, Stream content, CancellationToken cancellationToken = default) =>
        WriteAsync(key, content, overwrite: true, cancellationToken);

    /// <inheritdoc />
    public Task<BlobWriteResult> PutIfAbsentAsync(string key, Stream content, CancellationToken cancellationToken = default) =>
        WriteAsync(key, content, overwrite: false, cancellationToken);

    /// <inheritdoc />
    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = BlobOf(key);
        try
        {
            // Seekable; reads the blob in ranged GETs as the caller goes. allowModifications: false pins the
            // ETag, so an overwrite during the read fails the read instead of mixing two objects.
            return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw Wrap("open", key, e);
        }
    }

    /// <inheritdoc />
    public async Task<Stream?> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var blob = BlobOf(key);
        if (length == 0)
            return await ExistsAsync(key, cancellationToken).ConfigureAwait(false) ? new MemoryStream([], writable: false) : null;
        try
        {
            var response = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken).ConfigureAwait(false);
            return response.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            // The range starts at or past the end: the blob exists (else 404), the window is empty.
            return new MemoryStream([], writable: false);
        }
        catch (RequestFailedException e)
        {
            throw Wrap("read a range of", key, e);
        }
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = BlobOf(key);
        try
        {
            return (await blob.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e)
        {
            throw Wrap("check", key, e);
        }
    }

    /// <inheritdoc />
    public async Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = BlobOf(key);
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new BlobInfo(properties.ContentLength, properties.Metadata.TryGetValue(Sha256MetadataKey, out var sha256) ? sha256 : null);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw Wrap("read the properties of", key, e);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = BlobOf(key);
        try
        {
            return (await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e)
        {
            throw Wrap("delete", key, e);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BlobKey.ValidatePrefix(prefix);
        await EnsureContainerAsync().ConfigureAwait(false);
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix.Length == 0 ? null : prefix }, cancellationToken);
        await foreach (var item in pages.ConfigureAwait(false))
            yield return item.Name;
    }

    private async Task<BlobWriteResult> WriteAsync(string key, Stream content, bool overwrite, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlockBlobClient(ValidKey(key));
        ArgumentNullException.ThrowIfNull(content);
        await EnsureContainerAsync().ConfigureAwait(false);

        var blockSize = _options.BlockSize;
        var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var read = await content.ReadAtLeastAsync(buffer.AsMemory(0, blockSize), blockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            hash.AppendData(buffer, 0, read);
            var conditions = overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All };

            if (read < blockSize)
            {
                // The whole body is in the buffer: one Put Blob carries bytes and hash together.
                var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
                try
                {
                    using var body = new MemoryStream(buffer, 0, read, writable: false);
                    await blob.UploadAsync(body, new BlobUploadOptions { Metadata = HashMetadata(sha256), Conditions = conditions }, cancellationToken).ConfigureAwait(false);
                    return new BlobWriteResult(read, sha256, Created: true);
                }
                catch (RequestFailedException e) when (!overwrite && IsAlreadyExists(e))
                {
                    return new BlobWriteResult(read, sha256, Created: false);
                }
            }

            if (!overwrite && (await blob.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
            {
                // An idempotent retry of a large object: hash the rest of what was offered, upload nothing.
                var rest = await DrainHashingAsync(content, buffer, blockSize, hash, cancellationToken).ConfigureAwait(false);
                return new BlobWriteResult(read + rest, Convert.ToHexStringLower(hash.GetHashAndReset()), Created: false);
            }

            // Block ids must all have one length within a blob; a per-put prefix keeps concurrent puts' blocks apart.
            var uploadId = Guid.NewGuid().ToString("N");
            var blockIds = new List<string>();
            long total = 0;
            while (read > 0)
            {
                var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{uploadId}{blockIds.Count:D8}"));
                using (var block = new MemoryStream(buffer, 0, read, writable: false))
                    await blob.StageBlockAsync(blockId, block, new BlockBlobStageBlockOptions(), cancellationToken).ConfigureAwait(false);
                blockIds.Add(blockId);
                total += read;
                if (read < blockSize)
                    break;
                read = await content.ReadAtLeastAsync(buffer.AsMemory(0, blockSize), blockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                hash.AppendData(buffer, 0, read);
            }

            var committedHash = Convert.ToHexStringLower(hash.GetHashAndReset());
            try
            {
                await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions { Metadata = HashMetadata(committedHash), Conditions = conditions }, cancellationToken).ConfigureAwait(false);
                return new BlobWriteResult(total, committedHash, Created: true);
            }
            catch (RequestFailedException e) when (!overwrite && IsAlreadyExists(e))
            {
                return new BlobWriteResult(total, committedHash, Created: false);
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.InvalidBlockList)
            {
                // Another writer's commit to this name discarded our uncommitted blocks. For put-if-absent that
                // writer created the blob, which is the answer; for put the caller must retry with the body.
                if (!overwrite && (await blob.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
                    return new BlobWriteResult(total, committedHash, Created: false);
                throw new BlobStorageException($"Put of '{key}' lost its staged blocks to a concurrent writer; retry the put.", e);
            }
        }
        catch (RequestFailedException e)
        {
            throw Wrap("write", key, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<long> DrainHashingAsync(Stream content, byte[] buffer, int size, IncrementalHash hash, CancellationToken cancellationToken)
    {
        long total = 0;
        int read;
        while ((read = await content.ReadAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }
        return total;
    }

    private static bool IsAlreadyExists(RequestFailedException e) =>
        e.Status == 409 && e.ErrorCode == BlobErrorCode.BlobAlreadyExists || e.Status == 412;

    private static Dictionary<string, string> HashMetadata(string sha256) => new() { [Sha256MetadataKey] = sha256 };

    private BlobClient BlobOf(string key) => _container.GetBlobClient(ValidKey(key));

    private static string ValidKey(string key)
    {
        BlobKey.Validate(key);
        return key;
    }

    private async Task EnsureContainerAsync()
    {
        if (!_options.CreateContainerIfMissing)
            return;
        var creation = _containerCreated;
        try
        {
            await creation.Value.ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            // Let the next call try again rather than remembering a transient failure forever.
            Interlocked.CompareExchange(ref _containerCreated, NewContainerCreation(), creation);
            throw new BlobStorageException($"Cannot create container '{_container.Name}': {e.Status} {e.ErrorCode}.", e);
        }
    }

    // Shared by every caller and never cancelled by one of them.
    private Lazy<Task> NewContainerCreation() => new(() => _container.CreateIfNotExistsAsync());

    private static BlobStorageException Wrap(string action, string key, RequestFailedException e) =>
        new($"Cannot {action} blob '{key}': {e.Status} {e.ErrorCode}.", e);

    private static BlobContainerClient CreateContainerClient(AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new BlobContainerClient(options.ConnectionString, options.ContainerName);
    }
}
