using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Grains.Index;
using OrleansImaging.LoadTests.Dicom;

namespace OrleansImaging.LoadTests.Index;

/// <summary>
/// `./imaging bench index`: the SQLite query index under the ingest pattern it is built for — one
/// big study arriving in small batches (20,000 CT instances in 4 series, 10 per transaction, each
/// from the synthetic CT's real ~100-element header) — and then QIDO latency on that study. The
/// first and last 1,000 batches are timed apart: a study-level aggregate that scanned instances
/// would show as a slower second half.
/// </summary>
internal static class IndexBenchmark
{
    private const string Tenant = "bench-hospital";
    private const string Study = "1.2.826.0.1.3680043.10.99.1";
    private const int BatchSize = 10;
    private const int SeriesCount = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var total = quick ? 4_000 : 20_000;
        var window = quick ? 100 : 1_000;
        var folder = Directory.CreateTempSubdirectory("orleans-imaging-bench-index-").FullName;
        try
        {
            var template = DicomFile.Parse(SyntheticCt.Create(), DicomReadOptions.HeaderOnly).Dataset;
            var extract = Stopwatch.StartNew();
            var instances = new IndexedInstance[total];
            for (var n = 0; n < total; n++)
                instances[n] = Instance(template, n);
            extract.Stop();

            Console.WriteLine(Invariant($"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, .NET {Environment.Version}; SQLite file in {Path.GetTempPath()} (WAL, synchronous=FULL)"));
            Console.WriteLine(Invariant($"{total:N0} instances of one study ({SeriesCount} series), batches of {BatchSize}; IndexedInstance.FromDataset: {extract.Elapsed.TotalMicroseconds / total:F0} µs/instance"));
            Console.WriteLine();

            using var index = new SqliteQueryIndex(new SqliteQueryIndexOptions { DataDirectory = folder });
            var batches = instances.Chunk(BatchSize).ToArray();
            var batchMs = new double[batches.Length];
            var all = Stopwatch.StartNew();
            for (var b = 0; b < batches.Length; b++)
            {
                var started = Stopwatch.GetTimestamp();
                await index.UpsertAsync(batches[b]);
                batchMs[b] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            all.Stop();

            Console.WriteLine("| upsert | batches | instances/s | batch p50 ms | batch p99 ms |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            Row("all", batchMs);
            Row(Invariant($"first {window:N0} batches"), batchMs[..window]);
            Row(Invariant($"last {window:N0} batches"), batchMs[^window..]);
            var again = Stopwatch.StartNew();
            foreach (var batch in batches.Take(window))
                await index.UpsertAsync(batch);
            again.Stop();
            Console.WriteLine(Invariant($"| same {window:N0} batches again (idempotent) | {window:N0} | {window * BatchSize / again.Elapsed.TotalSeconds:N0} | | |"));
            Console.WriteLine(Invariant($"Database: {new FileInfo(Path.Combine(folder, "query-index.sqlite")).Length / 1048576.0:F1} MiB (+ WAL {WalMiB(folder):F1} MiB)."));
            Console.WriteLine();

            Console.WriteLine("| query on that study | matches | p50 ms | p99 ms |");
            Console.WriteLine("|---|---:|---:|---:|");
            await QueryRowAsync(index, "study level, StudyInstanceUID", QueryLevel.Study, $"StudyInstanceUID={Study}");
            await QueryRowAsync(index, "study level, PatientName=doe* & StudyDate range & ModalitiesInStudy", QueryLevel.Study, "PatientName=doe*&StudyDate=20260101-20261231&ModalitiesInStudy=CT");
            await QueryRowAsync(index, "series of the study", QueryLevel.Series, "", study: Study);
            await QueryRowAsync(index, "instances of one series, first page (limit 100)", QueryLevel.Instance, "limit=100", study: Study, series: Study + ".1");
            await QueryRowAsync(index, "instances of one series, page at offset 4,900 (limit 100)", QueryLevel.Instance, "limit=100&offset=" + (total / SeriesCount - 100), study: Study, series: Study + ".1");
            await QueryRowAsync(index, "one instance by SOPInstanceUID", QueryLevel.Instance, $"SOPInstanceUID={Study}.{total / 2 % SeriesCount + 1}.{total / 2}");
            return 0;
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("IMAGING_BENCH_KEEP") is { Length: > 0 } keep)
                File.Copy(Path.Combine(folder, "query-index.sqlite"), keep, overwrite: true);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IndexedInstance Instance(DicomDataset template, int n)
    {
        var series = n % SeriesCount + 1;
        var header = template.Clone()
            .AddOrUpdate(DicomTag.StudyInstanceUID, Study)
            .AddOrUpdate(DicomTag.SeriesInstanceUID, $"{Study}.{series}")
            .AddOrUpdate(DicomTag.SOPInstanceUID, $"{Study}.{series}.{n}")
            .AddOrUpdate(DicomTag.InstanceNumber, n.ToString(CultureInfo.InvariantCulture))
            .AddOrUpdate(DicomTag.SeriesNumber, series.ToString(CultureInfo.InvariantCulture));
        return IndexedInstance.FromDataset(Tenant, header, $"{Tenant}/{Study}/{n}", 525_000, new string('0', 64));
    }

    private static async Task QueryRowAsync(SqliteQueryIndex index, string name, QueryLevel level, string queryString, string? study = null, string? series = null)
    {
        var pairs = queryString.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => new KeyValuePair<string, string>(p[..p.IndexOf('=')], p[(p.IndexOf('=') + 1)..]));
        var query = QidoQuery.Parse(Tenant, level, pairs, study, series);
        var matches = (await index.QueryAsync(query)).Matches.Count;
        // Warm-up, so tiered JIT has compiled the result building before it is timed.
        for (var i = 0; i < 50; i++)
            await index.QueryAsync(query);
        var times = new double[200];
        for (var i = 0; i < times.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await index.QueryAsync(query);
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(times);
        Console.WriteLine(Invariant($"| {name} | {matches:N0} | {Percentile(times, 0.50):F2} | {Percentile(times, 0.99):F2} |"));
    }

    private static void Row(string name, double[] batchMs)
    {
        var sorted = batchMs.Order().ToArray();
        Console.WriteLine(Invariant($"| {name} | {batchMs.Length:N0} | {batchMs.Length * BatchSize / (batchMs.Sum() / 1000):N0} | {Percentile(sorted, 0.50):F2} | {Percentile(sorted, 0.99):F2} |"));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static double WalMiB(string folder)
    {
        var wal = new FileInfo(Path.Combine(folder, "query-index.sqlite-wal"));
        return wal.Exists ? wal.Length / 1048576.0 : 0;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
