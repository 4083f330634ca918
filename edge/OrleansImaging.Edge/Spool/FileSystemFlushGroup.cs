using System.Runtime.InteropServices;

namespace OrleansImaging.Edge.Spool;

/// <summary>
/// Group commit for the spool on Linux: one <c>syncfs(2)</c> of the spool's file system makes every file written and
/// every rename made before it began durable, with one device cache flush, where a file fsync plus a folder fsync per
/// instance cost two flushes each. Concurrent callers share a flush: a caller waits for a flush that began after it
/// asked (the one running may have begun before its rename, so it does not count), and whoever finds none running
/// starts it. .NET has no syncfs; it is one libc call, bound in <see cref="DirectorySync"/> rather than pulled in with a package.
/// </summary>
internal sealed class FileSystemFlushGroup : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Func<string?> _flush; // null when the flush succeeded, else why it failed
    private readonly int _fd = -1;
    private long _started;   // flushes begun
    private long _completed; // the highest flush that completed
    private TaskCompletionSource? _running;

    /// <summary>Opens <paramref name="directory"/> to flush the file system it is on.</summary>
    /// <exception cref="IOException">The directory cannot be opened.</exception>
    public FileSystemFlushGroup(string directory)
    {
        _fd = DirectorySync.OpenDirectory(directory);
        if (_fd < 0)
            throw new IOException($"Cannot open '{directory}' to flush its file system (errno {Marshal.GetLastPInvokeError()}).");
        _flush = () => DirectorySync.SyncFileSystem(_fd) == 0 ? null : $"syncfs of the spool failed (errno {Marshal.GetLastPInvokeError()}).";
    }

    /// <summary>Groups calls of <paramref name="flush"/> instead (tests: it returns null or why it failed).</summary>
    internal FileSystemFlushGroup(Func<string?> flush) => _flush = flush;

    /// <summary>Whether this platform has syncfs (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Returns once a flush that began after this call completed.</summary>
    /// <exception cref="IOException">That flush failed: nothing written before it may be reported durable.</exception>
    public async ValueTask FlushAsync()
    {
        long needed;
        lock (_gate)
            needed = _started + 1;
        while (true)
        {
            TaskCompletionSource running;
            long epoch;
            bool leads;
            lock (_gate)
            {
                if (_completed >= needed)
                    return;
                leads = _running is null;
                if (leads)
                {
                    ++_started;
                    _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                epoch = _started;
                running = _running!;
            }
            if (!leads)
            {
                try
                {
                    await running.Task.ConfigureAwait(false);
                }
                catch (IOException) when (epoch < needed)
                {
                    // A flush begun before this caller asked failed: it never counted for this caller; the next one does.
                }
                continue;
            }
            // This caller leads: it flushes on its own thread, the others wait for it.
            var failed = _flush() is { } why ? new IOException(why) : null;
            lock (_gate)
            {
                if (failed is null)
                    _completed = Math.Max(_completed, epoch);
                _running = null;
            }
            if (failed is not null)
            {
                running.SetException(failed);
                throw failed;
            }
            running.SetResult();
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
            DirectorySync.CloseDirectory(_fd);
    }
}
