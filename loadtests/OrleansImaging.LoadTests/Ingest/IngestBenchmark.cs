using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Runtime.InteropServices;

namespace OrleansImaging.LoadTests.Ingest;

/// <summary>
/// <c>./imaging bench ingest</c>: STOW-RS throughput end to end. Starts the api as <c>./imaging start</c> would (or
/// uses <c>--url</c>), creates a tenant and a token through <c>/admin</c>, sends a warm-up study, then the corpus with
/// <c>--clients</c> concurrent clients in requests of <c>--batch</c> instances, each file streamed from disk; checks
/// that every instance arrived (the STOW responses' Referenced SOP Sequence and a QIDO count per study) and prints
/// instances/s, MB/s, request latency and the server's peak memory. Exit code 0 only when everything arrived.
/// </summary>
internal static class IngestBenchmark
{
    private const int WindowInstances = 1000;

    public static async Task<int> RunAsync(string[] args)
    {
        if (IngestOptions.Parse(args) is not { } options)
            return 2;
        var root = RepositoryRoot();
        var corpusCache = Environment.GetEnvironmentVariable("IMAGING_SYNTHETIC_CORPUS") is { Length: > 0 } configured ? configured : Path.Combine(root, ".corpus", "synthetic-ct");
        var corpus = options.Corpus is not null
            ? await SyntheticCtCorpus.ReadFolderAsync(options.Corpus)
            : SyntheticCtCorpus.LoadOrCreate(corpusCache, options.Instances, options.Studies, Console.Error);
        if (corpus.Count == 0)
        {
            Console.Error.WriteLine("the corpus has no DICOM files.");
            return 2;
        }
        if (options.Corpus is not null)
            corpus = [.. corpus.Take(options.Instances)];
        var warmUp = options.Corpus is null ? SyntheticCtCorpus.LoadOrCreate(corpusCache, options.WarmUpInstances, 1, Console.Error) : [];

        PrintMachine(options, corpus);
        if (options.Corpus is null)
            PrintCompression(corpus);

        ImagingServerProcess? server = null;
        try
        {
            Uri baseAddress;
            string token;
            if (options.Url is not null)
            {
                baseAddress = options.Url;
                token = options.Token!;
            }
            else
            {
                var apiDll = options.ApiDll ?? Path.Combine(root, "api", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "OrleansImaging.Api.dll");
                server = await ImagingServerProcess.StartAsync(apiDll, https: !options.Http, options.ServerEnvironment, TimeSpan.FromSeconds(120));
                server.KeepData = options.KeepData;
                baseAddress = server.BaseAddress;
                token = await server.CreateTenantAndTokenAsync("bench-" + Guid.NewGuid().ToString("N")[..8]);
                Console.WriteLine($"server: {apiDll} (pid {server.ProcessId}), {baseAddress}, data {server.DataDirectory}{(options.ServerEnvironment.Count > 0 ? ", " + string.Join(' ', options.ServerEnvironment.Select(e => e.Key + "=" + e.Value)) : "")}");
            }
            using var client = server?.CreateClient(options.Clients) ?? IngestClient.Create(baseAddress, options.Clients, pinned: null);

            if (warmUp.Count > 0)
            {
                var warm = await SendAsync(client, token, warmUp, options);
                if (warm.Referenced != warmUp.Count)
                {
                    Console.Error.WriteLine($"warm-up: {warm.Referenced} of {warmUp.Count} instances stored; first problem: {warm.FirstProblem}");
                    return 1;
                }
            }

            // Client and server share this machine's disk; the corpus is read once beforehand so that the client's reads
            // come from the page cache and do not compete with the server's writes (a client elsewhere would not). Without
            // it, a 20,000-instance run read its first half from disk: 356-390/s there, 419-470/s once cached.
            PrefetchCorpus(corpus);

            var serverCpuBefore = server?.CpuTime();
            var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var run = await SendAsync(client, token, corpus, options);
            var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore;
            var serverCpu = server?.CpuTime() is { } after && serverCpuBefore is { } before ? (after.User - before.User, after.Kernel - before.Kernel) : ((TimeSpan, TimeSpan)?)null;
            var peak = server?.PeakResidentBytes();

            PrintResult(options, corpus, run, peak, serverCpu, clientCpu);
            var verified = await VerifyAsync(client, token, corpus, run);
            await PrintStudyMetadataLatencyAsync(client, token, corpus);
            return verified ? 0 : 1;
        }
        finally
        {
            if (server is not null)
                await server.DisposeAsync();
        }
    }

