namespace OrleansImaging.Dicom.Tests;

public sealed class DicomTagTests
{
    [Theory]
    [InlineData("(0010,0010)")]
    [InlineData("0010,0010")]
    [InlineData("00100010")]
    [InlineData(" (0010,0010) ")]
    public void Parse_EachForm_GivesTheTag(string text) => Assert.Equal(DicomTag.PatientName, DicomTag.Parse(text));

    [Theory]
    [InlineData("(0010,001G)")]
    [InlineData("0010")]
    [InlineData("")]
    public void TryParse_Invalid_ReturnsFalse(string text) => Assert.False(DicomTag.TryParse(text, out _));

    [Fact]
    public void ToString_FormatsUpperHex() => Assert.Equal("(7FE0,0010)", DicomTag.PixelData.ToString());

    [Fact]
    public void PrivateCreatorTag_PrivateElement_GivesItsCreatorSlot()
    {
        var tag = new DicomTag(0x0029, 0x1010);

        Assert.True(tag.IsPrivate);
        Assert.Equal(new DicomTag(0x0029, 0x0010), tag.PrivateCreatorTag);
        Assert.True(new DicomTag(0x0029, 0x0010).IsPrivateCreator);
        Assert.False(DicomTag.PatientName.IsPrivate);
    }

    [Theory]
    [InlineData("OB", true)]
    [InlineData("UC", true)]
    [InlineData("OV", true)]
    [InlineData("PN", false)]
    [InlineData("US", false)]
    public void HasLongExplicitLength_FollowsTable71(string code, bool expected) =>
        Assert.Equal(expected, DicomVRExtensions.ParseVR(code).HasLongExplicitLength());

    [Fact]
    public void ParseVR_Unknown_GivesNone() => Assert.Equal(DicomVR.None, DicomVRExtensions.ParseVR("XX"));
}
