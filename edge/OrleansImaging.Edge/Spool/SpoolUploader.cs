using System.Globalization;
using System.Net;
using System.Text.Json;
using OrleansImaging.Edge.Upload;

namespace OrleansImaging.Edge.Spool;

/// <summary>What the running edge reports in status.json every second.</summary>
internal sealed record EdgeRuntimeStatus(DateTimeOffset Updated, int ProcessId, string? Batch, string? Study, int Files, long Bytes, long Offset, string? LastError, DateTimeOffset? NextAttempt);

/// <summary>
/// Drains the spool to the cloud: one batch at a time (the queued instances of one study as one multipart/related
/// tus upload), resumed after a restart from the manifest's upload URL. The cloud being down, slow or refusing the
/// token never drops anything: the loop waits with exponential backoff (capped) and tries again, forever.
/// Exactly-once rests on the cloud's idempotency: the same SOP Instance UID with the same bytes is "already stored".
/// </summary>
internal sealed class SpoolUploader(EdgeSpool spool, HttpClient http, EdgeOptions options, Action<string> log)
{
    private readonly SemaphoreSlim _work = new(0, 1);
    private readonly Lock _statusGate = new();
    private bool _stopped;
    private readonly BandwidthLimit? _limit = options.BytesPerSecond is { } rate ? new BandwidthLimit(rate) : null;
    private volatile EdgeRuntimeStatus _status = new(options.Clock.GetUtcNow(), Environment.ProcessId, null, null, 0, 0, 0, null, null);

    /// <summary>The latest state (what status.json says).</summary>
    public EdgeRuntimeStatus Status => _status;

