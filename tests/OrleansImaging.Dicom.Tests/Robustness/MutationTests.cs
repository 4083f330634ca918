using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using OrleansImaging.Dicom.IO;
using Xunit.Abstractions;

namespace OrleansImaging.Dicom.Tests.Robustness;

/// <summary>
/// Deterministic mutation testing over the corpus: at least 10,000 damaged variants per run, each
/// read from memory (and every tenth from a non-seekable stream too). The only exception allowed
/// out of the reader or out of decoding a value is <see cref="DicomException"/>; memory and stream
/// must agree on success and on the number of top-level elements.
/// </summary>
public sealed class MutationTests(ITestOutputHelper output)
{
    private const int Seed = 20261125;
    private const int MinimumVariants = 10_000;

    // A run of 40,000 takes about ten seconds on two cores; IMAGING_MUTATIONS asks for more (or fewer, never under 10,000).
    private static readonly int Variants = Math.Max(MinimumVariants, int.TryParse(Environment.GetEnvironmentVariable("IMAGING_MUTATIONS"), out var n) ? n : 40_000);

    [Fact]
    public async Task Parse_MutatedCorpusFiles_ThrowsOnlyDicomException()
    {
        var files = LoadParsableCorpus();
        Assert.NotEmpty(files);
        var master = new Random(Seed);
        var perFile = (Variants + files.Count - 1) / files.Count;
        // Seeds are drawn up front, in order, so each variant is reproducible whatever the scheduling.
        var variants = new List<(int File, int Seed)>();
        for (var round = 0; round < perFile; round++)
        {
            for (var f = 0; f < files.Count; f++)
                variants.Add((f, master.Next()));
        }
        var failures = new ConcurrentQueue<string>();
        var inProgress = new ConcurrentDictionary<int, string>();
        int parsed = 0, rejected = 0, compared = 0;
        var clock = Stopwatch.StartNew();

        var run = Task.Run(() => Parallel.For(0, variants.Count, i =>
        {
            var (fileIndex, seed) = variants[i];
            var file = files[fileIndex];
            var description = new StringBuilder();
            var data = Mutator.Mutate(file.Bytes, file.Headers, new Random(seed), description);
            var context = $"variant {i} (seed {seed}) of {file.Name}: {description}";
            inProgress[i] = context;
            var outcome = ReadFromMemory(data, context, failures);
            if (outcome.Error is null)
                Interlocked.Increment(ref parsed);
            else
                Interlocked.Increment(ref rejected);
            if (i % 10 == 0)
            {
                Interlocked.Increment(ref compared);
                var streamed = ReadFromStream(data, context, failures);
                if ((outcome.Error is null) != (streamed.Error is null) || outcome.TopLevelCount != streamed.TopLevelCount)
                    failures.Enqueue($"{context}: memory {Describe(outcome)} but non-seekable stream {Describe(streamed)}");
            }
            inProgress.TryRemove(i, out _);
        }));
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(180));
        }
        catch (TimeoutException)
        {
            Assert.Fail("Hung on: " + string.Join(Environment.NewLine, inProgress.Values));
        }

        output.WriteLine($"{files.Count} corpus files, {variants.Count} variants in {clock.Elapsed.TotalSeconds:F1} s: {parsed} parsed, {rejected} rejected; {compared} also read from a non-seekable stream.");
        Assert.True(variants.Count >= MinimumVariants);
        Assert.True(failures.IsEmpty, $"{failures.Count} failures, first ones:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(15))}");
    }

    private static Outcome ReadFromMemory(byte[] data, string context, ConcurrentQueue<string> failures)
    {
        try
        {
            var file = DicomFile.Parse(data);
            Exercise(file.FileMetaInformation, context, failures);
            Exercise(file.Dataset, context, failures);
            return new Outcome(null, file.Dataset.Count);
        }
        catch (Exception ex)
        {
            Check(ex, "Parse", context, failures);
            return new Outcome(ex, -1);
        }
    }

    private static Outcome ReadFromStream(byte[] data, string context, ConcurrentQueue<string> failures)
    {
        try
        {
            // The non-seekable stream double completes synchronously, so blocking here costs nothing.
            var file = DicomFile.ReadAsync(new NonSeekableStream(data)).GetAwaiter().GetResult();
            return new Outcome(null, file.Dataset.Count);
        }
        catch (Exception ex)
        {
            Check(ex, "ReadAsync", context, failures);
            return new Outcome(ex, -1);
        }
    }

    /// <summary>Decodes every loaded value, as a dump or a JSON writer would.</summary>
    private static void Exercise(DicomDataset dataset, string context, ConcurrentQueue<string> failures)
    {
        var pending = new Stack<DicomDataset>();
        pending.Push(dataset);
        while (pending.TryPop(out var current))
        {
            foreach (var attribute in current)
            {
                try
                {
                    switch (attribute)
                    {
                        case DicomElement { IsLoaded: true } element:
                            _ = element.GetText(current.CharacterSet);
                            _ = current.TryGet<double>(element.Tag, out _);
                            _ = current.TryGet<string>(element.Tag, out _);
                            break;
                        case DicomSequence sequence:
                            foreach (var item in sequence.Items)
                                pending.Push(item);
                            break;
                        case DicomFragmentSequence fragments:
                            _ = fragments.GetBasicOffsets();
                            break;
                    }
                }
                catch (Exception ex) when (ex is not DicomException)
                {
                    failures.Enqueue($"{context}: decoding {attribute} threw {ex.GetType().Name}: {ex.Message}{Environment.NewLine}{ex.StackTrace}");
                }
                catch (DicomException)
                {
                    // Refusing a value is fine; crashing on it is not.
                }
            }
        }
    }

    private static void Check(Exception ex, string path, string context, ConcurrentQueue<string> failures)
    {
        if (ex.GetType() != typeof(DicomException))
            failures.Enqueue($"{context}: {path} threw {ex.GetType().Name}: {ex.Message}{Environment.NewLine}{ex.StackTrace}");
        else if (ex is DicomException { Offset: null })
            failures.Enqueue($"{context}: {path} threw a DicomException without an offset: {ex.Message}");
    }

    private static string Describe(Outcome outcome) => outcome.Error is { } error
        ? $"failed ({error.Message})"
        : $"read {outcome.TopLevelCount} top-level elements";

    private static List<CorpusFile> LoadParsableCorpus()
    {
        var files = new List<CorpusFile>();
        foreach (var path in Corpus.DicomFiles())
        {
            var bytes = File.ReadAllBytes(path);
            DicomFile parsed;
            try
            {
                parsed = DicomFile.Parse(bytes);
            }
            catch (DicomException)
            {
                continue; // the corpus has deliberately broken files; mutate only those that read
            }
            var syntax = parsed.TransferSyntax;
            var headers = HeaderWalker.Walk(bytes, syntax.IsExplicitVR || syntax.IsDeflated, syntax.IsBigEndian, syntax.IsDeflated);
            files.Add(new CorpusFile(Path.GetRelativePath(Corpus.Root, path), bytes, headers));
        }
        return files;
    }

    private sealed record CorpusFile(string Name, byte[] Bytes, List<ElementHeader> Headers);

    private readonly record struct Outcome(Exception? Error, int TopLevelCount);
}
