namespace OrleansImaging.Dicom.Imaging.Tests;

/// <summary>Where rescale and window come from: top level, or an enhanced object's functional groups.</summary>
public sealed class DisplayAttributesTests
{
    [Fact]
    public void FromDataset_TopLevel_FirstWindowAndRescale()
    {
        var dataset = new DicomDataset()
            .AddOrUpdate(DicomTag.RescaleSlope, "2").AddOrUpdate(DicomTag.RescaleIntercept, "-1024")
            .AddOrUpdate(DicomTag.WindowCenter, "40", "300").AddOrUpdate(DicomTag.WindowWidth, "400", "1500")
            .AddOrUpdate(DicomTag.VOILUTFunction, "SIGMOID").AddOrUpdate(DicomTag.NumberOfFrames, "3");

        var attributes = DisplayAttributes.FromDataset(dataset);

        Assert.Equal(new DisplayAttributes(2, -1024, new VoiWindow(40, 400, VoiLutFunction.Sigmoid), 3), attributes);
    }

    [Fact]
    public void FromDataset_Nothing_IdentityNoWindowOneFrame() =>
        Assert.Equal(DisplayAttributes.None, DisplayAttributes.FromDataset(new DicomDataset()));

    [Theory]
    [InlineData("0", "5", "1", "5")] // a slope of 0 would flatten the image: treated as 1
    [InlineData("abc", "x", "1", "0")]
    public void FromDataset_UnusableRescale_Identity(string slope, string intercept, string expectedSlope, string expectedIntercept)
    {
        var dataset = new DicomDataset().AddOrUpdate(DicomTag.RescaleSlope, slope).AddOrUpdate(DicomTag.RescaleIntercept, intercept);

        var attributes = DisplayAttributes.FromDataset(dataset);

        Assert.Equal((double.Parse(expectedSlope, System.Globalization.CultureInfo.InvariantCulture), double.Parse(expectedIntercept, System.Globalization.CultureInfo.InvariantCulture)),
            (attributes.RescaleSlope, attributes.RescaleIntercept));
    }

    [Fact]
    public void FromDataset_LinearWindowNarrowerThanOne_Ignored()
    {
        var dataset = new DicomDataset().AddOrUpdate(DicomTag.WindowCenter, "40").AddOrUpdate(DicomTag.WindowWidth, "0.5");

        Assert.Null(DisplayAttributes.FromDataset(dataset).Window);
    }

    [Fact]
    public void FromDataset_FunctionalGroups_PerFrameBeforeSharedBeforeTopLevel()
    {
        static DicomDataset Group(string? center, string? slope)
        {
            var group = new DicomDataset();
            if (center is not null)
                group.AddOrUpdate(DicomTag.FrameVOILUTSequence, new DicomDataset().AddOrUpdate(DicomTag.WindowCenter, center).AddOrUpdate(DicomTag.WindowWidth, "100"));
            if (slope is not null)
                group.AddOrUpdate(DicomTag.PixelValueTransformationSequence, new DicomDataset().AddOrUpdate(DicomTag.RescaleSlope, slope).AddOrUpdate(DicomTag.RescaleIntercept, "0"));
            return group;
        }
        var dataset = new DicomDataset()
            .AddOrUpdate(DicomTag.WindowCenter, "1").AddOrUpdate(DicomTag.WindowWidth, "100")
            .AddOrUpdate(DicomTag.SharedFunctionalGroupsSequence, Group(center: null, slope: "3"))
            .AddOrUpdate(DicomTag.PerFrameFunctionalGroupsSequence, Group("10", null), Group("20", "5"));

        var first = DisplayAttributes.FromDataset(dataset, frame: 1);
        var second = DisplayAttributes.FromDataset(dataset, frame: 2);
        var third = DisplayAttributes.FromDataset(dataset, frame: 3); // no item: shared, then top level

        Assert.Equal((10.0, 3.0), (first.Window!.Value.Center, first.RescaleSlope));
        Assert.Equal((20.0, 5.0), (second.Window!.Value.Center, second.RescaleSlope));
        Assert.Equal((1.0, 3.0), (third.Window!.Value.Center, third.RescaleSlope));
    }
}
