using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

public sealed class DicomServerOptionsTests
{
    [Theory]
    [InlineData("", 0u, 1)]
    [InlineData("SEVENTEEN-CHARS-X", 0u, 1)]
    [InlineData("EDGE", 512u, 1)]
    [InlineData("EDGE", 0u, 0)]
    public void DicomServerOptions_OutOfRange_RefusedAtStart(string aeTitle, uint maxPdu, int maxAssociations)
    {
        var options = new DicomServerOptions { AeTitle = aeTitle, MaxPduLength = maxPdu, MaxAssociations = maxAssociations };

        Assert.ThrowsAny<ArgumentException>(() => new DicomServer(options, null));
    }

    [Fact]
    public void DicomServerOptions_Defaults_AreValid()
    {
        var options = new DicomServerOptions();

        options.Validate();
        Assert.Equal(DicomStorageSopClasses.DefaultStorage.Count + 1, options.AbstractSyntaxes.Count);
        Assert.Equal((64u * 1024, TimeSpan.FromSeconds(30)), (options.MaxPduLength, options.ArtimTimeout));
    }
}
