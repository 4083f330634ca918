using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Uploads;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Uploads;

/// <summary>How long uploads live and how often the sweeper looks for expired ones.</summary>
public sealed record UploadOptions
{
    /// <summary>How long an upload waits for its next chunk before it may be given up.</summary>
    /// <value>7 days.</value>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Between two sweeps.</summary>
    /// <value>1 hour: an upload lives for days, so an hour late costs nothing.</value>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>From the silo becoming active to the first sweep.</summary>
    /// <value>1 minute.</value>
    public TimeSpan FirstSweepDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The clock uploads expire by; null: the silo's <see cref="TimeProvider"/>. Tests move it on by days without moving the silo's.</summary>
    public TimeProvider? Clock { get; init; }
}

/// <summary>
/// Removes uploads that expired without anybody asking about them again (an edge that was decommissioned, a client
/// that gave up): their chunk blobs first, then the upload itself. An upload somebody asks about after it expired is
/// removed by that request (410); this is for the rest, which would otherwise keep their bytes for ever. Each upload
/// grain decides whether it has expired; the sweeper only finds the candidates (<see cref="IUploadRegistry"/>).
/// </summary>
public sealed partial class UploadSweeper(
    IUploadRegistry registry,
    IGrainFactory grains,
    IBlobStore blobs,
    UploadOptions options,
    TimeProvider time,
    ILogger<UploadSweeper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int BatchSize = 500;
    private static readonly Caller Sweeper = new(CallerKind.System, "upload-sweeper", "", CallerRole.None, []);

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(UploadSweeper), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    /// <summary>
    /// One sweep: every registered upload that may have expired by now is asked, and the expired ones are removed.
    /// Returns how many were removed. Errors on one upload are logged and it is tried again on the next sweep.
    /// </summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        var now = (options.Clock ?? time).GetUtcNow();
        var seen = new HashSet<(string, string)>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = await registry.DueAsync(now, BatchSize, cancellationToken);
            var progress = false;
            foreach (var upload in due)
            {
                if (!seen.Add((upload.TenantId, upload.UploadId)))
                    continue; // looked at in this sweep already and failed: the next sweep tries again
                try
                {
                    if (await SweepAsync(upload, cancellationToken))
                        removed++;
                    progress = true;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, upload.TenantId, upload.UploadId, ex);
                }
            }
            if (due.Count < BatchSize || !progress)
                break;
        }
        if (removed > 0)
            LogSwept(logger, removed);
        return removed;
    }

    private async Task<bool> SweepAsync(RegisteredUpload upload, CancellationToken cancellationToken)
    {
        using var caller = CallerContext.Use(Sweeper with { TenantId = upload.TenantId });
        var grain = grains.GetGrain<IUploadGrain>(GrainKeys.Upload(upload.TenantId, upload.UploadId));
        var expiry = await grain.GetExpiryAsync();
        if (expiry.Exists && !expiry.Expired)
        {
            await registry.PostponeAsync(upload.TenantId, upload.UploadId, expiry.ExpiresAt, cancellationToken);
            return false;
        }
        // Blobs first: if the silo stops half way, the upload is still registered and the next sweep finishes.
        foreach (var chunk in expiry.Chunks)
            await blobs.DeleteAsync(chunk.BlobKey, cancellationToken);
        return await grain.RemoveExpiredAsync() && expiry.Exists;
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
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
        try
        {
            await Task.Delay(options.FirstSweepDelay, time, stopping);
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await SweepOnceAsync(stopping);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, "*", "*", ex);
                }
                await Task.Delay(options.SweepInterval, time, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo stops.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload sweeper: removed {Count} expired upload(s) and their chunks")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload sweeper: could not sweep upload {TenantId}/{UploadId}; it is tried again on the next sweep")]
    private static partial void LogSweepFailed(ILogger logger, string tenantId, string uploadId, Exception exception);
}