    /// <summary>Wakes the loop: something was queued.</summary>
    public void Nudge()
    {
        try
        {
            _work.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake or about to be.
        }
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var writer = new Timer(_ => WriteStatus(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        try
        {
            await LoopAsync(cancellationToken);
        }
        finally
        {
            lock (_statusGate)
            {
                // A clean stop: `edge status` reads the spool's files instead (a killed edge's file just goes stale).
                _stopped = true;
                File.Delete(spool.StatusFile);
            }
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var client = new TusUploadClient(http, options.ChunkBytes, maxAttempts: 3, _limit is null ? null : _limit.WaitAsync);
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var batch = spool.PendingBatch() ?? await spool.CreateBatchAsync(options.BatchMaxInstances, options.BatchMaxBytes, log, cancellationToken);
                if (batch is null)
                {
                    _status = _status with { Batch = null, Study = null, Files = 0, Bytes = 0, Offset = 0, LastError = null, NextAttempt = null };
                    // Wait for a receive (or look again now and then: files may be put in queue/ by hand).
                    if (await _work.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken))
                        await Task.Delay(options.SettleDelay, cancellationToken); // let the rest of a study arrive, to batch it
                    continue;
                }
                await SendAsync(batch, client, cancellationToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                var delay = Backoff(failures, options.MaxBackoff);
                var message = ex is UploadAbortedException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
                _status = _status with { LastError = message, NextAttempt = options.Clock.GetUtcNow() + delay };
                log($"edge: upload failed (attempt {failures}), retrying in {delay.TotalSeconds:F1} s: {message}");
                try
                {
                    await Task.Delay(delay, options.Clock, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task SendAsync(SpoolBatch batch, TusUploadClient client, CancellationToken cancellationToken)
    {
        _status = _status with { Batch = batch.Id, Study = batch.StudyInstanceUid, Files = batch.Members.Count, Bytes = batch.Length, Offset = 0 };
        if (batch.Upload is null)
        {
            var created = await client.CreateAsync(batch.Length, batch.Sha256, $"edge-{batch.Id}", batch.ContentType, cancellationToken);
            batch = batch with { Upload = created.AbsoluteUri };
            spool.Save(batch); // before the first byte: a restart resumes this upload instead of sending the batch again
        }
        UploadResult result;
        try
        {
            result = await client.SendAsync(new Uri(batch.Upload), spool.BodyPath(batch), new Progress(this), cancellationToken);
        }
        catch (UploadRefusedException ex)
        {
            // The upload expired, was removed, or the body was refused as a whole: the instances are still queued;
            // a new batch is built from them.
            log($"edge: the cloud refused batch {batch.Id} ({ex.Message}); it is built again from the queue");
            spool.Discard(batch);
            throw;
        }
        var (refused, uncertain) = result.StowStatus == 200 ? (new Dictionary<string, string>(), new HashSet<string>()) : await FailuresAsync(batch, new Uri(batch.Upload), cancellationToken);
        spool.Complete(batch, refused, uncertain, options.Clock);
        log(string.Create(CultureInfo.InvariantCulture,
            $"edge: batch {batch.Id}: {batch.Members.Count - refused.Count - uncertain.Count} in the cloud ({result.AlreadyStored} already there), {refused.Count} refused, {uncertain.Count} to send again"));
        foreach (var (sop, reason) in refused)
            log($"edge: refused by the cloud: {sop}: {reason}");
    }

    /// <summary>
    /// Which members the cloud refused, with reasons, from GET /uploads/{id}. A failure without a SOP Instance UID
    /// (an unreadable part) cannot be matched to a file: every member not named is then left queued (uncertain).
    /// </summary>
    private async Task<(Dictionary<string, string> Refused, HashSet<string> Uncertain)> FailuresAsync(SpoolBatch batch, Uri upload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, upload);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new HttpRequestException($"The cloud answered {(int)response.StatusCode} when asked for the upload's outcome.", null, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var members = batch.Members.Select(m => m.SopInstanceUid).ToHashSet(StringComparer.Ordinal);
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        var anonymous = false;
        var outcome = json.RootElement.GetProperty("outcome");
        if (outcome.TryGetProperty("problem", out var problem) && problem.ValueKind == JsonValueKind.String)
        {
            foreach (var sop in members)
                refused[sop] = "the cloud refused the batch: " + problem.GetString();
            return (refused, []);
        }
        foreach (var failure in outcome.GetProperty("failed").EnumerateArray())
        {
            var sop = failure.TryGetProperty("sopInstanceUid", out var uid) && uid.ValueKind == JsonValueKind.String ? uid.GetString() : null;
            var code = failure.GetProperty("reason").GetString() ?? "";
            if (sop is not null && members.Contains(sop))
                refused[sop] = $"{Reason(code)} (STOW failure reason {code})";
            else
                anonymous = true;
        }
        var uncertain = anonymous ? members.Where(m => !refused.ContainsKey(m)).ToHashSet(StringComparer.Ordinal) : [];
        return (refused, uncertain);
    }

    private static string Reason(string code) => code switch
    {
        "C000" => "not readable as DICOM",
        "A900" => "the data set does not match: a UID (study, series, SOP instance or class) is missing or malformed",
        "0111" => "the cloud holds this SOP Instance UID with different content",
        "0110" => "the cloud could not process it",
        _ => "refused",
    };

    /// <summary>0.5 s doubling up to <paramref name="cap"/>, with up to 25% jitter so many edges do not retry in step.</summary>
    internal static TimeSpan Backoff(int attempt, TimeSpan cap)
    {
        var seconds = Math.Min(cap.TotalSeconds, 0.5 * Math.Pow(2, Math.Min(attempt, 30) - 1));
        return TimeSpan.FromSeconds(Math.Min(cap.TotalSeconds, seconds * (1 + Random.Shared.NextDouble() / 4)));
    }

    private void WriteStatus()
    {
        lock (_statusGate)
        {
            if (!_stopped)
                WriteStatusFile();
        }
    }

    private void WriteStatusFile()
    {
        try
        {
            _status = _status with { Updated = options.Clock.GetUtcNow() };
            var temporary = spool.StatusFile + ".tmp";
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(_status));
            File.Move(temporary, spool.StatusFile, overwrite: true); // a reader never sees half a file; no fsync: it is a view
        }
        catch (IOException)
        {
            // A full disk shows up in the receive path; the status view is not worth failing for.
        }
    }

    private sealed class Progress(SpoolUploader owner) : IProgress<long>
    {
        public void Report(long value) => owner._status = owner._status with { Offset = value };
    }
}
