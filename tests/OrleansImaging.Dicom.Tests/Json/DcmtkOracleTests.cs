using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using OrleansImaging.Dicom.Json;
using Xunit.Abstractions;

namespace OrleansImaging.Dicom.Tests.Json;

/// <summary>
/// dcm2json (dcmtk 3.6.7) as the oracle for our DICOM JSON: every file of the pydicom corpus through
/// both, compared as JSON trees. Differences are accepted only under the named normalizations of
/// <see cref="Dcm2JsonNormalizations"/>, each explained there and in docs/dicom.md.
/// </summary>
public sealed class DcmtkOracleTests(ITestOutputHelper output)
{
    private const string CompressedPixelDataRefusal = "InlineBinary encoding not supported for compressed pixel data";
    private const string CharacterSetRefusal = "Cannot open character encoding";
    private const string PixelData = "(7fe0,0010)";
    private const string SpecificCharacterSet = "(0008,0005)";

    /// <summary>
    /// Files dcmtk refuses and we read, each with the recovery the reader documents (docs/dicom.md and
    /// the reader's warnings). Any other file dcmtk refuses must make us throw a DicomException.
    /// </summary>
    private static readonly Dictionary<string, string> DocumentedRecoveries = new(StringComparer.Ordinal)
    {
        ["SC_rgb_jpeg.dcm"] = "declared JPEG Baseline (explicit VR) but encoded implicit VR; the reader reads it as encoded and warns",
    };

    private enum Kind { Exact, Normalized, RejectedByBoth, RecoveredByUs, Failed }

    private sealed record Outcome(string File, Kind Kind, string Note, IReadOnlyDictionary<string, int> RulesUsed, IReadOnlyList<string> Differences);

    [Fact]
    public async Task Dcm2json_EveryCorpusFile_SameTreeAfterNamedNormalizations()
    {
        Assert.True(DcmtkTools.IsInstalled("dcm2json") && DcmtkTools.IsInstalled("dcmodify"), "dcmtk is not installed; ./imaging test installs it.");
        var files = OracleCorpus.AllFiles().ToList();
        var outcomes = new ConcurrentBag<Outcome>();
        // Two at a time: the oracle runs on two cores, and each check is mostly waiting for dcm2json.
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (file, _) =>
        {
            try
            {
                outcomes.Add(await CheckAsync(file));
            }
            catch (Exception ex)
            {
                outcomes.Add(new Outcome(file, Kind.Failed, $"{ex.GetType().Name}: {ex.Message}", new Dictionary<string, int>(), []));
            }
        });

