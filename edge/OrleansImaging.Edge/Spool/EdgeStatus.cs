using System.Globalization;
using System.Text.Json;

namespace OrleansImaging.Edge.Spool;

/// <summary>The spool as <c>./imaging edge status</c> shows it.</summary>
/// <param name="Queued">Instances received and not yet confirmed by the cloud (the batch in flight included).</param>
/// <param name="QueuedBytes">Their size.</param>
/// <param name="OldestQueued">How long the oldest has waited.</param>
/// <param name="Running">True when a running edge wrote status.json in the last few seconds.</param>
/// <param name="Uploading">The batches in flight (or left in flight by a stopped edge), null when there is none.</param>
/// <param name="Done">Instances the cloud confirmed (distinct SOP Instance UIDs in done.log).</param>
/// <param name="Failed">Instances the cloud refused, with the reason.</param>
/// <param name="LastError">Why the last attempt to reach the cloud failed, while it is still failing.</param>
internal sealed record EdgeStatusReport(int Queued, long QueuedBytes, TimeSpan? OldestQueued, bool Running, EdgeRuntimeStatus? Uploading, int Done, IReadOnlyList<(string SopInstanceUid, string Reason)> Failed, string? LastError);

/// <summary>Reads the spool's state from its files, whether or not an edge is running on it.</summary>
internal static class EdgeStatus
{
    /// <summary>Reads the spool at <paramref name="root"/> (nothing is created).</summary>
    public static EdgeStatusReport Read(string root, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        // A running edge removes files the cloud confirmed while this reads: one gone between the listing and its
        // stat is no longer queued.
        var queued = new List<(long Length, DateTime Modified)>();
        foreach (var file in EdgeSpool.Queued(Path.Combine(root, "queue")))
        {
            try
            {
                queued.Add((file.Length, file.LastWriteTimeUtc));
            }
            catch (FileNotFoundException)
            {
            }
        }
        TimeSpan? oldest = queued.Count == 0 ? null : now - new DateTimeOffset(queued.Min(f => f.Modified), TimeSpan.Zero);
        EdgeRuntimeStatus? runtime = null;
        var statusFile = Path.Combine(root, "status.json");
        if (File.Exists(statusFile))
        {
            try
            {
                runtime = JsonSerializer.Deserialize<EdgeRuntimeStatus>(File.ReadAllBytes(statusFile));
            }
            catch (JsonException)
            {
                // Written by rename, so never torn; an unreadable one is treated as absent.
            }
        }
        var running = runtime is not null && now - runtime.Updated < TimeSpan.FromSeconds(5) && IsAlive(runtime.ProcessId);
        EdgeRuntimeStatus? uploading = running && runtime!.Batches is { Count: > 0 } ? runtime : null;
        if (!running)
        {
            // A stopped edge: its batches in flight are the manifests it left.
            var left = new List<BatchProgress>();
            var batches = Path.Combine(root, "batches");
            foreach (var manifest in Directory.Exists(batches) ? Directory.EnumerateFiles(batches, "*.json").Order(StringComparer.Ordinal) : Enumerable.Empty<string>())
            {
                try
                {
                    if (JsonSerializer.Deserialize<SpoolBatch>(File.ReadAllBytes(manifest)) is { } batch)
                        left.Add(new BatchProgress(batch.Id, batch.StudyInstanceUid, batch.Members.Count, batch.Length, 0, null, null));
                }
                catch (Exception ex) when (ex is JsonException or IOException)
                {
                    // Edited by hand or removed meanwhile: the next start drops it; its files are still queued.
                }
            }
            if (left.Count > 0)
                uploading = new EdgeRuntimeStatus(runtime?.Updated ?? now, 0, left, runtime?.LastError, null);
        }
        var done = 0;
        var doneLog = Path.Combine(root, "done.log");
        if (File.Exists(doneLog))
        {
            // A batch confirmed twice (an edge killed between the log and the removal) logs its instances twice.
            done = File.ReadLines(doneLog).Select(line => line.Split(' ')).Where(parts => parts.Length >= 2).Select(parts => parts[1]).Distinct(StringComparer.Ordinal).Count();
        }
        var failed = new List<(string, string)>();
        var failedDirectory = Path.Combine(root, "failed");
        if (Directory.Exists(failedDirectory))
        {
            foreach (var reason in Directory.EnumerateFiles(failedDirectory, "*.reason").Order(StringComparer.Ordinal))
                failed.Add((Path.GetFileNameWithoutExtension(reason), File.ReadAllText(reason).Trim()));
        }
        return new EdgeStatusReport(queued.Count, queued.Sum(f => f.Length), oldest, running, uploading, done, failed, runtime?.LastError);
    }

    // A SIGKILLed edge leaves a fresh status.json behind for a few seconds: its process is gone, though.
    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        < 10_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 10_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:F1} kB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F1} MB"),
    };

    /// <summary>Prints <paramref name="report"/> for a person.</summary>
    public static void Print(EdgeStatusReport report, TextWriter output)
    {
        var ci = CultureInfo.InvariantCulture;
        output.WriteLine(report.Running ? "edge: running" : "edge: not running (status from the spool's files)");
        output.WriteLine(string.Create(ci, $"queued:    {report.Queued} instances, {Size(report.QueuedBytes)}{(report.OldestQueued is { } age ? $", oldest {Age(age)}" : "")}"));
        if (report.Uploading?.Batches is { Count: > 0 } batches)
        {
            output.WriteLine(string.Create(ci, $"uploading: {batches.Count} batch(es) in flight"));
            foreach (var batch in batches)
            {
                var percent = batch.Bytes == 0 ? 0 : 100.0 * batch.Offset / batch.Bytes;
                output.WriteLine(report.Running
                    ? string.Create(ci, $"  batch {batch.Batch}: {batch.Files} instances of study {batch.Study}, {Size(batch.Offset)} of {Size(batch.Bytes)} sent ({percent:F0}%)")
                    : string.Create(ci, $"  batch {batch.Batch}: {batch.Files} instances of study {batch.Study}, {Size(batch.Bytes)}, left in flight: resumed on the next start"));
                if (batch.LastError is { } failing)
                    output.WriteLine(string.Create(ci, $"    failing: {failing}{(batch.NextAttempt is { } next ? $" (next attempt {next:HH:mm:ss} UTC)" : "")}"));
            }
        }
        else
        {
            output.WriteLine("uploading: nothing");
        }
        if (report.LastError is { } error)
            output.WriteLine($"last error: {error}");
        output.WriteLine(string.Create(ci, $"done:      {report.Done} instances confirmed by the cloud"));
        output.WriteLine(string.Create(ci, $"failed:    {report.Failed.Count} instances refused by the cloud (kept in failed/)"));
        foreach (var (sop, reason) in report.Failed)
            output.WriteLine($"  {sop}: {reason}");
    }

    private static string Age(TimeSpan age) => age.TotalSeconds < 120
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, age.TotalSeconds):F0} s")
        : age.TotalHours < 2 ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalMinutes:F0} min") : string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:F1} h");
}
