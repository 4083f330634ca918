using System.Reflection;

namespace OrleansImaging.Dicom.Tests.Dictionary;

public sealed class DicomDictionaryTests
{
    private static readonly DicomDictionary Dictionary = DicomDictionary.Default;

    [Fact]
    public void TryGetEntry_PatientName_IsPersonNameSingleValued()
    {
        Assert.True(Dictionary.TryGetEntry(new DicomTag(0x0010, 0x0010), out var entry));

        Assert.Equal("PatientName", entry.Keyword);
        Assert.Equal([DicomVR.PN], entry.ValueRepresentations.ToArray());
        Assert.Equal("1", entry.ValueMultiplicity);
        Assert.False(entry.IsRetired);
        Assert.False(entry.IsRange);
        Assert.Null(entry.PrivateCreator);
    }

    [Fact]
    public void TryGetEntry_OverlayDataInGroup6002_ResolvesToRepeatingOverlayData()
    {
        Assert.True(Dictionary.TryGetEntry(new DicomTag(0x6002, 0x3000), out var entry));

        Assert.Equal("OverlayData", entry.Keyword);
        Assert.Equal(new DicomTag(0x6000, 0x3000), entry.Tag);
        Assert.True(entry.IsRange);
        Assert.Equal([DicomVR.OB, DicomVR.OW], entry.ValueRepresentations.ToArray());
        Assert.Equal("(6000-60FF,3000)", entry.Range.ToString());
    }

    [Fact]
    public void TryGetEntry_OddRepeatingGroup_IsNotOverlayData()
    {
        // (6001,3000) is in a private group: repeating groups 60xx are even only.
        Assert.False(Dictionary.TryGetEntry(new DicomTag(0x6001, 0x3000), out _));
    }

    [Fact]
    public void TryGetEntry_RetiredCurveGroup_ResolvesAndIsRetired()
    {
        Assert.True(Dictionary.TryGetEntry(new DicomTag(0x50FE, 0x0005), out var entry));

        Assert.Equal("CurveDimensions", entry.Keyword);
        Assert.True(entry.IsRetired);
    }

    [Fact]
    public void TryGetEntry_SourceImageIdsElementRange_Resolves()
    {
        Assert.True(Dictionary.TryGetEntry(new DicomTag(0x0020, 0x3142), out var entry));

        Assert.Equal("SourceImageIDs", entry.Keyword);
        Assert.Equal([DicomVR.CS], entry.ValueRepresentations.ToArray());
    }

    [Fact]
    public void TryGetEntry_PrivateGroupLength_IsGroupLengthUL()
    {
        Assert.True(Dictionary.TryGetEntry(new DicomTag(0x0011, 0x0000), out var entry));

        Assert.Equal("GroupLength", entry.Keyword);
        Assert.Equal(DicomVR.UL, entry.DefaultVR);
        Assert.Equal(DicomVR.UL, Dictionary.GetDefaultVR(new DicomTag(0x0011, 0x0000)));
    }

    [Fact]
    public void TryGetEntry_FileMetaGroupLength_IsItsOwnExactEntry()
    {
        Assert.True(Dictionary.TryGetEntry(new DicomTag(0x0002, 0x0000), out var entry));

        Assert.Equal("FileMetaInformationGroupLength", entry.Keyword);
        Assert.False(entry.IsRetired);
    }

    [Fact]
    public void TryGetEntry_PrivateCreatorElement_IsLongString()
    {
        Assert.True(Dictionary.TryGetEntry(new DicomTag(0x0029, 0x0011), out var entry));

        Assert.Equal("PrivateCreator", entry.Keyword);
        Assert.Equal(DicomVR.LO, entry.DefaultVR);
    }

    [Fact]
    public void TryGetEntry_PrivateDataElement_IsNotAStandardEntry()
    {
        Assert.False(Dictionary.TryGetEntry(new DicomTag(0x0029, 0x1010), out var entry));
        Assert.Null(entry);
    }

