using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Grains.Tests.Cluster;
using OrleansImaging.Silo;
using Xunit.Abstractions;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Studies;

/// <summary>
/// The spine issue's question: what does a 2,000-instance study sent one instance per request cost? Prints figures
/// (docs/benchmarks.md, "Study grain and catalogue"); asserts only counts, never timings. Own cluster and files, so
/// the grain-state table holds this one study.
/// </summary>
public sealed class StudyIngestMeasurementTests(ITestOutputHelper output) : IDisposable
{
    private const int Instances = 2000;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("oi-measure-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task AddInstancesAsync_2000InstancesOnePerCall_CostStaysFlat()
    {
        var paths = new ImagingSiloOptions { DataDirectory = _dataDirectory };
        await using var cluster = await ImagingClusterFixture.StartAsync(_dataDirectory);
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();
        var study = cluster.Client.GetGrain<IStudyGrain>(GrainKeys.Study(TenantA, studyUid));
        var series = new[] { studyUid + ".1", studyUid + ".2", studyUid + ".3", studyUid + ".4" };

        var perCall = new double[Instances];
        var stateBytes = new Dictionary<int, (long Bytes, long Version)>();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < Instances; i++)
        {
            var instance = TestInstances.Make(TenantA, studyUid, series[i % series.Length], i + 1);
            var started = Stopwatch.GetTimestamp();
            var outcome = await study.AddInstancesAsync([instance]);
            perCall[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Assert.Equal(InstanceStatus.Stored, outcome[0].Status);
            if (i + 1 is 1 or 10 or 100 or 1000 or Instances)
            {
                total.Stop();
                stateBytes[i + 1] = GrainStateRow(paths.GrainStateDatabasePath);
                total.Start();
            }
        }
        total.Stop();

        // Metadata of the whole study, from the catalogue (no blob is opened: there are none in this test).
        var metadataTimes = new List<double>();
        byte[] metadata = [];
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            metadata = await study.GetMetadataAsync();
            metadataTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        // A fresh activation loads the catalogue index (2,000 rows without metadata) before its first answer.
        await cluster.DeactivateAsync(study);
        var activation = Stopwatch.GetTimestamp();
        var summary = await study.GetSummaryAsync();
        var activationMs = Stopwatch.GetElapsedTime(activation).TotalMilliseconds;
        var coldMetadataStart = Stopwatch.GetTimestamp();
        await study.GetMetadataAsync();
        var coldMetadataMs = Stopwatch.GetElapsedTime(coldMetadataStart).TotalMilliseconds;

        var (rows, metadataBytes) = CatalogueTotals(paths.CatalogueDatabasePath);
        Assert.Equal(Instances, summary.InstanceCount);
        Assert.Equal(Instances, rows);
        Assert.Equal(Instances, stateBytes[Instances].Version); // exactly one state write per call

        var first100 = perCall[..100];
        var last100 = perCall[^100..];
        var sorted = perCall.Order().ToArray();
        var avgRow = (double)metadataBytes / rows;
        Print($"instances: {Instances} in {series.Length} series, one AddInstancesAsync per instance, synchronous=FULL");
        Print($"total: {total.Elapsed.TotalSeconds:F2} s ({Instances / total.Elapsed.TotalSeconds:F0} calls/s)");
        Print($"per call: mean {perCall.Average():F2} ms, median {sorted[Instances / 2]:F2} ms, p99 {sorted[Instances * 99 / 100]:F2} ms, max {sorted[^1]:F2} ms");
        Print($"first 100 calls: {first100.Sum():F0} ms ({first100.Average():F2} ms/call); last 100 calls: {last100.Sum():F0} ms ({last100.Average():F2} ms/call)");
        foreach (var (call, row) in stateBytes.OrderBy(kv => kv.Key))
        {
            Print($"grain state after call {call}: {row.Bytes} bytes (version {row.Version})");
        }
        Print($"catalogue: {rows} rows, metadata {metadataBytes / 1024.0:F0} KiB ({avgRow:F0} B/instance); files {FileSizes(paths.CatalogueDatabasePath)}");
        Print($"GetMetadataAsync (whole study, {metadata.Length / 1024.0:F0} KiB JSON): {string.Join(", ", metadataTimes.Select(t => t.ToString("F1", CultureInfo.InvariantCulture)))} ms; after reactivation {coldMetadataMs:F1} ms");
        Print($"first call after deactivation (activation loads the 2,000-row index): {activationMs:F1} ms");
        // What a catalogue inside the grain state would have written: the whole list again on each of the 2,000 calls.
        var quadraticBytes = (avgRow + 200) * Instances * (Instances + 1) / 2;
        Print($"for comparison, catalogue in grain state: ~{quadraticBytes / (1024 * 1024):F0} MiB rewritten over the 2,000 calls (estimate: (metadata + ~200 B) × n(n+1)/2)");
    }

    private void Print(string line) => output.WriteLine(line);

    private static (long Bytes, long Version) GrainStateRow(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT length(PayloadBinary), Version FROM OrleansStorage";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        var row = (reader.GetInt64(0), reader.GetInt64(1));
        Assert.False(reader.Read()); // one study grain, one row
        return row;
    }

    private static (long Rows, long MetadataBytes) CatalogueTotals(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), sum(length(MetadataJson)) FROM StudyInstances";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static string FileSizes(string path) =>
        string.Join(" + ", new[] { path, path + "-wal" }.Where(File.Exists)
            .Select(p => $"{Path.GetFileName(p)} {new FileInfo(p).Length / 1024.0:F0} KiB"));
}
