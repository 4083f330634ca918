namespace OrleansImaging.Dicom.Tests.Dictionary;

public sealed class DicomTagRangeTests
{
    private static readonly DicomTagRange OverlayGroups = new(0x6000, 0x60FF, 2, 0x3000, 0x3000, 1);

    [Theory]
    [InlineData(0x6000u, true)]
    [InlineData(0x60FEu, true)]
    [InlineData(0x6001u, false)]
    [InlineData(0x6100u, false)]
    [InlineData(0x5FFEu, false)]
    public void Contains_EvenRepeatingGroup_AcceptsEvenGroupsInRangeOnly(uint group, bool expected)
    {
        Assert.Equal(expected, OverlayGroups.Contains(new DicomTag((ushort)group, 0x3000)));
    }

    [Fact]
    public void Contains_OtherElement_IsFalse()
    {
        Assert.False(OverlayGroups.Contains(new DicomTag(0x6000, 0x3001)));
    }

    [Fact]
    public void ToString_Range_ShowsBounds()
    {
        Assert.Equal("(6000-60FF,3000)", OverlayGroups.ToString());
        Assert.Equal("(0010,0010)", DicomTagRange.Single(DicomTag.PatientName).ToString());
    }

    [Fact]
    public void Constructor_ZeroStep_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DicomTagRange(0x6000, 0x60FF, 0, 0x3000, 0x3000, 1));
    }
}
