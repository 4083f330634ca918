using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace OrleansImaging.Edge.Upload;

/// <summary>What <c>./imaging upload</c> was asked to do.</summary>
internal sealed record UploadOptions(
    string Source,
    Uri Cloud,
    string Token,
    string? CaCertificate,
    string JournalPath,
    int ChunkBytes,
    int Parallel,
    int MaxAttempts,
    long? BytesPerSecond);

/// <summary>How a run ended, counted by file.</summary>
internal sealed record UploadSummary(int Found, int Sent, int AlreadyPresent, int SentEarlier, IReadOnlyList<(string Path, string Reason)> Rejected, IReadOnlyList<(string Path, string Reason)> Failed, long Bytes, TimeSpan Elapsed)
{
    /// <summary>0 everything is in the cloud; 3 the cloud refused some files; 1 some could not be sent (try again).</summary>
    public int ExitCode => Failed.Count > 0 ? 1 : Rejected.Count > 0 ? 3 : 0;
}

/// <summary>
/// <c>./imaging upload &lt;folder|DICOMDIR&gt; --cloud &lt;url&gt; --token &lt;token&gt;</c>: the upload client for CDs and folders.
/// Each DICOM file is one resumable upload (docs/upload.md), a few in parallel; a journal remembers every upload, so a
/// run stopped for any reason continues where it stopped when run again.
/// </summary>
internal static class UploadCommand
{
    public const string Usage = """
        usage: ./imaging upload <folder|DICOMDIR|file> --cloud <url> --token <token> [options]
          --token-file <file>   read the token from a file instead (a token on the command line is visible to other users in ps)
                                (IMAGING_TOKEN in the environment works too)
          --cacert <file>       trust exactly this certificate (e.g. data/tls/server.crt of a self-signed instance)
          --parallel <n>        files in flight (default 4)
          --chunk-mb <n>        PATCH size in MiB (default 8)
          --limit-mbps <n>      bandwidth cap in megabits per second (default none)
          --journal <file>      where the resume journal is kept (default ~/.local/state/orleans-imaging/)
        Files are found through the DICOMDIR when there is one, else by content (not by extension).
        Exit code: 0 all in the cloud, 3 some files refused by the cloud, 1 some files could not be sent (run again).
        """;

    /// <summary>Parses <paramref name="args"/>, uploads, prints the summary; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter progressOut, CancellationToken cancellationToken)
    {
        if (Parse(args, out var error) is not { } options)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(Usage);
            return 2;
        }
        using var http = CreateHttpClient(options);
        try
        {
            var summary = await UploadAsync(options, http, progressOut, Console.IsErrorRedirected, cancellationToken);
            PrintSummary(summary, Console.Out);
            return summary.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("\nStopped. Run the same command again to continue where it stopped.");
            return 130;
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or UploadAbortedException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }

