using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Tests.IO;

/// <summary>An explicit VR little endian file rewritten in another uncompressed syntax shows the same values in dcmdump.</summary>
public sealed class TranscodingPeerTests(TempFolder folder) : IClassFixture<TempFolder>
{
    [Theory]
    [InlineData("test_files/CT_small.dcm", "1.2.840.10008.1.2")]
    [InlineData("test_files/CT_small.dcm", "1.2.840.10008.1.2.2")]
    [InlineData("test_files/CT_small.dcm", "1.2.840.10008.1.2.1.99")]
    [InlineData("test_files/MR_small.dcm", "1.2.840.10008.1.2")]
    [InlineData("test_files/MR_small.dcm", "1.2.840.10008.1.2.2")]
    public async Task Save_ExplicitLittleEndianInOtherSyntax_DcmdumpShowsEqualValues(string file, string syntaxUid)
    {
        var syntax = DicomTransferSyntax.Lookup(syntaxUid);
        var original = Path.Combine(Corpus.Root, file);
        var source = DicomFile.Open(original);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, source.TransferSyntax);
        var ours = folder.For(file, "." + syntaxUid);
        await source.WithTransferSyntax(syntax).SaveAsync(ours);

        var expected = await Dcmdump.RunAsync(original);
        var actual = await Dcmdump.RunAsync(ours);

        Assert.True(Dcmdump.ReadCleanly(actual), $"dcmdump failed on {syntax.Name} rewrite of {file}:\n{actual.StandardError}");
        Assert.Contains($"# Used TransferSyntax: {DcmtkName(syntax)}", actual.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(Values(expected.StandardOutput, syntax), Values(actual.StandardOutput, syntax));
    }

    /// <summary>
    /// The data set lines minus the transfer syntax line. In implicit VR, dcmtk takes VRs from its
    /// dictionary, so private elements it does not know show as UN hex: those lines are compared
    /// by tag only there (their bytes are checked by our own round trip tests).
    /// </summary>
    private static List<string> Values(string output, DicomTransferSyntax syntax) =>
        Dcmdump.NormalizedDataset(output)
            .Where(line => !line.StartsWith("# Used TransferSyntax", StringComparison.Ordinal))
            .Select(line => !syntax.IsExplicitVR && IsPrivate(line) ? line.Trim()[..11] : line)
            .ToList();

    private static bool IsPrivate(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.Length > 5 && trimmed[0] == '(' && int.TryParse(trimmed.AsSpan(1, 4), System.Globalization.NumberStyles.HexNumber, null, out var group) && group % 2 == 1;
    }

    private static string DcmtkName(DicomTransferSyntax syntax) => syntax.Uid switch
    {
        "1.2.840.10008.1.2" => "Little Endian Implicit",
        "1.2.840.10008.1.2.2" => "Big Endian Explicit",
        _ => "Deflated Explicit VR Little Endian",
    };
}
