using OrleansImaging.Dicom.Formatting;

namespace OrleansImaging.Dicom.Tests.Formatting;

public sealed class DicomDumpTests
{
    private static string[] Lines(DicomDataset dataset, DicomDumpOptions? options = null) =>
        new DicomDump(options).Format(dataset).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Format_StringElement_LineInDcmdumpLayout()
    {
        var dataset = new DicomDataset().Add(DicomTag.PatientName, DicomVR.PN, "Doe^John");

        // The value column is 40 wide, as in dcmdump.
        Assert.Equal(["(0010,0010) PN " + "[Doe^John]".PadRight(40) + " #   8, 1 PatientName"], Lines(dataset));
    }

    [Fact]
    public void Format_EmptyBinaryAndUidValues_ShowsThemAsDcmdumpDoes()
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.SOPClassUID, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2")
            .Add(DicomTag.StudyDate, DicomVR.DA, ReadOnlyMemory<byte>.Empty)
            .Add(DicomTag.Rows, DicomVR.US, (ushort)512)
            .Add(new DicomTag(0x0028, 0x0009), new DicomTag(0x0018, 0x1063));

        Assert.Equal(
        [
            "(0008,0016) UI =CTImageStorage                          #  26, 1 SOPClassUID",
            "(0008,0020) DA (no value available)                     #   0, 0 StudyDate",
            "(0028,0009) AT (0018,1063)                              #   4, 1 FrameIncrementPointer",
            "(0028,0010) US 512                                      #   2, 1 Rows",
        ], Lines(dataset));
    }

    [Fact]
    public void Format_Sequence_IndentsItemsAndWritesDelimiters()
    {
        var item = new DicomDataset().Add(DicomTag.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3.4");
        var dataset = new DicomDataset().Add(new DicomSequence(DicomTag.ReferencedStudySequence, item) { WasUndefinedLength = true });

        Assert.Equal(
        [
            "(0008,1110) SQ (Sequence with undefined length #=1)     # u/l, 1 ReferencedStudySequence",
            "  (fffe,e000) na (Item with undefined length #=1)         # u/l, 1 Item",
            "    (0008,1155) UI [1.2.3.4]                                #   8, 1 ReferencedSOPInstanceUID",
            "  (fffe,e00d) na (ItemDelimitationItem)                   #   0, 0 ItemDelimitationItem",
            "(fffe,e0dd) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem",
        ], Lines(dataset));
    }

    [Fact]
    public void Format_LongValues_CutAfterTheLastWholeValueThatFits()
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.ImageComments, DicomVR.LT, new string('x', 100))
            .Add(new DicomTag(0x7FE0, 0x0010), DicomVR.OW, new byte[64]);

        var lines = Lines(dataset);

        Assert.StartsWith("(0020,4000) LT [" + new string('x', 66) + "... # 100, 1 ImageComments", lines[0], StringComparison.Ordinal);
        Assert.Equal("(7fe0,0010) OW " + string.Join('\\', Enumerable.Repeat("0000", 13)) + "... #  64, 1 PixelData", lines[1]);
        Assert.Contains(new string('x', 100), new DicomDump(new DicomDumpOptions { MaxValueLength = null }).Format(dataset), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_EncapsulatedPixelData_ListsOffsetTableAndFragments()
    {
        var fragments = new DicomFragmentSequence(new DicomTag(0x7FE0, 0x0010), DicomVR.OB);
        fragments.Add(new DicomFragment(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }));
        var dataset = new DicomDataset().Add(fragments);

        Assert.Equal(
        [
            "(7fe0,0010) OB (PixelSequence #=2)                      # u/l, 1 PixelData",
            "  (fffe,e000) pi (no value available)                     #   0, 1 Item",
            "  (fffe,e000) pi " + "ff\\d8\\ff\\d9".PadRight(40) + " #   4, 1 Item",
            "(fffe,e0dd) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem",
        ], Lines(dataset));
    }

    [Fact]
    public void Write_EveryReadableCorpusFile_OneLinePerAttributeAndDelimiter()
    {
        var dumped = 0;
        foreach (var file in Json.OracleCorpus.AllFiles())
        {
            DicomFile dicom;
            try
            {
                dicom = DicomFile.Open(file);
            }
            catch (DicomException)
            {
                continue;
            }
            using var output = new StringWriter();
            new DicomDump().Write(output, dicom);
            var lines = output.ToString().Split('\n').Count(l => l.TrimStart().StartsWith('('));
            Assert.Equal(CountLines(dicom.FileMetaInformation) + CountLines(dicom.Dataset), lines);
            dumped++;
        }
        Assert.True(dumped > 150, $"only {dumped} corpus files were read");
    }

    private static int CountLines(DicomDataset dataset) => dataset.Sum(attribute => attribute switch
    {
        DicomSequence sequence => 2 + sequence.Items.Sum(item => 2 + CountLines(item)),
        DicomFragmentSequence fragments => 3 + fragments.Fragments.Count,
        _ => 1,
    });
}