    /// <summary>The options, or null with <paramref name="error"/> saying what is wrong.</summary>
    internal static UploadOptions? Parse(string[] args, out string error)
    {
        var shared = new CloudArguments();
        string? source = null, journal = null;
        int parallel = 4, chunkMb = 8, attempts = 8;
        error = "";
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                if (shared.TryTake(args[i], Next))
                    continue;
                switch (args[i])
                {
                    case "--journal": journal = Next(); break;
                    case "--parallel": parallel = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--chunk-mb": chunkMb = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--retries": attempts = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case var flag when flag.StartsWith("--", StringComparison.Ordinal): error = $"Unknown option {flag}."; return null;
                    default:
                        if (source is not null)
                        {
                            error = "Give one folder, DICOMDIR or file.";
                            return null;
                        }
                        source = args[i];
                        break;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or IOException)
            {
                error = ex.Message;
                return null;
            }
        }
        if (source is null)
        {
            error = "Give the folder, DICOMDIR or file to upload.";
            return null;
        }
        if (shared.Validate(out error) is not { } cloudUri)
            return null;
        if (parallel is < 1 or > 64 || chunkMb is < 1 or > 1024 || attempts is < 1 or > 100)
        {
            error = "--parallel is 1–64, --chunk-mb 1–1024, --retries 1–100.";
            return null;
        }
        return new UploadOptions(source, cloudUri, shared.Token!, shared.CaCertificate, journal ?? UploadJournal.DefaultPath(source, cloudUri), chunkMb * 1024 * 1024, parallel, attempts,
            shared.LimitMbps is { } mbps ? (long)(mbps * 1_000_000 / 8) : null);
    }

    /// <summary>Uploads every DICOM file of <c>options.Source</c>.</summary>
    internal static async Task<UploadSummary> UploadAsync(UploadOptions options, HttpClient http, TextWriter progressOut, bool plainProgress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var found = await DicomFileFinder.FindAsync(options.Source, cancellationToken);
        using var journal = UploadJournal.Open(options.JournalPath);
        var files = found.Files.Select(f => new FileInfo(f)).ToList();
        var progress = new UploadProgress(files.Count, files.Sum(f => f.Length), progressOut, plainProgress);
        var rejected = new List<(string, string)>(found.Problems);
        var failed = new List<(string, string)>();
        int sent = 0, already = 0, earlier = 0;
        var throttle = options.BytesPerSecond is { } rate ? new BandwidthLimit(rate) : null;
        var client = new TusUploadClient(http, options.ChunkBytes, options.MaxAttempts, throttle is null ? null : throttle.WaitAsync);
        using var ticker = progress.Start();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = options.Parallel, CancellationToken = cancellationToken }, async (file, token) =>
        {
            var outcome = await UploadFileAsync(file, journal, client, progress, token);
            lock (rejected)
            {
                switch (outcome.State)
                {
                    case "sent": sent++; break;
                    case "already": already++; break;
                    case "earlier": earlier++; break;
                    case "rejected": rejected.Add((file.FullName, outcome.Detail ?? "refused")); break;
                    default: failed.Add((file.FullName, outcome.Detail ?? "failed")); break;
                }
            }
            progress.FileDone(file.Length);
        });
        progress.Finish();
        return new UploadSummary(files.Count, sent, already, earlier, rejected, failed, progress.Bytes, clock.Elapsed);
    }

    private static async Task<(string State, string? Detail)> UploadFileAsync(FileInfo file, UploadJournal journal, TusUploadClient client, UploadProgress progress, CancellationToken cancellationToken)
    {
        var modified = file.LastWriteTimeUtc.Ticks;
        var entry = journal.Find(file.FullName, file.Length, modified);
        if (entry is { State: "sent" or "already" })
            return ("earlier", null);
        if (entry is { State: "rejected" })
            return ("rejected", entry.Detail);
        var fileProgress = progress.ForFile();
        try
        {
            var sha256 = entry?.Sha256 ?? await HashAsync(file.FullName, cancellationToken);
            for (var attempt = 0; ; attempt++)
            {
                Uri upload;
                if (entry?.Upload is { } known)
                {
                    upload = new Uri(known);
                }
                else
                {
                    upload = await client.CreateAsync(file.Length, sha256, file.Name, cancellationToken);
                    entry = new JournalEntry(file.FullName, file.Length, modified, sha256, upload.AbsoluteUri, "started");
                    journal.Write(entry);
                }
                try
                {
                    var result = await client.SendAsync(upload, file.FullName, fileProgress, cancellationToken);
                    var state = result.StowStatus == 200 ? (result.AlreadyStored > 0 ? "already" : "sent") : "rejected";
                    journal.Write(entry with { State = state, Detail = result.Detail });
                    return (state, result.Detail);
                }
                catch (UploadRefusedException ex) when (ex.Status is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Gone && attempt == 0)
                {
                    entry = null; // the upload expired or was removed (a hash mismatch): start a new one, once
                }
            }
        }
        catch (UploadRefusedException ex)
        {
            journal.Write(new JournalEntry(file.FullName, file.Length, modified, entry?.Sha256 ?? "", null, "rejected", ex.Message));
            return ("rejected", ex.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || ex is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ("failed", ex.Message);
        }
        finally
        {
            fileProgress.Report(file.Length);
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static HttpClient CreateHttpClient(UploadOptions options) =>
        CloudHttpClient.Create(options.Cloud, options.Token, options.CaCertificate);

    private static void PrintSummary(UploadSummary summary, TextWriter output)
    {
        var seconds = Math.Max(summary.Elapsed.TotalSeconds, 0.001);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Found} DICOM files: {summary.Sent} sent, {summary.AlreadyPresent} already in the cloud, {summary.SentEarlier} sent by an earlier run, {summary.Rejected.Count} rejected, {summary.Failed.Count} not sent"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{summary.Bytes / 1e6:F1} MB in {summary.Elapsed.TotalSeconds:F1} s ({summary.Bytes / 1e6 / seconds:F1} MB/s)"));
        foreach (var (path, reason) in summary.Rejected)
            output.WriteLine($"rejected: {path}: {reason}");
        foreach (var (path, reason) in summary.Failed)
            output.WriteLine($"not sent: {path}: {reason}");
    }
}
