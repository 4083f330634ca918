using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.LoadTests.Dicom;

/// <summary>
/// `./imaging bench dicom`: single-threaded parse rates of the DICOM library on a synthetic CT and
/// on every corpus file (header only, full in-memory parse, by path with bulk data left in the
/// file), allocations per parse, and dcmtk's process-per-file rates on the same files. Each figure
/// is the median of several timed runs after a warm-up.
/// </summary>
internal static class DicomBenchmark
{
    private const int Runs = 5;
    private static readonly DicomReadOptions ByPath = new() { BulkDataThreshold = 64 * 1024 };
    private static readonly DicomJsonOptions MetadataJson = new()
    {
        BulkDataThreshold = 1024,
        BulkDataUriBuilder = context => "bulkdata/" + context.Path,
        EncapsulatedPixelData = DicomJsonEncapsulatedPixelData.Omit,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var runTime = TimeSpan.FromMilliseconds(quick ? 10 : 40);
        PrintMachine();

        var ctPath = Path.Combine(Path.GetTempPath(), $"orleans-imaging-bench-ct-{Environment.ProcessId}.dcm");
        var ct = SyntheticCt.Create();
        await File.WriteAllBytesAsync(ctPath, ct);
        try
        {
            var inputs = new List<(string Name, string Path, byte[] Bytes)> { ("synthetic CT 512x512x16", ctPath, ct) };
            inputs.AddRange(CorpusFiles());
            // Tiered compilation promotes hot methods after a while; measure the steady state, not the JIT.
            var warmUp = Stopwatch.StartNew();
            while (warmUp.Elapsed < TimeSpan.FromSeconds(quick ? 1 : 3))
            {
                foreach (var (_, path, bytes) in inputs)
                {
                    DicomFile.Parse(bytes, DicomReadOptions.HeaderOnly);
                    DicomFile.Parse(bytes);
                }
                DicomFile.OpenAsync(ctPath, ByPath).GetAwaiter().GetResult();
            }
            Console.WriteLine($"Synthetic CT: {ct.Length / 1024.0:F0} KiB, {DicomFile.Parse(ct).Dataset.Count} top-level elements; corpus: {inputs.Count - 1} files that parse ({CorpusRoot}).");
            Console.WriteLine();
            Console.WriteLine("| file | KiB | header files/s | header B/parse | full files/s | full MB/s | full B/parse | by path files/s | by path B/open |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, path, bytes) in inputs)
            {
                var header = Measure(() => DicomFile.Parse(bytes, DicomReadOptions.HeaderOnly), runTime, threadAllocations: true);
                var full = Measure(() => DicomFile.Parse(bytes), runTime, threadAllocations: true);
                // File I/O completions may run on other threads: count the process's allocations.
                var open = Measure(() => DicomFile.OpenAsync(path, ByPath).GetAwaiter().GetResult(), runTime, threadAllocations: false);
                Console.WriteLine(Invariant($"| {name} | {bytes.Length / 1024.0:F1} | {header.PerSecond:N0} | {header.BytesPerOp:N0} | {full.PerSecond:N0} | {full.PerSecond * bytes.Length / 1e6:N0} | {full.BytesPerOp:N0} | {open.PerSecond:N0} | {open.BytesPerOp:N0} |"));
            }

            var corpus = inputs.Skip(1).ToList();
            var corpusBytes = corpus.Sum(f => (long)f.Bytes.Length);
            var headerPass = Measure(() => { foreach (var f in corpus) DicomFile.Parse(f.Bytes, DicomReadOptions.HeaderOnly); }, runTime * 5, threadAllocations: true);
            var fullPass = Measure(() => { foreach (var f in corpus) DicomFile.Parse(f.Bytes); }, runTime * 5, threadAllocations: true);
            var openPass = Measure(() => { foreach (var f in corpus) DicomFile.OpenAsync(f.Path, ByPath).GetAwaiter().GetResult(); }, runTime * 5, threadAllocations: false);
            Console.WriteLine();
            Console.WriteLine("Whole corpus, one file after another:");
            Console.WriteLine(Invariant($"  header only: {headerPass.PerSecond * corpus.Count:N0} files/s, {headerPass.BytesPerOp / corpus.Count:N0} B allocated per file"));
            Console.WriteLine(Invariant($"  full parse:  {fullPass.PerSecond * corpus.Count:N0} files/s, {fullPass.PerSecond * corpusBytes / 1e6:N0} MB/s, {fullPass.BytesPerOp / corpus.Count:N0} B per file"));
            Console.WriteLine(Invariant($"  by path:     {openPass.PerSecond * corpus.Count:N0} files/s, {openPass.PerSecond * corpusBytes / 1e6:N0} MB/s, {openPass.BytesPerOp / corpus.Count:N0} B per file"));
            // Metadata as WADO-RS serves it: binary values of 1 KiB or more become BulkDataURIs.
            var parsed = corpus.Select(f => DicomFile.Parse(f.Bytes).Dataset).ToList();
            var ctDataset = DicomFile.Parse(ct).Dataset;
            using var sink = new MemoryStream();
            var jsonCt = Measure(() => { sink.SetLength(0); DicomJson.Serialize(sink, ctDataset, MetadataJson); }, runTime * 5, threadAllocations: true);
            var jsonLength = sink.Length;
            var jsonPass = Measure(() => { foreach (var d in parsed) { sink.SetLength(0); DicomJson.Serialize(sink, d, MetadataJson); } }, runTime * 5, threadAllocations: true);
            Console.WriteLine(Invariant($"  JSON (metadata, bulk data as URIs): {jsonPass.PerSecond * corpus.Count:N0} data sets/s, {jsonPass.BytesPerOp / corpus.Count:N0} B per data set"));
            Console.WriteLine(Invariant($"  JSON of the synthetic CT's metadata: {jsonCt.PerSecond:N0} data sets/s ({jsonLength:N0} B of JSON), {jsonCt.BytesPerOp:N0} B allocated"));

            Console.WriteLine();
            Console.WriteLine("dcmtk, one process per file (same files, round robin):");
            var sample = inputs.Select(i => i.Path).ToList();
            foreach (var tool in new[] { "dcmdump", "dcm2json" })
                Console.WriteLine(RunTool(tool, sample, quick ? 12 : 48));
            return 0;
        }
        finally
        {
            File.Delete(ctPath);
        }
    }

    private static string CorpusRoot => Environment.GetEnvironmentVariable("IMAGING_CORPUS") is { Length: > 0 } root
        ? root
        : throw new InvalidOperationException("Set IMAGING_CORPUS to the pydicom corpus (./imaging bench dicom does).");

    private static IEnumerable<(string Name, string Path, byte[] Bytes)> CorpusFiles()
    {
        var files = new[] { "test_files", "charset_files" }
            .Select(d => Path.Combine(CorpusRoot, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => Path.GetExtension(f) is not (".txt" or ".json" or ".gz" or ".dump" or ".py"))
            .Order(StringComparer.Ordinal);
        foreach (var path in files)
        {
            var bytes = File.ReadAllBytes(path);
            try
            {
                DicomFile.Parse(bytes);
                DicomFile.OpenAsync(path, ByPath).GetAwaiter().GetResult();
            }
            catch (DicomException)
            {
                continue; // deliberately broken corpus files are the robustness tests' business
            }
            yield return (Path.GetRelativePath(CorpusRoot, path), path, bytes);
        }
    }

    private readonly record struct Figures(double PerSecond, double BytesPerOp);

    /// <summary>Warm-up, then <see cref="Runs"/> timed runs of at least <paramref name="runTime"/>; medians.</summary>
    private static Figures Measure(Action operation, TimeSpan runTime, bool threadAllocations)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < runTime)
            operation();
        var rates = new double[Runs];
        var allocations = new double[Runs];
        for (var run = 0; run < Runs; run++)
        {
            var count = 0;
            var allocatedBefore = threadAllocations ? GC.GetAllocatedBytesForCurrentThread() : GC.GetTotalAllocatedBytes(precise: true);
            clock.Restart();
            do
            {
                operation();
                count++;
            }
            while (clock.Elapsed < runTime);
            var elapsed = clock.Elapsed.TotalSeconds;
            var allocatedAfter = threadAllocations ? GC.GetAllocatedBytesForCurrentThread() : GC.GetTotalAllocatedBytes(precise: true);
            rates[run] = count / elapsed;
            allocations[run] = (allocatedAfter - allocatedBefore) / (double)count;
        }
        Array.Sort(rates);
        Array.Sort(allocations);
        return new Figures(rates[Runs / 2], allocations[Runs / 2]);
    }

    private static string RunTool(string tool, List<string> files, int runs)
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
        if (path is null)
            return $"  {tool}: not installed (./imaging bench installs dcmtk)";
        var clock = Stopwatch.StartNew();
        var failures = 0;
        for (var i = 0; i < runs; i++)
        {
            using var process = Process.Start(new ProcessStartInfo(path, files[i % files.Count]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            failures += process.ExitCode == 0 ? 0 : 1;
        }
        return Invariant($"  {tool}: {runs / clock.Elapsed.TotalSeconds:N0} files/s over {runs} runs ({failures} exited non-zero)");
    }

    private static void PrintMachine()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        Console.WriteLine($"Machine: {model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}");
        Console.WriteLine($"Runtime: {RuntimeInformation.FrameworkDescription}, single-threaded, median of {Runs} runs after a warm-up");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