    [Fact]
    public void TryGetEntry_RetiredLengthToEnd_IsRetired()
    {
        Assert.True(Dictionary.TryGetEntry(new DicomTag(0x0008, 0x0001), out var entry));

        Assert.Equal("LengthToEnd", entry.Keyword);
        Assert.True(entry.IsRetired);
        Assert.Equal([DicomVR.UL], entry.ValueRepresentations.ToArray());
    }

    [Fact]
    public void TryGetEntry_ItemTag_HasNoVR()
    {
        Assert.True(Dictionary.TryGetEntry(DicomTag.Item, out var entry));

        Assert.Equal("Item", entry.Keyword);
        Assert.Empty(entry.ValueRepresentations);
        Assert.Equal(DicomVR.None, Dictionary.GetDefaultVR(DicomTag.SequenceDelimitationItem));
    }

    [Theory]
    [InlineData(0x7FE00010u, new[] { DicomVR.OB, DicomVR.OW })]
    [InlineData(0x00280106u, new[] { DicomVR.US, DicomVR.SS })]
    [InlineData(0x00283006u, new[] { DicomVR.US, DicomVR.SS, DicomVR.OW })]
    [InlineData(0x00041200u, new[] { DicomVR.UL })]
    [InlineData(0x00080005u, new[] { DicomVR.CS })]
    public void TryGetEntry_SpecialDcmtkVRCodes_MapToStandardVRs(uint tag, DicomVR[] expected)
    {
        Assert.True(Dictionary.TryGetEntry(new DicomTag(tag), out var entry));

        Assert.Equal(expected, entry.ValueRepresentations.ToArray());
    }

    [Fact]
    public void GetDefaultVR_UnknownStandardTag_IsUN()
    {
        Assert.Equal(DicomVR.UN, Dictionary.GetDefaultVR(new DicomTag(0x0008, 0x0002)));
    }

    [Fact]
    public void GetDefaultVR_PixelData_IsFirstOfObOrOw()
    {
        Assert.Equal(DicomVR.OB, Dictionary.GetDefaultVR(DicomTag.PixelData));
    }

    [Fact]
    public void TryGetByKeyword_PatientName_RoundTripsToTag()
    {
        Assert.True(Dictionary.TryGetByKeyword("PatientName", out var entry));

        Assert.Equal(DicomTag.PatientName, entry.Tag);
        Assert.Equal(new DicomTag(0x0010, 0x0010), entry.Tag);
    }

    [Fact]
    public void TryGetByKeyword_WrongCase_IsNotFound()
    {
        Assert.False(Dictionary.TryGetByKeyword("patientname", out _));
    }

    [Fact]
    public void TryGetByKeyword_EveryGeneratedTagConstant_ResolvesToItsOwnTag()
    {
        var fields = typeof(DicomTag).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.PropertyType == typeof(DicomTag))
            .ToList();
        Assert.True(fields.Count > 4000, $"only {fields.Count} tag constants");

        foreach (var field in fields)
        {
            var tag = (DicomTag)field.GetValue(null)!;
            Assert.True(Dictionary.TryGetByKeyword(field.Name, out var byKeyword), field.Name);
            Assert.Equal(tag, byKeyword.Tag);
            Assert.True(Dictionary.TryGetEntry(tag, out var byTag), field.Name);
            Assert.Same(byKeyword, byTag);
        }
    }

    [Fact]
    public void TryGetEntry_ExactStandardTag_AllocatesNothing()
    {
        var tags = new[] { DicomTag.PatientName, DicomTag.PixelData, new DicomTag(0x6002, 0x3000), new DicomTag(0x0011, 0x0000), new DicomTag(0x0009, 0x1001) };
        foreach (var tag in tags)
            Dictionary.TryGetEntry(tag, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            foreach (var tag in tags)
                Dictionary.TryGetEntry(tag, out _);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task Default_FromManyThreads_IsOneInstance()
    {
        var instances = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => DicomDictionary.Default)));

        Assert.All(instances, instance => Assert.Same(instances[0], instance));
    }
}