    private static void PrefetchCorpus(IReadOnlyList<CorpusFile> corpus)
    {
        var clock = Stopwatch.StartNew();
        var buffer = new byte[1024 * 1024];
        long bytes = 0;
        foreach (var file in corpus)
        {
            using var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            int read;
            while ((read = stream.Read(buffer)) > 0)
                bytes += read;
        }
        Console.WriteLine(Invariant($"corpus read into the page cache: {bytes / 1e9:F1} GB in {clock.Elapsed.TotalSeconds:F1} s"));
    }

    private sealed record RequestRecord(double StartedMs, double CompletedMs, int Instances);

    private sealed record RunResult(TimeSpan Elapsed, IReadOnlyList<RequestRecord> Requests, int Referenced, int Failed, string? FirstProblem);

    private static async Task<RunResult> SendAsync(HttpClient client, string token, IReadOnlyList<CorpusFile> files, IngestOptions options)
    {
        // Consecutive files of one study per request, as a modality sends a study; clients take the next batch.
        var batches = files.GroupBy(f => f.StudyInstanceUid).SelectMany(g => g.Chunk(options.Batch)).ToArray();
        var records = new RequestRecord[batches.Length];
        var referenced = 0;
        var failed = 0;
        string? firstProblem = null;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Length)
            {
                var started = clock.Elapsed.TotalMilliseconds;
                var outcome = await IngestClient.StoreAsync(client, token, batches[i], CancellationToken.None);
                records[i] = new RequestRecord(started, clock.Elapsed.TotalMilliseconds, batches[i].Length);
                Interlocked.Add(ref referenced, outcome.Referenced);
                Interlocked.Add(ref failed, outcome.Failed);
                if (outcome.Status != HttpStatusCode.OK)
                    Interlocked.CompareExchange(ref firstProblem, $"{(int)outcome.Status}: {outcome.Problem ?? $"{outcome.Failed} failed"}", null);
            }
        })));
        return new RunResult(clock.Elapsed, records, referenced, failed, firstProblem);
    }

    private static async Task<bool> VerifyAsync(HttpClient client, string token, IReadOnlyList<CorpusFile> corpus, RunResult run)
    {
        var expected = corpus.GroupBy(f => f.StudyInstanceUid).ToDictionary(g => g.Key, g => g.Count());
        var found = 0;
        var missing = new List<string>();
        foreach (var (study, count) in expected)
        {
            var n = await IngestClient.CountStudyInstancesAsync(client, token, study, CancellationToken.None) ?? 0;
            found += Math.Min(n, count);
            if (n != count)
                missing.Add($"{study}: {n} of {count}");
        }
        var ok = run.Referenced == corpus.Count && run.Failed == 0 && missing.Count == 0;
        Console.WriteLine(Invariant($"verification: STOW responses referenced {run.Referenced} of {corpus.Count} instances ({run.Failed} failed); QIDO counts {found} of {corpus.Count} in {expected.Count} studies: {(ok ? "OK" : "FAILED")}"));
        if (run.FirstProblem is not null)
            Console.WriteLine("first problem: " + run.FirstProblem);
        foreach (var m in missing.Take(5))
            Console.WriteLine("QIDO mismatch: " + m);
        return ok;
    }

    /// <summary>
    /// Study-level WADO-RS metadata of the largest study sent (the one study of <c>--one-study</c>): the request PACS users
    /// see time out on big studies. Median of five, whole body read.
    /// </summary>
    private static async Task PrintStudyMetadataLatencyAsync(HttpClient client, string token, IReadOnlyList<CorpusFile> corpus)
    {
        var (study, instances) = corpus.GroupBy(f => f.StudyInstanceUid).Select(g => (g.Key, g.Count())).MaxBy(g => g.Item2);
        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study}/metadata");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var body = await response.Content.ReadAsByteArrayAsync();
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                Console.WriteLine(Invariant($"study metadata: {(int)response.StatusCode}"));
                return;
            }
            bytes = body.Length;
        }
        times.Sort();
        Console.WriteLine(Invariant($"study metadata (WADO-RS) of {instances:N0} instances: median {times[2]:F0} ms (min {times[0]:F0}, max {times[^1]:F0}), {bytes / 1048576.0:F1} MiB of DICOM JSON"));
    }

    private static void PrintResult(IngestOptions options, IReadOnlyList<CorpusFile> corpus, RunResult run, long? peak, (TimeSpan User, TimeSpan Kernel)? serverCpu, TimeSpan clientCpu)
    {
        var seconds = run.Elapsed.TotalSeconds;
        var bytes = corpus.Sum(f => f.Length);
        var latencies = run.Requests.Select(r => r.CompletedMs - r.StartedMs).Order().ToArray();
        Console.WriteLine();
        Console.WriteLine("| clients | batch | instances | s | instances/s | MB/s | request p50 ms | request p95 ms | server peak RSS MB | server CPU ms/instance (user+kernel) | bench CPU ms/instance |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        var cpu = serverCpu is { } c
            ? Invariant($"{(c.User + c.Kernel).TotalMilliseconds / corpus.Count:F2} ({c.User.TotalMilliseconds / corpus.Count:F2} + {c.Kernel.TotalMilliseconds / corpus.Count:F2})")
            : "n/a";
        Console.WriteLine(Invariant($"| {options.Clients} | {options.Batch} | {corpus.Count} | {seconds:F2} | {corpus.Count / seconds:F0} | {bytes / 1e6 / seconds:F0} | {Percentile(latencies, 0.50):F1} | {Percentile(latencies, 0.95):F1} | {(peak is { } p ? (p / 1048576.0).ToString("F0", CultureInfo.InvariantCulture) : "n/a")} | {cpu} | {clientCpu.TotalMilliseconds / corpus.Count:F2} |"));

        if (options.OneStudy && corpus.Count >= 2 * WindowInstances)
        {
            // Completion order: the moment the 1,000th instance was acknowledged, and the last 1,000 after the (n-1,000)th.
            var done = run.Requests.OrderBy(r => r.CompletedMs).ToArray();
            double At(int instances)
            {
                var sum = 0;
                foreach (var r in done)
                {
                    sum += r.Instances;
                    if (sum >= instances)
                        return r.CompletedMs;
                }
                return done[^1].CompletedMs;
            }
            var first = WindowInstances / (At(WindowInstances) / 1000);
            var last = WindowInstances / ((done[^1].CompletedMs - At(corpus.Count - WindowInstances)) / 1000);
            Console.WriteLine();
            Console.WriteLine(Invariant($"one study of {corpus.Count}: first {WindowInstances:N0} instances {first:F0}/s, last {WindowInstances:N0} instances {last:F0}/s ({(last - first) / first * 100:+0;-0}%)"));
            // Every window, so a slow start (warm-up, the file system) tells itself apart from a slow-down with size.
            var windows = new List<string>();
            for (var end = WindowInstances; end <= corpus.Count; end += WindowInstances)
                windows.Add(Invariant($"{WindowInstances / ((At(end) - (end == WindowInstances ? 0 : At(end - WindowInstances))) / 1000):F0}"));
            Console.WriteLine($"instances/s per {WindowInstances:N0} in completion order: {string.Join(' ', windows)}");
        }
    }

    private static void PrintMachine(IngestOptions options, IReadOnlyList<CorpusFile> corpus)
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        Console.WriteLine(Invariant($"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, .NET {Environment.Version}; load average at start {load}"));
        Console.WriteLine(Invariant($"STOW-RS of {corpus.Count} instances ({corpus.Average(f => f.Length) / 1e6:F2} MB each) in {corpus.Select(f => f.StudyInstanceUid).Distinct().Count()} studies, {options.Clients} clients, {options.Batch} instances per request, {(options.Url is not null ? options.Url.Scheme : options.Http ? "http" : "https")}, after a warm-up of {options.WarmUpInstances} instances"));
    }

    /// <summary>Lossless compressibility of a few corpus files: JPEG-LS (dcmtk's dcmcjpls) when installed, and deflate at its smallest.</summary>
    private static void PrintCompression(IReadOnlyList<CorpusFile> corpus)
    {
        var samples = new[] { corpus[0], corpus[corpus.Count / 2], corpus[^1] }.DistinctBy(f => f.Path).ToArray();
        long original = 0, deflated = 0, jpegLs = 0;
        var haveDcmtk = true;
        foreach (var file in samples)
        {
            var bytes = File.ReadAllBytes(file.Path);
            original += bytes.Length;
            using (var sink = new MemoryStream())
            {
                using (var zlib = new ZLibStream(sink, CompressionLevel.SmallestSize, leaveOpen: true))
                    zlib.Write(bytes);
                deflated += sink.Length;
            }
            if (!haveDcmtk)
                continue;
            var output = Path.Combine(Path.GetTempPath(), $"imaging-jls-{Guid.NewGuid():N}.dcm");
            try
            {
                using var process = Process.Start(new ProcessStartInfo("dcmcjpls", [file.Path, output]) { RedirectStandardError = true, RedirectStandardOutput = true });
                process!.WaitForExit();
                if (process.ExitCode == 0)
                    jpegLs += new FileInfo(output).Length;
                else
                    haveDcmtk = false;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                haveDcmtk = false;
            }
            finally
            {
                File.Delete(output);
            }
        }
        Console.WriteLine(Invariant($"corpus compressibility over {samples.Length} files: JPEG-LS lossless (dcmcjpls) {(haveDcmtk ? $"{(double)original / jpegLs:F2}:1" : "n/a (dcmtk not installed)")}, deflate (≈ gzip -9) {(double)original / deflated:F2}:1"));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansImaging.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("OrleansImaging.sln not found above the benchmark's binaries.");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
