using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using OrleansImaging.Edge.Upload;

namespace OrleansImaging.Edge.Spool;

/// <summary>One batch being uploaded, as status.json shows it.</summary>
/// <param name="Batch">The batch id (its files in batches/).</param>
/// <param name="Study">The study all its instances belong to.</param>
/// <param name="Files">How many instances it carries.</param>
/// <param name="Bytes">The multipart body's length.</param>
/// <param name="Offset">How many bytes the cloud has committed.</param>
/// <param name="LastError">Why the last attempt for this batch failed, while it is still failing.</param>
/// <param name="NextAttempt">When it is tried again, while it is failing.</param>
internal sealed record BatchProgress(string Batch, string Study, int Files, long Bytes, long Offset, string? LastError, DateTimeOffset? NextAttempt);

/// <summary>What the running edge reports in status.json every second.</summary>
/// <param name="Updated">When it was written.</param>
/// <param name="ProcessId">The edge's process (a killed edge leaves a fresh file behind for a few seconds).</param>
/// <param name="Batches">Every batch in flight, at most <see cref="EdgeOptions.Parallel"/>.</param>
/// <param name="LastError">The latest failure to reach the cloud, while uploads are still failing.</param>
/// <param name="NextAttempt">When the cloud is tried again, while it is failing.</param>
internal sealed record EdgeRuntimeStatus(DateTimeOffset Updated, int ProcessId, IReadOnlyList<BatchProgress>? Batches, string? LastError, DateTimeOffset? NextAttempt);

/// <summary>
/// Drains the spool to the cloud: up to <see cref="EdgeOptions.Parallel"/> batches at once (each the queued instances
/// of one study as one multipart/related tus upload, never two of the same study at once), each resumed after a
/// restart from its manifest's upload URL. The cloud being down, slow or refusing the token never drops anything:
/// each batch waits with exponential backoff (capped) and is tried again, forever; a batch failing does not hold up
/// the others. While the cloud is unreachable altogether, one uploader probes it and the others wait for its answer,
/// so an edge with N uploaders does not knock N times as often. The bandwidth cap is shared by all of them.
/// Exactly-once rests on the cloud's idempotency: the same SOP Instance UID with the same bytes is "already stored".
/// </summary>
internal sealed class SpoolUploader(EdgeSpool spool, HttpClient http, EdgeOptions options, Action<string> log)
{
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _statusGate = new();
    private bool _stopped;
    private readonly BandwidthLimit? _limit = options.BytesPerSecond is { } rate ? new BandwidthLimit(rate) : null;
    private readonly ConcurrentDictionary<int, BatchProgress> _inFlight = new();
    private readonly CloudGate _cloud = new(options.Clock, options.MaxBackoff);
    // The latest failure, while uploads are still failing; one reference so a reader sees message and time together.
    private volatile Failure? _lastError;
    private DateTimeOffset _updated = options.Clock.GetUtcNow();

    /// <summary>The latest state (what status.json says).</summary>
    public EdgeRuntimeStatus Status
    {
        get
        {
            var failure = _lastError;
            return new(_updated, Environment.ProcessId, [.. _inFlight.OrderBy(s => s.Key).Select(s => s.Value)], failure?.Message, failure?.NextAttempt);
        }
    }

    private sealed record Failure(string Message, DateTimeOffset NextAttempt);

