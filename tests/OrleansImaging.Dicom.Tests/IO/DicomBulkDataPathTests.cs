using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Tests.IO;

public sealed class DicomBulkDataPathTests
{
    [Theory]
    [InlineData("7FE00010")]
    [InlineData("00540016/0/00181072")]
    [InlineData("54000100/12/00081110/3/7FE00010")]
    public void TryParse_WhatTheJsonWriterMakes_RoundTrips(string text)
    {
        Assert.True(DicomBulkDataPath.TryParse(text, out var path));

        Assert.Equal(text, path.ToString());
    }

    [Fact]
    public void TryParse_NestedPath_StepsAndTag()
    {
        Assert.True(DicomBulkDataPath.TryParse("00540016/2/00181072", out var path));

        Assert.Equal(new DicomTag(0x0054, 0x0016), Assert.Single(path.Sequences).Sequence);
        Assert.Equal(2, path.Sequences[0].ItemIndex);
        Assert.Equal(new DicomTag(0x0018, 0x1072), path.Tag);
        Assert.Equal(new DicomTag(0x0054, 0x0016), path.TopLevelTag);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("7FE0001")]
    [InlineData("7FE000100")]
    [InlineData("(7FE0,0010)")]
    [InlineData("00540016/0")]
    [InlineData("00540016/x/00181072")]
    [InlineData("00540016/-1/00181072")]
    [InlineData("00540016/+1/00181072")]
    [InlineData("00540016/ 1/00181072")]
    [InlineData("/7FE00010")]
    [InlineData("7FE00010/")]
    [InlineData("00540016/99999999999/00181072")]
    [InlineData("..%2F7FE00010")]
    public void TryParse_AnythingElse_False(string? text)
    {
        Assert.False(DicomBulkDataPath.TryParse(text, out _));
    }

    [Fact]
    public void Find_ItemPastTheEnd_Null()
    {
        var dataset = new DicomDataset().Add(new DicomTag(0x0054, 0x0016), new DicomDataset().Add(new DicomTag(0x0018, 0x1072), "120000"));
        Assert.True(DicomBulkDataPath.TryParse("00540016/1/00181072", out var path));

        Assert.Null(path.Find(dataset));
    }
}
