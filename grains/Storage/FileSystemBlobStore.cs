using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace OrleansImaging.Grains.Storage;

/// <summary>
/// <see cref="IBlobStore"/> over a folder: key <c>a/b/c</c> is the file <c>{root}/a/b/c</c>. A put streams into
/// a hidden temp file beside the target (<c>.c.{guid}.tmp</c>), fsyncs it, renames it over the target and
/// fsyncs the directory, so the object is complete and durable before the put returns, and readers never see
/// a partial one. Put-if-absent links instead of renaming (<c>link(2)</c> refuses if the name exists), so of
/// concurrent writers exactly one wins.
/// </summary>
/// <remarks>
/// A key cannot be both an object and a "folder" of other keys here (Azure allows <c>a/b</c> and
/// <c>a/b/c</c> side by side; a file system does not); keys of one depth, like <c>{tenant}/{study}/{instance}</c>,
/// never meet that. Directories are never removed, even when emptied: this machine's ext4 punishes
/// re-creating files in a directory emptied minutes ago. A process killed mid-put leaves its temp file;
/// <see cref="RemoveAbandonedTempFiles"/> sweeps them at start-up.
/// </remarks>
public sealed class FileSystemBlobStore : IBlobStore
{
    private const int MaxRememberedDirectories = 100_000;

    private readonly FileSystemBlobStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly string _root;

    // Directories whose own entry (and every ancestor's, up to the root) is known to be on disk. A directory
    // created by another put that has not been fsynced yet is not in here, so every put makes sure itself.
    private readonly ConcurrentDictionary<string, byte> _durableDirectories = new(StringComparer.Ordinal);

