namespace OrleansImaging.Grains.Storage;

/// <summary>
/// Group commit for one directory's fsync. <see cref="Request"/> returns a task that completes once an fsync of
/// the directory that <em>began after the call</em> has succeeded, so it covers every rename made in the directory
/// before the call. Requests that arrive while an fsync runs share the next one. The caller that finds no fsync
/// running performs them on its own thread (a durability thread) until no request is left.
/// </summary>
internal sealed class DirectoryFlushGroup(string directory, Action<string> flush)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _waiting;
    private bool _flushing;

    /// <summary>
    /// Asks for an fsync that begins after this call. When <paramref name="mustRun"/> comes back true no fsync was
    /// running and the caller has to call <see cref="RunFlushes"/> (on a thread that may block); otherwise the running
    /// loop takes this request with its next fsync.
    /// </summary>
    public Task Request(out bool mustRun)
    {
        lock (_gate)
        {
            _waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            mustRun = !_flushing;
            _flushing = true;
            return _waiting.Task;
        }
    }

    /// <summary>Runs fsyncs until no request is waiting; each completes the requests made before it began.</summary>
    public void RunFlushes()
    {
        while (true)
        {
            TaskCompletionSource batch;
            lock (_gate)
            {
                if (_waiting is null)
                {
                    _flushing = false;
                    return;
                }
                batch = _waiting;
                _waiting = null;
            }
            try
            {
                flush(directory);
                batch.SetResult();
            }
            catch (Exception e)
            {
                batch.SetException(e);
            }
        }
    }
}
