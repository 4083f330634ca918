using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Codecs;
using OrleansImaging.LoadTests.Ingest;

namespace OrleansImaging.LoadTests.Codecs;

/// <summary>
/// `./imaging bench codecs`: archive compression as the silos do it (<c>CodecWorkerGrain</c>: transcode with the
/// codec facade, decode the result, compare with the original's raw Pixel Data) over the synthetic CT corpus
/// (512×512, 12 bits stored, explicit VR little endian, the ingest benchmark's), with 1 and 2 workers in parallel, for
/// JPEG-LS lossless and JPEG 2000 lossless: frames/s, input MB/s, the ratio achieved, and how 2 workers scale over 1.
/// </summary>
internal static class CodecBenchmark
{
    private static readonly (string Name, DicomTransferSyntax Syntax)[] Targets =
    [
        ("JPEG-LS lossless", DicomTransferSyntax.JpegLSLossless),
        ("JPEG 2000 lossless", DicomTransferSyntax.Jpeg2000Lossless),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var files = quick ? 40 : 200;
        var corpus = SyntheticCtCorpus.LoadOrCreate(CorpusCache(), files, 1, Console.Error);
        foreach (var file in corpus)
            _ = await File.ReadAllBytesAsync(file.Path); // into the page cache: the codecs are measured, not the disk
        var work = Directory.CreateTempSubdirectory("orleans-imaging-bench-codecs-").FullName;
        Console.WriteLine(Invariant($"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, GDCM 3.0 (libgdcm-cil)"));
        Console.WriteLine(Invariant($"{corpus.Count} synthetic CT files of {corpus[0].Length / 1024} KiB (512×512, 16 bits allocated, 12 stored), one frame each; per file: transcode, decode the result, compare with the original's Pixel Data (what a codec worker does); each row in its own process pinned (taskset) to as many cores as it has workers; 5 warm-up files per row"));
        Console.WriteLine();
        Console.WriteLine("| archive syntax | cores = workers | frames/s | input MB/s | p50 ms/frame | ratio (Part 10 bytes) | CPU ms/frame |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        try
        {
            foreach (var (name, syntax) in Targets)
            {
                var rates = new Dictionary<int, double>();
                foreach (var workers in new[] { 1, 2 })
                {
                    // Each row runs in a child process pinned with taskset to as many cores as it has workers: a codec
                    // that threads internally (OpenJPEG) cannot borrow the other core, and nothing of an earlier row
                    // (JIT, GC heap) is carried over.
                    var line = await RunPinnedAsync(syntax.Uid, workers, corpus.Count);
                    var result = System.Text.Json.JsonSerializer.Deserialize<Result>(line)!;
                    rates[workers] = result.FramesPerSecond;
                    Console.WriteLine(Invariant($"| {name} | {workers} | {result.FramesPerSecond:F1} | {result.InputMegabytesPerSecond:F1} | {result.MedianMilliseconds:F1} | {result.Ratio:F2}:1 | {result.CpuMillisecondsPerFrame:F1} |"));
                }
                Console.WriteLine(Invariant($"|  | 2 ÷ 1 | {rates[2] / rates[1]:F2}× | | | | |"));
            }
            Console.WriteLine();
            await InProductAsync(corpus.Take(quick ? 100 : 200).ToList(), quick ? 100 : 300);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        return 0;
    }

    /// <summary>
    /// In the product (the api process as `./imaging start` runs it, HTTPS): a JPEG-LS tenant receives the files over
    /// STOW-RS (2 clients, 10 per request); how fast they are acknowledged, how long until the archive queue is empty
    /// (archive compression runs beside ingest, on the same 2 cores), and then WADO-RS frame latency of those
    /// stored-compressed frames asked for as explicit VR little endian (decoded on the server).
    /// </summary>
    private static async Task InProductAsync(IReadOnlyList<CorpusFile> files, int frameRequests)
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var apiDll = Path.Combine(root, "api", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "OrleansImaging.Api.dll");
        await using var server = await ImagingServerProcess.StartAsync(apiDll, https: true, new Dictionary<string, string>(), TimeSpan.FromSeconds(120));
        var tenant = "bench-codecs-" + Guid.NewGuid().ToString("N")[..8];
        var token = await server.CreateTenantAndTokenAsync(tenant);
        using var client = server.CreateClient(maxConnections: 2);
        using (var admin = server.CreateClient(maxConnections: 1))
        {
            admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "admin.key"))).Trim());
            (await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/archive", new { compression = "jpeg-ls" })).EnsureSuccessStatusCode();
        }
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var clock = Stopwatch.StartNew();
        var batches = files.Chunk(10).ToList();
        var nextBatch = -1;
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            int b;
            while ((b = Interlocked.Increment(ref nextBatch)) < batches.Count)
            {
                var outcome = await IngestClient.StoreAsync(client, token, batches[b], CancellationToken.None);
                if (outcome.Failed > 0)
                    throw new InvalidOperationException("STOW-RS failed for part of the corpus.");
            }
        })));
        var ingested = clock.Elapsed.TotalSeconds;
        var study = files[0].StudyInstanceUid;
        int compressed;
        while (true)
        {
            using var status = JsonDocument.Parse(await client.GetStringAsync($"/studies/{study}/archive"));
            compressed = status.RootElement.GetProperty("compressed").GetInt32();
            var failed = status.RootElement.GetProperty("failed").GetArrayLength();
            if (status.RootElement.GetProperty("pending").GetInt32() == 0)
            {
                if (failed > 0)
                    throw new InvalidOperationException($"{failed} instances failed archive compression.");
                break;
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(10))
                throw new TimeoutException("archive compression did not finish in 10 minutes.");
            await Task.Delay(50);
        }
        var archived = clock.Elapsed.TotalSeconds;
        Console.WriteLine(Invariant($"In the product (HTTPS, one api process; JPEG-LS tenant; {files.Count} files, 2 STOW clients × 10 per request):"));
        Console.WriteLine(Invariant($"- acknowledged in {ingested:F1} s ({files.Count / ingested:F0} instances/s); archive queue empty {archived:F1} s after the first request ({compressed} compressed, {compressed / archived:F0} instances/s overall, compression running beside ingest)"));

        // Frames of the now JPEG-LS objects, asked for decoded.
        var instances = new List<(string Series, string Sop)>();
        using (var list = JsonDocument.Parse(await client.GetStringAsync($"/dicomweb/studies/{study}/instances?limit=1000")))
        {
            foreach (var item in list.RootElement.EnumerateArray())
                instances.Add((item.GetProperty("0020000E").GetProperty("Value")[0].GetString()!, item.GetProperty("00080018").GetProperty("Value")[0].GetString()!));
        }
        var latencies = new List<double>();
        for (var i = 0; i < frameRequests + 10; i++)
        {
            var (series, sop) = instances[i % instances.Count];
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study}/series/{series}/instances/{sop}/frames/1");
            request.Headers.TryAddWithoutValidation("Accept", "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1");
            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                Console.WriteLine(Invariant($"- WADO-RS frames as explicit VR little endian: {(int)response.StatusCode} (not served)"));
                return;
            }
            if (body.Length < 512 * 512 * 2)
                throw new InvalidOperationException("a decoded frame is shorter than 512×512×2 bytes.");
            if (i >= 10)
                latencies.Add(elapsed); // the first 10 warm up the server
        }
        latencies.Sort();
        Console.WriteLine(Invariant($"- WADO-RS frame of a stored JPEG-LS instance, decoded to explicit VR little endian, one client, {latencies.Count} requests after 10 warm-up: p50 {latencies[latencies.Count / 2]:F1} ms, p95 {latencies[(int)(latencies.Count * 0.95)]:F1} ms"));
    }

    internal sealed record Result(double FramesPerSecond, double InputMegabytesPerSecond, double MedianMilliseconds, double Ratio, double CpuMillisecondsPerFrame);

    private static async Task<Result> RunAsync(DicomCodecs codec, IReadOnlyList<CorpusFile> corpus, DicomTransferSyntax target, int workers, string work)
    {
        var next = -1;
        long inputBytes = 0, outputBytes = 0;
        var latencies = new double[corpus.Count];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < corpus.Count)
            {
                var file = corpus[i];
                var output = Path.Combine(work, Guid.NewGuid().ToString("N") + ".dcm");
                var started = Stopwatch.GetTimestamp();
                var transcoded = await codec.TranscodeAsync(file.Path, output, target);
                var decoded = await codec.DecodeFramesAsync(output);
                var original = await DicomFile.OpenAsync(file.Path);
                var raw = ((DicomElement)original.Dataset.GetAttribute(DicomTag.PixelData)).RawValue.Span;
                if (!raw[..decoded.Frames[0].Length].SequenceEqual(decoded.Frames[0]))
                    throw new InvalidOperationException($"{file.Path}: the {target.Name} round trip is not bit-exact.");
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Interlocked.Add(ref inputBytes, transcoded.SourceLength);
                Interlocked.Add(ref outputBytes, transcoded.TargetLength);
                File.Delete(output);
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        Array.Sort(latencies);
        return new Result(corpus.Count / elapsed, inputBytes / 1e6 / elapsed, latencies[latencies.Length / 2], (double)inputBytes / outputBytes, cpuMs / corpus.Count);
    }

    /// <summary>`codecs-row`: one row of the table in this (pinned) process; prints its result as JSON.</summary>
    public static async Task<int> RunRowAsync(string[] args)
    {
        var target = DicomTransferSyntax.Lookup(args[0]);
        var workers = int.Parse(args[1], CultureInfo.InvariantCulture);
        var files = int.Parse(args[2], CultureInfo.InvariantCulture);
        var corpus = SyntheticCtCorpus.LoadOrCreate(CorpusCache(), files, 1, Console.Error);
        var codec = new DicomCodecs();
        var work = Directory.CreateTempSubdirectory("orleans-imaging-bench-codecs-row-").FullName;
        try
        {
            await RunAsync(codec, corpus.Take(5).ToList(), target, 1, work); // warm-up
            var result = await RunAsync(codec, corpus, target, workers, work);
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(result));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        return 0;
    }

    private static async Task<string> RunPinnedAsync(string syntaxUid, int cores, int files)
    {
        var start = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", cores == 1 ? "0" : "0-" + (cores - 1).ToString(CultureInfo.InvariantCulture), "dotnet",
            typeof(CodecBenchmark).Assembly.Location, "codecs-row", syntaxUid, cores.ToString(CultureInfo.InvariantCulture), files.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        start.Environment["IMAGING_SYNTHETIC_CORPUS"] = CorpusCache();
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"the pinned row failed ({process.ExitCode}).");
        return output.Trim().Split('\n')[^1];
    }

    private static string CorpusCache() =>
        Environment.GetEnvironmentVariable("IMAGING_SYNTHETIC_CORPUS") is { Length: > 0 } configured
            ? configured
            : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", ".corpus", "synthetic-ct"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
