namespace OrleansImaging.Edge.Spool;

/// <summary>
/// The uploaders' shared backoff while the cloud cannot be reached at all (connection refused or reset, TLS, a
/// timeout), as opposed to answering with an error for one batch: one uploader at a time probes it, after the shared
/// wait, and the others go on once it answered. Several uploaders failing in the same moment count as one failure,
/// so an edge with N of them neither knocks N times as often nor backs off N times as fast.
/// </summary>
internal sealed class CloudGate(TimeProvider clock, TimeSpan cap)
{
    private readonly SemaphoreSlim _probing = new(1, 1);
    private readonly Lock _gate = new();
    private int _failures;
    private DateTimeOffset _retryAt;

    /// <summary>True while the last attempt to reach the cloud failed at the connection level.</summary>
    public bool IsDown
    {
        get
        {
            lock (_gate)
                return _failures > 0;
        }
    }

    /// <summary>
    /// Null at once while the cloud is reachable; while it is not, waits for this uploader's turn to probe and for the
    /// shared backoff, and returns the probe: dispose it when the cloud answered (or the attempt ended), which lets
    /// the next uploader in.
    /// </summary>
    public async Task<Probe?> EnterAsync(CancellationToken cancellationToken)
    {
        if (!IsDown)
            return null;
        await _probing.WaitAsync(cancellationToken);
        var probe = new Probe(_probing);
        try
        {
            TimeSpan wait;
            lock (_gate)
            {
                if (_failures == 0)
                {
                    probe.Dispose(); // another uploader's probe got through
                    return null;
                }
                wait = _retryAt - clock.GetUtcNow();
            }
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, clock, cancellationToken);
            return probe;
        }
        catch
        {
            probe.Dispose();
            throw;
        }
    }

    /// <summary>The cloud answered (anything, even an error): it is reachable.</summary>
    public void Answered()
    {
        lock (_gate)
            _failures = 0;
    }

    /// <summary>An attempt did not reach the cloud; returns how long to wait: the shared backoff, or <paramref name="own"/> if longer.</summary>
    public TimeSpan Unreachable(TimeSpan own)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_failures == 0 || now >= _retryAt)
            {
                _failures++;
                _retryAt = now + SpoolUploader.Backoff(_failures, cap);
            }
            var wait = _retryAt - now;
            return wait > own ? wait : own;
        }
    }

    /// <summary>The turn to probe the cloud; disposing it (once or more) passes the turn on.</summary>
    internal sealed class Probe(SemaphoreSlim probing) : IDisposable
    {
        private int _released;

        /// <summary>Passes the turn on (only the first call does).</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                probing.Release();
        }
    }
}
