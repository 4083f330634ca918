namespace OrleansImaging.Dicom.Tests.IO;

/// <summary>
/// Every file of the pydicom corpus, rewritten by our writer in its own transfer syntax, must read
/// in dcmtk exactly as the original does, and must not give dciodvfy anything new to complain about.
/// Files our reader refuses (not DICOM) and files dcmdump cannot read are out of scope.
/// </summary>
public sealed class DcmdumpPeerTests(TempFolder folder) : IClassFixture<TempFolder>
{
    /// <summary>
    /// Files whose rewrite legitimately dumps differently, and why. Each entry is a known limitation,
    /// not a normalization: dcmdump must still read the file cleanly.
    /// </summary>
    private static readonly Dictionary<string, string> KnownDifferences = new(StringComparer.Ordinal)
    {
    };

    public static TheoryData<string> CorpusFiles => Corpus.FileData();

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public async Task Save_CorpusFile_DcmdumpShowsTheSameDataset(string file)
    {
        var dicom = Corpus.TryOpen(file);
        if (dicom is null)
            return;
        var original = Path.Combine(Corpus.Root, file);
        var expected = await Dcmdump.RunAsync(original);
        if (!Dcmdump.ReadCleanly(expected))
            return;
        var ours = folder.For(file);
        await dicom.SaveAsync(ours);

        var actual = await Dcmdump.RunAsync(ours);

        Assert.True(Dcmdump.ReadCleanly(actual), $"dcmdump failed on our rewrite of {file} (exit {actual.ExitCode}):\n{actual.StandardError}");
        if (KnownDifferences.ContainsKey(file))
            return;
        var expectedLines = Dcmdump.NormalizedDataset(expected.StandardOutput);
        var actualLines = Dcmdump.NormalizedDataset(actual.StandardOutput);
        var firstDifference = Enumerable.Range(0, Math.Min(expectedLines.Count, actualLines.Count)).FirstOrDefault(i => expectedLines[i] != actualLines[i], -1);
        Assert.True(firstDifference < 0 && expectedLines.Count == actualLines.Count,
            firstDifference < 0
                ? $"{file}: dcmdump shows {expectedLines.Count} lines for the original but {actualLines.Count} for ours"
                : $"{file}: line {firstDifference} differs.\noriginal: {expectedLines[firstDifference]}\nours:     {actualLines[firstDifference]}");
    }

    [Fact]
    public void Corpus_Present_HasManyDicomFilesToCompare()
    {
        var readable = Corpus.Files().Count(file => Corpus.TryOpen(file) is not null);

        Assert.True(readable >= 150, $"Only {readable} DICOM files found under {Corpus.Root}; the peer tests would prove little.");
    }
}

/// <summary>dciodvfy (dicom3tools) finds no more errors in our rewrite than in the original.</summary>
public sealed class DciodvfyPeerTests(TempFolder folder) : IClassFixture<TempFolder>
{
    public static TheoryData<string> CorpusFiles => Corpus.FileData();

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public async Task Save_CorpusFile_DciodvfyFindsNoNewErrors(string file)
    {
        var dicom = Corpus.TryOpen(file);
        if (dicom is null)
            return;
        var original = Path.Combine(Corpus.Root, file);
        if (!Dcmdump.ReadCleanly(await Dcmdump.RunAsync(original)))
            return;
        var ours = folder.For(file);
        dicom.Save(ours);

        var expected = Errors(await ExternalTool.RunAsync("dciodvfy", original));
        var actual = Errors(await ExternalTool.RunAsync("dciodvfy", ours));

        var added = actual.Except(expected).ToList();
        Assert.True(actual.Count <= expected.Count,
            $"{file}: dciodvfy reports {actual.Count} errors for our rewrite, {expected.Count} for the original. New:\n{string.Join('\n', added)}");
    }

    private static List<string> Errors(ExternalTool.Result result) =>
        (result.StandardOutput + "\n" + result.StandardError).Split('\n').Where(line => line.StartsWith("Error", StringComparison.Ordinal)).ToList();
}

/// <summary>Our reader reads our rewrite of every corpus file back to the same elements and values.</summary>
public sealed class DicomWriterCorpusTests
{
    public static TheoryData<string> CorpusFiles => Corpus.FileData();

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public async Task SaveAsync_CorpusFile_ReadsBackEqual(string file)
    {
        var dicom = Corpus.TryOpen(file);
        if (dicom is null)
            return;
        using var stream = new MemoryStream();
        await dicom.SaveAsync(stream);

        var reread = DicomFile.Parse(stream.ToArray());

        Assert.Equal(dicom.TransferSyntax, reread.TransferSyntax);
        if (IsDirectory(dicom))
            return; // offsets are rewritten on purpose; DicomDirectoryOffsetsTests covers them
        DatasetAssert.Equal(dicom.Dataset, reread.Dataset, compareVR: dicom.TransferSyntax.IsExplicitVR);
    }

    private static bool IsDirectory(DicomFile file) => file.Dataset.Contains(new DicomTag(0x0004, 0x1220));
}
