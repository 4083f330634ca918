using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
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
        var cache = Environment.GetEnvironmentVariable("IMAGING_SYNTHETIC_CORPUS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", ".corpus", "synthetic-ct");
        var corpus = SyntheticCtCorpus.LoadOrCreate(Path.GetFullPath(cache), files, 1, Console.Error);
        foreach (var file in corpus)
            _ = await File.ReadAllBytesAsync(file.Path); // into the page cache: the codecs are measured, not the disk
        var codec = new DicomCodecs();
        var work = Directory.CreateTempSubdirectory("orleans-imaging-bench-codecs-").FullName;
        Console.WriteLine(Invariant($"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, GDCM 3.0 (libgdcm-cil)"));
        Console.WriteLine(Invariant($"{corpus.Count} synthetic CT files of {corpus[0].Length / 1024} KiB (512×512, 16 bits allocated, 12 stored), one frame each; per file: transcode, decode the result, compare with the original's Pixel Data (what a codec worker does); 5 warm-up files per row"));
        Console.WriteLine();
        Console.WriteLine("| archive syntax | workers | frames/s | input MB/s | p50 ms/frame | ratio (Part 10 bytes) | CPU ms/frame |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        try
        {
            foreach (var (name, syntax) in Targets)
            {
                var rates = new Dictionary<int, double>();
                foreach (var workers in new[] { 1, 2 })
                {
                    await RunAsync(codec, corpus.Take(5).ToList(), syntax, 1, work); // warm-up
                    var result = await RunAsync(codec, corpus, syntax, workers, work);
                    rates[workers] = result.FramesPerSecond;
                    Console.WriteLine(Invariant($"| {name} | {workers} | {result.FramesPerSecond:F1} | {result.InputMegabytesPerSecond:F1} | {result.MedianMilliseconds:F1} | {result.Ratio:F2}:1 | {result.CpuMillisecondsPerFrame:F1} |"));
                }
                Console.WriteLine(Invariant($"|  | 2 ÷ 1 | {rates[2] / rates[1]:F2}× | | | | |"));
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        return 0;
    }

    private sealed record Result(double FramesPerSecond, double InputMegabytesPerSecond, double MedianMilliseconds, double Ratio, double CpuMillisecondsPerFrame);

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

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
