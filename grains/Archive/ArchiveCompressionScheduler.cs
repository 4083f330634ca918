using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using OrleansImaging.Contracts.Archive;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Grains.Studies;

namespace OrleansImaging.Grains.Archive;

/// <summary>
/// Feeds the silo's codec workers from the durable archive queue (<c>ArchiveWork</c> in the catalogue, written in the
/// same transaction as the instances): what was acknowledged and queued before a kill is picked up again after the
/// restart. It runs while the silo is active, keeps at most one item per core in flight (the workers' own bound), is
/// woken by the study grains when they queue work and otherwise looks every few seconds for retries that fell due.
/// It never blocks ingest: a STOW response waits only for the queue row, not for compression.
/// </summary>
public sealed partial class ArchiveCompressionScheduler(
    IStudyCatalogue catalogue,
    IGrainFactory grains,
    CodecWorkerOptions workerOptions,
    TimeProvider time,
    ILogger<ArchiveCompressionScheduler> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(5);

    // Neither is disposed: the scheduler lives as long as the silo, and a late Wake() from a grain must not throw.
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<(string, string, string)> _inFlight = [];
    private readonly Lock _gate = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>Items compressed since the silo started (for tests and operators).</summary>
    public long Compressed => Interlocked.Read(ref _compressed);

    private long _compressed;

    /// <summary>How many items run at once on this silo.</summary>
    public int Concurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>Asks the scheduler to look at the queue now (a study grain just queued work).</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ArchiveCompressionScheduler), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        // Temporary files of workers killed with the silo: nothing refers to them.
        if (Directory.Exists(workerOptions.TemporaryDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(workerOptions.TemporaryDirectory))
                File.Delete(file);
        }
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var slots = new SemaphoreSlim(Concurrency, Concurrency); // not disposed: items still running release it
        while (!stopping.IsCancellationRequested)
        {
            IReadOnlyList<ArchiveWorkItem> due;
            try
            {
                int busy;
                lock (_gate)
                    busy = _inFlight.Count;
                due = await catalogue.TakeArchiveWorkAsync(Concurrency * 2 + busy, StudyGrain.MaxArchiveAttempts, time.GetUtcNow(), stopping);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogQueueUnreadable(ex.Message);
                due = [];
            }
            var started = 0;
            foreach (var item in due)
            {
                lock (_gate)
                {
                    if (!_inFlight.Add((item.TenantId, item.StudyInstanceUid, item.SopInstanceUid)))
                        continue;
                }
                await slots.WaitAsync(stopping);
                started++;
                _ = RunItemAsync(item, slots);
            }
            if (started == 0)
            {
                try
                {
                    await _wake.WaitAsync(IdlePoll, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RunItemAsync(ArchiveWorkItem item, SemaphoreSlim slots)
    {
        try
        {
            // The silo's own work, within the item's tenant: the worker and the study grain check exactly that.
            using var caller = CallerContext.Use(new Caller(CallerKind.System, "archive-compression", item.TenantId, CallerRole.None, []));
            var result = await grains.GetGrain<ICodecWorkerGrain>(0).CompressAsync(item);
            switch (result.Outcome)
            {
                case ArchiveWorkOutcome.Compressed:
                    Interlocked.Increment(ref _compressed);
                    break;
                case ArchiveWorkOutcome.Skipped:
                    await catalogue.DropArchiveWorkAsync(item.TenantId, item.StudyInstanceUid, item.SopInstanceUid);
                    break;
            }
        }
        catch (Exception ex)
        {
            // A silo that is stopping, a grain call timing out: counted as a failed attempt, retried later.
            LogItemFailed(item.TenantId, item.StudyInstanceUid, item.SopInstanceUid, ex.GetType().Name);
            try
            {
                await catalogue.RecordArchiveFailureAsync(item.TenantId, item.StudyInstanceUid, item.SopInstanceUid, ex.GetType().Name, time.GetUtcNow() + StudyGrain.ArchiveRetryDelay);
            }
            catch (Exception)
            {
                // The queue row stays as it was and is tried again.
            }
        }
        finally
        {
            lock (_gate)
                _inFlight.Remove((item.TenantId, item.StudyInstanceUid, item.SopInstanceUid));
            slots.Release();
            Wake();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The archive queue could not be read: {Error}")]
    private partial void LogQueueUnreadable(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive compression of {TenantId}/{StudyInstanceUid}/{SopInstanceUid} did not complete ({Error}); it is tried again later.")]
    private partial void LogItemFailed(string tenantId, string studyInstanceUid, string sopInstanceUid, string error);
}
