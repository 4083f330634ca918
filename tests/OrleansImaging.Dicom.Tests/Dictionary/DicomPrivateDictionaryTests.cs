namespace OrleansImaging.Dicom.Tests.Dictionary;

public sealed class DicomPrivateDictionaryTests
{
    private static readonly DicomDictionary Dictionary = DicomDictionary.Default;

    [Fact]
    public void TryGetPrivateEntry_SiemensCsaHeaderInFirstBlock_Resolves()
    {
        Assert.True(Dictionary.TryGetPrivateEntry("SIEMENS CSA HEADER", new DicomTag(0x0029, 0x1010), out var entry));

        Assert.Equal("CSAImageHeaderInfo", entry.Keyword);
        Assert.Equal([DicomVR.OB], entry.ValueRepresentations.ToArray());
        Assert.Equal("SIEMENS CSA HEADER", entry.PrivateCreator);
    }

    [Fact]
    public void TryGetPrivateEntry_CreatorInAnotherBlock_MatchesOnLowByte()
    {
        // The creator at (0029,0012) owns (0029,12xx); the dictionary knows the element as "10".
        Assert.True(Dictionary.TryGetPrivateEntry("SIEMENS CSA HEADER", new DicomTag(0x0029, 0x1210), out var entry));

        Assert.Equal("CSAImageHeaderInfo", entry.Keyword);
    }

    [Fact]
    public void TryGetPrivateEntry_PaddedCreator_Resolves()
    {
        Assert.True(Dictionary.TryGetPrivateEntry("SIEMENS CSA HEADER ", new DicomTag(0x0029, 0x1008), out var entry));

        Assert.Equal("CSAImageHeaderType", entry.Keyword);
    }

    [Fact]
    public void TryGetPrivateEntry_OtherCreator_IsNotFound()
    {
        Assert.False(Dictionary.TryGetPrivateEntry("SIEMENS CSA NON-IMAGE X", new DicomTag(0x0029, 0x1010), out var entry));
        Assert.Null(entry);
    }

    [Fact]
    public void TryGetPrivateEntry_OtherGroup_IsNotFound()
    {
        Assert.False(Dictionary.TryGetPrivateEntry("SIEMENS CSA HEADER", new DicomTag(0x0031, 0x1010), out _));
    }

    [Fact]
    public void TryGetPrivateEntry_StandardTag_IsNotFound()
    {
        Assert.False(Dictionary.TryGetPrivateEntry("SIEMENS CSA HEADER", new DicomTag(0x0028, 0x1010), out _));
    }

    [Fact]
    public void TryGetPrivateEntry_SpecificElementEntry_MatchesExactly()
    {
        Assert.True(Dictionary.TryGetPrivateEntry("PHILIPS MR/PART", new DicomTag(0x0019, 0x100B), out var first));
        Assert.True(Dictionary.TryGetPrivateEntry("PHILIPS MR/PART", new DicomTag(0x0019, 0x1005), out var second));

        Assert.Equal("LROffcenter", first.Keyword);
        Assert.Equal("CCAngulation", second.Keyword);
        Assert.Equal([DicomVR.DS], second.ValueRepresentations.ToArray());
    }

    [Fact]
    public void TryGetPrivateEntry_RepeatingPrivateGroup_Resolves()
    {
        // (6001-o-60ff,"PAPYRUS 3.0",00) OverlayID.
        Assert.True(Dictionary.TryGetPrivateEntry("PAPYRUS 3.0", new DicomTag(0x6003, 0x1000), out var entry));

        Assert.Equal("OverlayID", entry.Keyword);
        Assert.Equal([DicomVR.IS], entry.ValueRepresentations.ToArray());
    }
}
