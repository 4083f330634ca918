using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace OrleansImaging.Grains.Storage;

/// <summary>
/// <see cref="IBlobStore"/> over a folder: key <c>a/b/c</c> is the file <c>{root}/a/b/c</c>. A put streams into
/// a hidden temp file beside the target (<c>.c.{guid}.tmp</c>), fsyncs it, renames it over the target and
/// fsyncs the directory, so the object is complete and durable before the put returns, and readers never see
/// a partial one. Concurrent puts into one directory share its fsync (group commit: a put returns only after an
/// fsync of the directory that began after its rename), and the blocking fsync/rename work runs on a few dedicated
/// threads while the caller's await frees its thread. Durable puts write with O_DIRECT on Linux x64 where the file
/// system accepts it (no copy into the page cache, no writeback at fsync time), buffered elsewhere. Put-if-absent links instead of renaming (<c>link(2)</c> refuses if the name exists), so of
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

    // Aligned, pinned buffers for O_DIRECT writes (1 MiB each), reused across puts; one per put in flight.
    private const int MaxPooledDirectBuffers = 16;
    private readonly ConcurrentBag<byte[]> _directBuffers = [];
    private volatile bool _directUnsupported;

    // Group commit of directory fsyncs: one fsync covers every rename done in the directory before it began.
    private readonly ConcurrentDictionary<string, DirectoryFlushGroup> _flushGroups = new(StringComparer.Ordinal);

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
        var handedOver = false;
        // Durable puts write around the page cache where the file system allows (O_DIRECT): perf put a quarter of the
        // server's CPU in copying bodies into the page cache, and writeback plus fsync were the rest of the disk cost.
        var direct = _options.FlushToDisk && !_directUnsupported ? DirectIo.TryCreate(tempPath) : null;
        if (_options.FlushToDisk && direct is null)
            _directUnsupported = true; // e.g. tmpfs: refuses O_DIRECT; fall back to buffered writes for good
        var file = direct is not null ? null : new FileStream(tempPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0, // CopyHashingAsync writes whole buffers; a second buffer would only copy
        });
        IDisposable temp = (IDisposable?)direct ?? file!;
        DirectTail? directTail = null;
        try
        {
            long length;
            string sha256;
            if (direct is not null)
            {
                directTail = await CopyHashingDirectAsync(content, direct, cancellationToken).ConfigureAwait(false);
                (length, sha256) = (directTail.Length, directTail.Sha256);
            }
            else
            {
                (length, sha256) = await CopyHashingAsync(content, file, cancellationToken).ConfigureAwait(false);
            }
            if (!_options.FlushToDisk)
            {
                temp.Dispose();
                cancellationToken.ThrowIfCancellationRequested();
                var moved = Commit(tempPath, path, overwrite);
                handedOver = true;
                if (!moved)
                    TryDelete(tempPath);
                return new BlobWriteResult(length, sha256, Created: moved);
            }

            // fsync, rename and the directory's fsync block a thread for milliseconds each: they run on the durability
            // threads, never on the thread pool that serves requests, and the caller's await frees its thread meanwhile.
            Action flush = directTail is not null ? directTail.Flush : () => file!.Flush(flushToDisk: true);
            var commit = new DurableCommit(this, temp, flush, tempPath, path, directory, overwrite, cancellationToken);
            handedOver = true;
            DurabilityThreads.Enqueue(commit);
            var directoryFlushed = await commit.Renamed.Task.ConfigureAwait(false);
            if (directoryFlushed is null)
                return new BlobWriteResult(length, sha256, Created: false);
            // The rename is durable only once an fsync of its directory that began after it has returned.
            await directoryFlushed.ConfigureAwait(false);
            return new BlobWriteResult(length, sha256, Created: true);
        }
        finally
        {
            if (!handedOver)
            {
                directTail?.ReturnBuffer();
                temp.Dispose();
                TryDelete(tempPath);
            }
        }
    }

    /// <summary>
    /// Streams <paramref name="source"/> into an O_DIRECT file through an aligned buffer of <see cref="DirectIo.BufferSize"/>,
    /// hashing as it goes. Full buffers are written at once; the last, partial one (all of a 0.5 MB CT) is left in the
    /// buffer for the durability thread to write, so the caller reads the next object instead of waiting on the disk.
    /// </summary>
    private async Task<DirectTail> CopyHashingDirectAsync(Stream source, Microsoft.Win32.SafeHandles.SafeFileHandle file, CancellationToken cancellationToken)
    {
        var raw = _directBuffers.TryTake(out var pooled) ? pooled : GC.AllocateUninitializedArray<byte>(DirectIo.BufferSize + DirectIo.Alignment, pinned: true);
        var tail = new DirectTail(this, file, raw, DirectIo.AlignedStart(raw));
        try
        {
            var buffer = raw.AsMemory(tail.Start, DirectIo.BufferSize);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            while (true)
            {
                var read = await source.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    break;
                hash.AppendData(buffer.Span[..read]);
                if (read < buffer.Length)
                {
                    tail.Pending = read;
                    break;
                }
                await RandomAccess.WriteAsync(file, buffer, tail.Length, cancellationToken).ConfigureAwait(false);
                tail.Length += read;
            }
            tail.Length += tail.Pending;
            tail.Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            return tail;
        }
        catch
        {
            tail.ReturnBuffer();
            throw;
        }
    }

    /// <summary>The unwritten end of an O_DIRECT put and its buffer: written, cut to length and fsynced by <see cref="Flush"/>.</summary>
    private sealed class DirectTail(FileSystemBlobStore store, Microsoft.Win32.SafeHandles.SafeFileHandle file, byte[] buffer, int start)
    {
        private byte[]? _buffer = buffer;

        public int Start => start;

        public int Pending { get; set; }

        public long Length { get; set; }

        public string Sha256 { get; set; } = "";

        public void Flush()
        {
            try
            {
                if (Pending > 0)
                {
                    // Padded to the alignment O_DIRECT needs, then cut back; the fsync makes data and length durable together.
                    var padded = (Pending + DirectIo.Alignment - 1) & ~(DirectIo.Alignment - 1);
                    var span = _buffer.AsSpan(start, padded);
                    span[Pending..].Clear();
                    RandomAccess.Write(file, span, Length - Pending);
                    DirectIo.Truncate(file, Length);
                }
                DirectIo.Flush(file);
            }
            finally
            {
                ReturnBuffer();
            }
        }

        public void ReturnBuffer()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } returned && store._directBuffers.Count < MaxPooledDirectBuffers)
                store._directBuffers.Add(returned);
        }
    }

    // rename(2) replaces atomically; link(2) refuses an existing name, so of concurrent put-if-absent writers one wins.
    private static bool Commit(string tempPath, string path, bool overwrite)
    {
        if (overwrite)
        {
            File.Move(tempPath, path, overwrite: true);
            return true;
        }
        return PosixFileSystem.TryMoveNoReplace(tempPath, path);
    }

    private DirectoryFlushGroup FlushGroupOf(string directory)
    {
        if (_flushGroups.Count > MaxRememberedDirectories)
            _flushGroups.Clear(); // a caller holding a dropped group is still covered by that group's own flushes
        return _flushGroups.GetOrAdd(directory, static d => new DirectoryFlushGroup(d, PosixFileSystem.FlushDirectory));
    }

    /// <summary>
    /// The durable half of a put, run on a durability thread: fsync the temp file, rename it to its key, then join
    /// the directory's group flush. <see cref="Renamed"/> gives the task of that flush, or null when put-if-absent
    /// found the name taken.
    /// </summary>
    private sealed class DurableCommit(FileSystemBlobStore store, IDisposable file, Action flush, string tempPath, string path, string directory, bool overwrite, CancellationToken cancellationToken)
    {
        public TaskCompletionSource<Task?> Renamed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run()
        {
            var renamed = false;
            try
            {
                using (file)
                    flush(); // fsync: the bytes are on disk before the name points at them
                // The last moment a cancellation can still leave nothing behind.
                cancellationToken.ThrowIfCancellationRequested();
                renamed = Commit(tempPath, path, overwrite);
                if (!renamed)
                {
                    Renamed.SetResult(null);
                    return;
                }
                var group = store.FlushGroupOf(directory);
                Renamed.SetResult(group.Request(out var mustRun));
                if (mustRun)
                    group.RunFlushes();
            }
            catch (OperationCanceledException e)
            {
                Renamed.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                Renamed.TrySetException(e);
            }
            finally
            {
                if (!renamed)
                    TryDelete(tempPath);
            }
        }
    }

    /// <summary>O_DIRECT files on Linux: created, cut to length and fsynced by descriptor.</summary>
    private static class DirectIo
    {
        /// <summary>Offsets, lengths and buffer addresses of O_DIRECT I/O are multiples of this (the page size covers every block size here).</summary>
        public const int Alignment = 4096;

        /// <summary>One write per object up to this size.</summary>
        public const int BufferSize = 1024 * 1024;

        private const int WriteOnly = 0x1, Create = 0x40, Exclusive = 0x80, CloseOnExec = 0x80000;

        /// <summary>Creates <paramref name="path"/> (which must not exist) for O_DIRECT writing; null when the platform or file system refuses.</summary>
        public static Microsoft.Win32.SafeHandles.SafeFileHandle? TryCreate(string path)
        {
            if (!OperatingSystem.IsLinux())
                return null;
            // O_DIRECT is 0x4000 on x64; arm64 and others number it differently, so only x64 takes this path.
            if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
                return null;
            var fd = Open(path, WriteOnly | Create | Exclusive | CloseOnExec | 0x4000, 438 /* 0666, less the umask */);
            return fd < 0 ? null : new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        }

        public static int AlignedStart(byte[] pinned)
        {
            var address = System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0);
            return (int)((Alignment - (address % Alignment)) % Alignment);
        }

        public static void Truncate(Microsoft.Win32.SafeHandles.SafeFileHandle file, long length)
        {
            if (Ftruncate((int)file.DangerousGetHandle(), length) < 0)
                throw new IOException($"ftruncate failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        }

        public static void Flush(Microsoft.Win32.SafeHandles.SafeFileHandle file)
        {
            if (Fsync((int)file.DangerousGetHandle()) < 0)
                throw new IOException($"fsync failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int Open([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
        private static extern int Ftruncate(int fd, long length);

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        private static extern int Fsync(int fd);
    }

    /// <summary>
    /// A few process-wide threads for the blocking half of durable puts. fsync takes milliseconds of waiting on the
    /// disk; on the thread pool it would starve the request handling of a 2-core machine, and the disk serves a few
    /// concurrent fsyncs (about 2,400 0.5 MB files/s with four writers here) far better than one at a time.
    /// </summary>
    private static class DurabilityThreads
    {
        private const int Count = 4;
        private static readonly BlockingCollection<DurableCommit> Queue = CreateAndStart();

        public static void Enqueue(DurableCommit commit) => Queue.Add(commit);

        private static BlockingCollection<DurableCommit> CreateAndStart()
        {
            var queue = new BlockingCollection<DurableCommit>();
            for (var i = 0; i < Count; i++)
            {
                new Thread(() =>
                {
                    foreach (var commit in queue.GetConsumingEnumerable())
                        commit.Run();
                })
                { IsBackground = true, Name = "Blob durability" }.Start();
            }
            return queue;
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
