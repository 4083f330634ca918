using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using OrleansImaging.Contracts.Callers;
using Xunit.Abstractions;

namespace OrleansImaging.Api.Tests.Peers;

/// <summary>
/// Every file of the pydicom corpus that dcmtk reads and that names its study, series and instance goes in through
/// STOW-RS and comes back through WADO-RS byte for byte. dcmtk is the referee of "a DICOM file", not our own reader, so
/// a file we refuse that dcmtk reads is a visible, explained expectation here rather than a silent skip.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class CorpusRoundTripTests(ApiFactory factory, ITestOutputHelper output)
{
    /// <summary>
    /// Files dcmtk reads, with the three UIDs, that STOW-RS refuses — and why. The value is the PS3.4 GG failure reason.
    /// </summary>
    private static readonly Dictionary<string, (int Reason, string Why)> Refused = new(StringComparer.Ordinal)
    {
        // Explicit VR files whose Study, Series and SOP Instance UIDs are written with VR UN. dcmtk reads them as UN bytes
        // too; STOW-RS takes UIDs only from UI elements, so to it they have none: 0xA900, as for missing UIDs.
        ["test_files/rtdose_rle.dcm"] = (0xA900, "UIDs recorded as UN"),
        ["test_files/rtdose_rle_1frame.dcm"] = (0xA900, "UIDs recorded as UN"),
    };

    [Fact]
    public async Task StoreThenRetrieve_EveryCorpusFileDcmtkReads_ByteIdenticalOrAnExpectedRefusal()
    {
        var candidates = await ReadableWithUidsAsync();
        Assert.True(candidates.Count > 50, $"only {candidates.Count} corpus files qualified: is the corpus complete?");

        // The corpus holds one image in many encodings under one SOP Instance UID, and a store keeps the first object
        // of a UID and refuses different bytes under it (0x0111). So each file goes to a tenant where its UID is new.
        var tenants = new List<(DicomwebTestClient Client, HashSet<string> Sops)>();
        var outcomes = new Dictionary<string, StowOutcome>(StringComparer.Ordinal);
        var stored = new List<(string File, Uids Uids, DicomwebTestClient Client)>();
        foreach (var (file, uids) in candidates)
        {
            var slot = tenants.FirstOrDefault(t => !t.Sops.Contains(uids.Sop));
            if (slot.Client is null)
            {
                var tenant = $"corpus-{tenants.Count}";
                await factory.CreateTenantAsync(tenant);
                var (_, token) = await factory.CreateTokenAsync(tenant, Scopes.DicomwebRead, Scopes.DicomwebWrite);
                slot = (new DicomwebTestClient(factory.CreateClient(token)), new HashSet<string>(StringComparer.Ordinal));
                tenants.Add(slot);
            }
            slot.Sops.Add(uids.Sop);
            var outcome = await slot.Client.StoreAsync([await File.ReadAllBytesAsync(Path.Combine(PydicomCorpus.Root, file))]);
            outcomes[file] = outcome;
            if (outcome.Status == HttpStatusCode.OK)
                stored.Add((file, uids, slot.Client));
        }

        output.WriteLine($"{candidates.Count} of {PydicomCorpus.AllFiles().Count} corpus files qualify; {stored.Count} kept across {tenants.Count} tenants");
        var report = string.Join('\n', outcomes.Select(o => $"{o.Key}: {(int)o.Value.Status} {string.Join(',', o.Value.Failed.Select(f => $"0x{f.Reason:X4}"))}"));
        var refused = outcomes.Where(o => o.Value.Status != HttpStatusCode.OK).ToDictionary(o => o.Key, o => o.Value);
        Assert.True(Refused.Keys.Order(StringComparer.Ordinal).SequenceEqual(refused.Keys.Order(StringComparer.Ordinal)), "refused files differ from the expectations:\n" + report);
        foreach (var (file, outcome) in refused)
        {
            var (reason, why) = Refused[file];
            Assert.Equal(HttpStatusCode.Conflict, outcome.Status);
            var failed = Assert.Single(outcome.Failed);
            Assert.True(failed.Reason == reason, $"{file} ({why}): failure reason 0x{failed.Reason:X4}, expected 0x{reason:X4}");
        }
        foreach (var (file, outcome) in outcomes.Where(o => o.Value.Status == HttpStatusCode.OK))
            Assert.Equal(candidates[file].Sop, Assert.Single(outcome.Referenced));

        foreach (var (file, uids, client) in stored)
        {
            var original = await File.ReadAllBytesAsync(Path.Combine(PydicomCorpus.Root, file));
            var back = await client.RetrieveInstanceAsync(uids.Study, uids.Series, uids.Sop);
            Assert.True(SHA256.HashData(original).AsSpan().SequenceEqual(SHA256.HashData(back)), $"{file} came back different: {back.Length} bytes, stored {original.Length}");
        }
    }

    /// <summary>The three UIDs dcmtk read at the top level of a file.</summary>
    private sealed record Uids(string Study, string Series, string Sop);

    /// <summary>
    /// The corpus files <c>dcmdump</c> reads (exit code 0) and whose top-level data set has Study, Series and SOP Instance
    /// UIDs, with those UIDs as dcmtk reads them.
    /// </summary>
    private static async Task<SortedDictionary<string, Uids>> ReadableWithUidsAsync()
    {
        var files = PydicomCorpus.AllFiles();
        var results = new (int ExitCode, string Output)[files.Count];
        await Parallel.ForAsync(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (i, cancellationToken) =>
            results[i] = await DcmdumpAsync(Path.Combine(PydicomCorpus.Root, files[i]), cancellationToken));
        var readable = new SortedDictionary<string, Uids>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            if (results[i].ExitCode != 0)
                continue;
            // Top-level elements start the line; nested ones are indented.
            var values = TopLevelUid().Matches(results[i].Output).ToDictionary(m => m.Groups["tag"].Value, UidValue);
            if (values.TryGetValue("0020,000d", out var study) && values.TryGetValue("0020,000e", out var series) && values.TryGetValue("0008,0018", out var sop)
                && study.Length > 0 && series.Length > 0 && sop.Length > 0)
            {
                readable[files[i]] = new Uids(study, series, sop);
            }
        }
        return readable;
    }

    private static async Task<(int ExitCode, string Output)> DcmdumpAsync(string path, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dcmdump") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("+L"); // long values in full: a UID recorded as UN is printed as hex bytes
        start.ArgumentList.Add(path);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dcmdump did not start: ./imaging test installs dcmtk.");
        var dump = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await error;
        return (process.ExitCode, await dump);
    }

    /// <summary>A UID's value as dcmdump prints it: <c>UI [1.2.3]</c>, or <c>UN 31\2e\32…</c> when the file labels it UN.</summary>
    private static string UidValue(Match match) => match.Groups["vr"].Value == "UI"
        ? match.Groups["text"].Value.Trim()
        : System.Text.Encoding.ASCII.GetString(Convert.FromHexString(match.Groups["hex"].Value.Replace("\\", "", StringComparison.Ordinal))).TrimEnd('\0', ' ');

    [GeneratedRegex(@"^\((?<tag>0020,000d|0020,000e|0008,0018)\) (?:(?<vr>UI) \[(?<text>[^\]]*)\]|(?<vr>UN) (?<hex>[0-9a-f]{2}(?:\\[0-9a-f]{2})*) )", RegexOptions.Multiline)]
    private static partial Regex TopLevelUid();
}