    /// <summary>Wakes every idle uploader: something was queued.</summary>
    public void Nudge() => Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var writer = new Timer(_ => WriteStatus(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        try
        {
            var client = new TusUploadClient(http, options.ChunkBytes, maxAttempts: 3, _limit is null ? null : _limit.WaitAsync, log);
            await Task.WhenAll(Enumerable.Range(0, Math.Clamp(options.Parallel, 1, 16)).Select(slot => Task.Run(() => WorkAsync(slot, client, cancellationToken), CancellationToken.None)));
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

    /// <summary>One uploader: takes a batch, sends it until the cloud answered it, takes the next.</summary>
    private async Task WorkAsync(int slot, TusUploadClient client, CancellationToken cancellationToken)
    {
        SpoolBatch? batch = null;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            CloudGate.Probe? probe = null;
            try
            {
                var wake = Volatile.Read(ref _wake); // before looking: a receive after the look wakes us
                // A batch that failed stays ours (its own backoff), as its manifest now says; a refused one is gone.
                batch = batch is null ? null : spool.Reload(batch);
                batch ??= await spool.NextBatchAsync(options.BatchMaxInstances, options.BatchMaxBytes, log, cancellationToken);
                if (batch is null)
                {
                    _inFlight.TryRemove(slot, out _);
                    if (_inFlight.IsEmpty)
                        _lastError = null;
                    // Wait for a receive (or look again now and then: files may be put in queue/ by hand).
                    if (await WokenAsync(wake, cancellationToken))
                        await Task.Delay(options.SettleDelay, cancellationToken); // let the rest of a study arrive, to batch it
                    continue;
                }
                probe = await _cloud.EnterAsync(cancellationToken);
                await SendAsync(slot, batch, client, probe, cancellationToken);
                batch = null;
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                probe?.Dispose(); // the next uploader probes once the shared wait is over, while we back off
                failures++;
                var delay = Backoff(failures, options.MaxBackoff);
                if (IsConnectionLevel(ex))
                    delay = _cloud.Unreachable(delay); // the shared wait (the next probe), never shorter than our own
                else
                    _cloud.Answered();
                var message = ex is UploadAbortedException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
                var next = options.Clock.GetUtcNow() + delay;
                _lastError = new Failure(message, next);
                log(string.Create(CultureInfo.InvariantCulture,
                    $"edge: upload{(batch is null ? "" : $" of batch {batch.Id}")} failed (attempt {failures}), retrying in {delay.TotalSeconds:F1} s: {message}"));
                if (batch is not null && spool.Reload(batch) is null)
                {
                    batch = null; // refused and discarded: its instances go in a new batch
                    _inFlight.TryRemove(slot, out _);
                }
                else if (batch is not null && _inFlight.TryGetValue(slot, out var progress))
                {
                    _inFlight[slot] = progress with { LastError = message, NextAttempt = next };
                }
                try
                {
                    await Task.Delay(delay, options.Clock, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            finally
            {
                probe?.Dispose();
            }
        }
    }

    private static async Task<bool> WokenAsync(TaskCompletionSource wake, CancellationToken cancellationToken)
    {
        try
        {
            await wake.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    // The cloud was not reached at all (refused, reset, TLS, DNS, timeout) as opposed to answering with an error.
    // HttpClient wraps socket and stream failures in HttpRequestException; a bare IOException is the local disk's.
    private static bool IsConnectionLevel(Exception ex) =>
        ex is HttpRequestException { StatusCode: null } or System.Net.Sockets.SocketException
        || ex is TaskCanceledException { InnerException: TimeoutException };

    private async Task SendAsync(int slot, SpoolBatch batch, TusUploadClient client, CloudGate.Probe? probe, CancellationToken cancellationToken)
    {
        if (!_inFlight.TryGetValue(slot, out var known) || known.Batch != batch.Id)
        {
            _inFlight[slot] = new BatchProgress(batch.Id, batch.StudyInstanceUid, batch.Members.Count, batch.Length, 0, null, null);
            log(string.Create(CultureInfo.InvariantCulture, $"edge: batch {batch.Id} ({batch.Members.Count} instances of study {batch.StudyInstanceUid}, {batch.Length} bytes) started; {_inFlight.Count} batch(es) in flight"));
        }
        if (batch.Upload is null)
        {
            var created = await client.CreateAsync(batch.Length, batch.Sha256, $"edge-{batch.Id}", batch.ContentType, cancellationToken);
            Reached(probe);
            batch = batch with { Upload = created.AbsoluteUri };
            spool.Save(batch); // before the first byte: a restart resumes this upload instead of sending the batch again
        }
        UploadResult result;
        try
        {
            var sending = batch;
            result = await client.SendAsync(new Uri(batch.Upload), () => spool.OpenBody(sending), $"batch {batch.Id}", new Progress(this, slot, probe), cancellationToken);
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
        _inFlight.TryRemove(slot, out _);
        _lastError = null;
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
            _updated = options.Clock.GetUtcNow();
            var temporary = spool.StatusFile + ".tmp";
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(Status));
            File.Move(temporary, spool.StatusFile, overwrite: true); // a reader never sees half a file; no fsync: it is a view
        }
        catch (IOException)
        {
            // A full disk shows up in the receive path; the status view is not worth failing for.
        }
    }

    // The cloud answered: a probe lets the other uploaders go.
    private void Reached(CloudGate.Probe? probe)
    {
        _cloud.Answered();
        probe?.Dispose();
    }

    private sealed class Progress(SpoolUploader owner, int slot, CloudGate.Probe? probe) : IProgress<long>
    {
        public void Report(long value)
        {
            owner.Reached(probe);
            if (owner._inFlight.TryGetValue(slot, out var progress))
                owner._inFlight[slot] = progress with { Offset = value, LastError = null, NextAttempt = null };
        }
    }
}
