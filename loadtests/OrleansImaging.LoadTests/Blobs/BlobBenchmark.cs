using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using OrleansImaging.Grains.Storage;
using OrleansImaging.Grains.Tests.Storage;

namespace OrleansImaging.LoadTests.Blobs;

/// <summary>
/// `./imaging bench blobs`: how many 0.5 MB puts per second each <see cref="IBlobStore"/> completes with 1 and 4
/// concurrent writers: the folder store with fsync (the real setting) and without (what fsync costs), and the
/// Azure store against a private Azurite. Keys are sharded by study (100 instances each) under a fresh root per
/// run, because this machine's ext4 punishes re-creating files in directories emptied minutes ago.
/// </summary>
internal static class BlobBenchmark
{
    private const int BlobSize = 512 * 1024;
    private const int InstancesPerStudy = 100;

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var puts = quick ? 200 : 1000;
        var body = new byte[BlobSize];
        new Random(1).NextBytes(body);
        var workRoot = Directory.CreateTempSubdirectory("orleans-imaging-bench-blobs-").FullName;

        Console.WriteLine(Invariant($"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, .NET {Environment.Version}; {puts} puts of {BlobSize / 1024} KiB per row after 20 warm-up puts; PutAsync; temp folder {Path.GetTempPath()}"));
        Console.WriteLine();
        Console.WriteLine("| store | writers | puts/s | MB/s | p50 ms | p99 ms | CPU ms/put (this process) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        try
        {
            foreach (var flush in new[] { true, false })
            {
                foreach (var writers in new[] { 1, 4 })
                {
                    var root = Path.Combine(workRoot, Guid.NewGuid().ToString("N"));
                    var store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = root, FlushToDisk = flush });
                    var result = await MeasureAsync(store, body, puts, writers);
                    Print(flush ? "folder, fsync" : "folder, no fsync", writers, result);
                    Directory.Delete(root, recursive: true);
                }
            }

            await using var azurite = await AzuriteProcess.StartAsync(TimeSpan.FromSeconds(60));
            foreach (var writers in new[] { 1, 4 })
            {
                var store = new AzureBlobStore(new AzureBlobStoreOptions { ConnectionString = azurite.ConnectionString, ContainerName = $"bench-{writers}" });
                var result = await MeasureAsync(store, body, puts, writers);
                Print("Azurite (3.35.0, loopback HTTP)", writers, result);
            }
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }
        return 0;
    }

    private static async Task<Result> MeasureAsync(IBlobStore store, byte[] body, int puts, int writers)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 20; i++)
            await store.PutAsync($"warmup{run}/s/{i}", new MemoryStream(body));

        var latencies = new double[puts];
        var next = -1;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < puts)
            {
                var started = Stopwatch.GetTimestamp();
                await store.PutAsync($"tenant{run}/study{i / InstancesPerStudy}/1.2.3.{i}", new MemoryStream(body, writable: false));
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        var elapsed = clock.Elapsed;
        var cpuPerPut = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / puts;
        Array.Sort(latencies);
        return new Result(puts / elapsed.TotalSeconds, latencies[puts / 2], latencies[(int)(puts * 0.99)], cpuPerPut);
    }

    private static void Print(string store, int writers, Result r) =>
        Console.WriteLine(Invariant($"| {store} | {writers} | {r.PerSecond:N0} | {r.PerSecond * BlobSize / 1e6:N0} | {r.P50:F1} | {r.P99:F1} | {r.CpuMsPerPut:F2} |"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Result(double PerSecond, double P50, double P99, double CpuMsPerPut);
}