    public FileSystemBlobStore(FileSystemBlobStoreOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.RootPath));
        if (!Directory.Exists(_root))
        {
            Directory.CreateDirectory(_root);
            if (_options.FlushToDisk)
                PosixFileSystem.FlushDirectory(Path.GetDirectoryName(_root) ?? _root);
        }
        _durableDirectories[_root] = 0;
    }

    /// <summary>The folder holding the objects (full path).</summary>
    public string RootPath => _root;

    /// <inheritdoc />
    public Task<BlobWriteResult> PutAsync(string key, Stream content, CancellationToken cancellationToken = default) =>
        WriteAsync(key, content, overwrite: true, cancellationToken);

    /// <inheritdoc />
    public Task<BlobWriteResult> PutIfAbsentAsync(string key, Stream content, CancellationToken cancellationToken = default) =>
        WriteAsync(key, content, overwrite: false, cancellationToken);

    /// <inheritdoc />
    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Reads at least BufferSize long bypass the FileStream buffer; smaller ones are served from it.
            // FileShare.Delete: an overwrite or delete may replace the name while this reader keeps the old object.
            Stream stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = _options.BufferSize,
            });
            return Task.FromResult<Stream?>(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    /// <inheritdoc />
    public Task<Stream?> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var path = PathOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        var fileLength = RandomAccess.GetLength(handle);
        var start = Math.Min(offset, fileLength);
        var end = length > fileLength - start ? fileLength : start + length;
        return Task.FromResult<Stream?>(new FileRangeStream(handle, start, end));
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(PathOf(key)));

    /// <inheritdoc />
    public async Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var stream = await OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (stream is null)
            return null;
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return new BlobInfo(stream.Length, Convert.ToHexStringLower(hash));
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        // Renaming away first claims the object atomically: of two racing deletes exactly one sees it.
        var doomed = TempPathFor(path);
        try
        {
            File.Move(path, doomed, overwrite: false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }
        File.Delete(doomed);
        if (_options.FlushToDisk)
            PosixFileSystem.FlushDirectory(Path.GetDirectoryName(path)!);
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BlobKey.ValidatePrefix(prefix);
        var lastSlash = prefix.LastIndexOf('/');
        var directory = lastSlash < 0 ? _root : Path.Combine(_root, prefix[..lastSlash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(directory))
            yield break;
        var files = Directory.EnumerateFiles(directory, "*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = false,
            AttributesToSkip = 0,
        });
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Path.GetFileName(file.AsSpan()).StartsWith('.'))
                continue; // a put's or delete's temp file: not an object
            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal))
                yield return key;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes temp files older than <paramref name="olderThan"/> left by processes killed mid-put (never
    /// visible as objects, but they take space). Call at start-up; returns how many were removed.
    /// </summary>
    public int RemoveAbandonedTempFiles(TimeSpan olderThan)
    {
        var cutoff = _timeProvider.GetUtcNow().UtcDateTime - olderThan;
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(_root, ".*.tmp", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (File.GetLastWriteTimeUtc(file) > cutoff)
                continue;
            try
            {
                File.Delete(file);
                removed++;
            }
            catch (FileNotFoundException)
            {
                // Another sweeper got there first.
            }
        }
        return removed;
    }

    private async Task<BlobWriteResult> WriteAsync(string key, Stream content, bool overwrite, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        ArgumentNullException.ThrowIfNull(content);
        if (!overwrite && File.Exists(path))
        {
            // An idempotent retry: hash what was offered, write nothing.
            var (offeredLength, offeredHash) = await CopyHashingAsync(content, destination: null, cancellationToken).ConfigureAwait(false);
            return new BlobWriteResult(offeredLength, offeredHash, Created: false);
        }

        var directory = Path.GetDirectoryName(path)!;
        EnsureDurableDirectory(directory);
        var tempPath = TempPathFor(path);
        var renamed = false;
        try
        {
            long length;
            string sha256;
            var file = new FileStream(tempPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0, // CopyHashingAsync writes whole buffers; a second buffer would only copy
            });
            await using (file.ConfigureAwait(false))
            {
                (length, sha256) = await CopyHashingAsync(content, file, cancellationToken).ConfigureAwait(false);
                if (_options.FlushToDisk)
                    file.Flush(flushToDisk: true); // fsync: the bytes are on disk before the name points at them
            }

            // The last moment a cancellation can still leave nothing behind.
            cancellationToken.ThrowIfCancellationRequested();
            if (overwrite)
            {
                File.Move(tempPath, path, overwrite: true); // rename(2): atomic replace
            }
            else if (!PosixFileSystem.TryMoveNoReplace(tempPath, path))
            {
                return new BlobWriteResult(length, sha256, Created: false);
            }
            renamed = true;

            if (_options.FlushToDisk)
                PosixFileSystem.FlushDirectory(directory); // the new name itself is durable
            return new BlobWriteResult(length, sha256, Created: true);
        }
        finally
        {
            if (!renamed)
                TryDelete(tempPath);
        }
    }

    private async Task<(long Length, string Sha256)> CopyHashingAsync(Stream source, Stream? destination, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var size = _options.BufferSize;
            long total = 0;
            while (true)
            {
                // Fill the whole buffer (network streams hand out a few KB per read) so the file sees large writes.
                var read = await source.ReadAtLeastAsync(buffer.AsMemory(0, size), size, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    break;
                hash.AppendData(buffer, 0, read);
                if (destination is not null)
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
                if (read < size)
                    break;
            }
            return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureDurableDirectory(string directory)
    {
        if (_durableDirectories.ContainsKey(directory))
            return;
        Directory.CreateDirectory(directory);
        var pending = new List<string>();
        for (var d = directory; d.Length > _root.Length && !_durableDirectories.ContainsKey(d); d = Path.GetDirectoryName(d)!)
            pending.Add(d);
        if (_options.FlushToDisk)
        {
            // Each new directory's entry lives in its parent; flush every parent up to one known durable.
            foreach (var d in pending)
                PosixFileSystem.FlushDirectory(Path.GetDirectoryName(d)!);
        }
        if (_durableDirectories.Count > MaxRememberedDirectories)
            _durableDirectories.Clear(); // forgetting costs one extra fsync per directory, not correctness
        _durableDirectories[_root] = 0;
        foreach (var d in pending)
            _durableDirectories[d] = 0;
    }

    private string PathOf(string key)
    {
        BlobKey.Validate(key);
        return Path.Combine(_root, Path.DirectorySeparatorChar == '/' ? key : key.Replace('/', Path.DirectorySeparatorChar));
    }

    // Hidden (leading '.', which no key segment may have) and unique per call.
    private static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the sweep at start-up removes what is left.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