        var byKind = outcomes.GroupBy(o => o.Kind).ToDictionary(g => g.Key, g => g.OrderBy(o => o.File, StringComparer.Ordinal).ToList());
        List<Outcome> Of(Kind kind) => byKind.GetValueOrDefault(kind) ?? [];
        output.WriteLine($"{files.Count} files: {Of(Kind.Exact).Count} matched exactly, {Of(Kind.Normalized).Count} matched after normalization, "
            + $"{Of(Kind.RejectedByBoth).Count + Of(Kind.RecoveredByUs).Count} rejected by dcmtk ({Of(Kind.RejectedByBoth).Count} rejected by us too, "
            + $"{Of(Kind.RecoveredByUs).Count} read by us with a documented recovery), {Of(Kind.Failed).Count} failed.");
        var rules = outcomes.SelectMany(o => o.RulesUsed).GroupBy(p => p.Key).OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var rule in rules)
            output.WriteLine($"  normalization {rule.Key}: {rule.Sum(p => p.Value)} attributes in {rule.Count()} files");
        foreach (var outcome in outcomes.Where(o => o.Note.Length > 0 && o.Kind != Kind.Failed).OrderBy(o => o.File, StringComparer.Ordinal))
            output.WriteLine($"  {Name(outcome.File)}: {outcome.Kind}, {outcome.Note}");
        foreach (var failure in Of(Kind.Failed))
        {
            output.WriteLine($"FAILED {Name(failure.File)}: {failure.Note}");
            foreach (var difference in failure.Differences.Take(8))
                output.WriteLine($"    {difference}");
        }
        Assert.True(Of(Kind.Failed).Count == 0,
            $"{Of(Kind.Failed).Count} files differ from dcm2json: " + string.Join("; ", Of(Kind.Failed).Take(5).Select(f => $"{Name(f.File)}: {f.Note} {f.Differences.FirstOrDefault()}")));
    }

    private static async Task<Outcome> CheckAsync(string file)
    {
        DicomFile? ours = null;
        DicomException? ourError = null;
        try
        {
            ours = DicomFile.Open(file);
        }
        catch (DicomException ex)
        {
            ourError = ex;
        }

        // dcm2json refuses compressed pixel data and the ISO 2022 Japanese sets (Debian's build has no
        // iconv support for them); it then reads a copy without what it refused.
        var stripped = new List<string>();
        var dcmtk = await DcmtkTools.Dcm2JsonAsync(file);
        while (dcmtk.ExitCode != 0 && ours is not null && stripped.Count < 2)
        {
            var refused = dcmtk.StandardError.Contains(CompressedPixelDataRefusal, StringComparison.Ordinal) ? PixelData
                : dcmtk.StandardError.Contains(CharacterSetRefusal, StringComparison.Ordinal) ? SpecificCharacterSet
                : null;
            if (refused is null || stripped.Contains(refused))
                break;
            stripped.Add(refused);
            var copy = await DcmtkTools.ModifiedCopyAsync(file, [.. stripped.Select(DcmodifyArguments)]);
            try
            {
                dcmtk = await DcmtkTools.Dcm2JsonAsync(copy);
            }
            finally
            {
                File.Delete(copy);
            }
        }

        var name = Path.GetFileName(file);
        if (dcmtk.ExitCode != 0)
        {
            var reason = FirstError(dcmtk.StandardError);
            if (ours is null)
            {
                return string.IsNullOrWhiteSpace(ourError!.Message)
                    ? Failed(file, "we throw a DicomException without a message")
                    : new Outcome(file, Kind.RejectedByBoth, $"dcmtk: {reason} | ours: {ourError.Message}", new Dictionary<string, int>(), []);
            }
            return DocumentedRecoveries.TryGetValue(name, out var recovery)
                ? new Outcome(file, Kind.RecoveredByUs, $"dcmtk: {reason} | ours: {recovery}", new Dictionary<string, int>(), [])
                : Failed(file, $"dcmtk rejects it ({reason}) but we read it without a documented recovery");
        }
        if (ours is null)
            return Failed(file, $"dcm2json reads it but we throw: {ourError!.Message}");

        var options = new DicomJsonOptions
        {
            EncapsulatedPixelData = stripped.Contains(PixelData) ? DicomJsonEncapsulatedPixelData.Omit : DicomJsonEncapsulatedPixelData.Refuse,
        };
        var ourJson = (JsonObject)JsonNode.Parse(DicomJson.Serialize(ours.Dataset, options))!;
        var theirJson = (JsonObject)JsonNode.Parse(dcmtk.StandardOutput)!;
        if (stripped.Contains(PixelData))
            ourJson.Remove("7FE00010");
        var comparison = new JsonTreeComparison(Dcm2JsonNormalizations.For(UsesIso2022MultiByteSets(ours.Dataset), stripped.Count > 0));
        comparison.Compare(theirJson, ourJson);
        var problems = new List<string>(comparison.Differences);
        if (UsesIso2022MultiByteSets(ours.Dataset))
            problems.AddRange(JapaneseExpectations.Check(name, ours.Dataset));
        var note = stripped.Count == 0 ? "" : $"compared with a copy dcmodify changed: {string.Join(", ", stripped.Select(t => string.Join(' ', DcmodifyArguments(t))))}";
        if (problems.Count > 0)
            return new Outcome(file, Kind.Failed, note.Length > 0 ? note : "differs", comparison.RulesUsed, problems);
        return new Outcome(file, comparison.RulesUsed.Count == 0 ? Kind.Exact : Kind.Normalized, note, comparison.RulesUsed, []);
    }

    /// <summary>
    /// How the oracle's copy avoids what dcm2json refuses: compressed pixel data is erased (and left
    /// out of our JSON); the Japanese character sets are replaced by ISO_IR 100, which dcmtk can
    /// decode (escape sequences and all), so the rest of the file is still compared.
    /// </summary>
    private static string[] DcmodifyArguments(string refused) =>
        refused == PixelData ? ["-ea", PixelData] : ["-ma", $"{SpecificCharacterSet}=ISO_IR 100"];

    /// <summary>True when the data set or any item declares ISO 2022 IR 87 or 159 (Japanese kanji).</summary>
    private static bool UsesIso2022MultiByteSets(DicomDataset dataset) =>
        dataset.GetValues<string>(new DicomTag(0x0008, 0x0005)).Any(term => term is "ISO 2022 IR 87" or "ISO 2022 IR 159")
        || dataset.OfType<DicomSequence>().SelectMany(s => s.Items).Any(UsesIso2022MultiByteSets);

    private static Outcome Failed(string file, string note) => new(file, Kind.Failed, note, new Dictionary<string, int>(), []);

    private static string FirstError(string stderr) =>
        stderr.Split('\n').FirstOrDefault(l => l.StartsWith("F:", StringComparison.Ordinal) || l.StartsWith("E:", StringComparison.Ordinal))?.Trim() ?? stderr.Trim();

    private static string Name(string file) => Path.GetRelativePath(OracleCorpus.Root, file);
}
