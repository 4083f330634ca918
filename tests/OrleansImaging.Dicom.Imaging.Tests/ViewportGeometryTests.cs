namespace OrleansImaging.Dicom.Imaging.Tests;

/// <summary>Viewport planning (PS3.18 8.3.5.1.3) and the crop/flip it implies.</summary>
public sealed class ViewportGeometryTests
{
    [Theory]
    [InlineData(200, 100, 64, 64, true, 64, 32)]
    [InlineData(100, 200, 64, 64, true, 32, 64)]
    [InlineData(512, 512, 128, 128, true, 128, 128)]
    [InlineData(50, 25, 128, 128, true, 128, 64)]
    [InlineData(50, 25, 128, 128, false, 50, 25)]
    [InlineData(300, 100, 1, 1, true, 1, 1)]
    [InlineData(640, 480, 100, 1000, true, 100, 75)]
    public void Plan_WidthHeightOnly_FitsKeepingAspect(int width, int height, int vw, int vh, bool upscale, int expectedWidth, int expectedHeight)
    {
        var plan = ViewportGeometry.Plan(width, height, new Viewport(vw, vh), upscale);

        Assert.Equal((expectedWidth, expectedHeight), (plan.OutputWidth, plan.OutputHeight));
        Assert.True(plan.OutputWidth <= vw && plan.OutputHeight <= vh);
        Assert.Equal((0, 0, width, height), (plan.Left, plan.Top, plan.RegionWidth, plan.RegionHeight));
    }

    [Fact]
    public void Plan_NoViewport_ImageAtItsOwnSize()
    {
        var plan = ViewportGeometry.Plan(64, 32, null, allowUpscale: true);

        Assert.True(plan.IsIdentity(64, 32));
    }

    [Fact]
    public void Plan_Region_CropsThenFits()
    {
        var plan = ViewportGeometry.Plan(512, 512, new Viewport(100, 100, new ViewportRegion(100, 50, 200, 100)), allowUpscale: true);

        Assert.Equal(new ViewportPlan(100, 50, 200, 100, false, false, 100, 50), plan);
    }

    [Fact]
    public void Plan_RegionWithoutExtent_RunsToTheEdge()
    {
        var plan = ViewportGeometry.Plan(512, 256, new Viewport(412, 206, new ViewportRegion(100, 50, null, null)), allowUpscale: true);

        Assert.Equal(new ViewportPlan(100, 50, 412, 206, false, false, 412, 206), plan);
    }

    [Fact]
    public void Crop_NegativeExtents_Mirrored()
    {
        // 3 × 2 image, values 0..5 row by row; sx = 3, sw = −3 mirrors the columns, sy = 2, sh = −2 the rows.
        var image = new DisplayImage(3, 2, 1, [0, 1, 2, 3, 4, 5]);
        var plan = ViewportGeometry.Plan(3, 2, new Viewport(3, 2, new ViewportRegion(3, 2, -3, -2)), allowUpscale: true);

        var cropped = ViewportGeometry.Crop(image, plan);

        Assert.True(plan.FlipHorizontal && plan.FlipVertical);
        Assert.Equal([5, 4, 3, 2, 1, 0], cropped.Pixels);
    }

    [Fact]
    public void Crop_RgbRegion_KeepsChannelsTogether()
    {
        var image = new DisplayImage(2, 1, 3, [1, 2, 3, 4, 5, 6]);
        var plan = ViewportGeometry.Plan(2, 1, new Viewport(1, 1, new ViewportRegion(1, 0, 1, 1)), allowUpscale: true);

        Assert.Equal([4, 5, 6], ViewportGeometry.Crop(image, plan).Pixels);
    }

    [Theory]
    [InlineData(-1, 0, 10, 10)]
    [InlineData(0, 0, 101, 10)]
    [InlineData(90, 0, 20, 10)]
    [InlineData(0, 0, 0, 10)]
    [InlineData(5, 0, -6, 10)]
    [InlineData(0, 101, null, null)]
    public void Plan_RegionOutsideImage_InvalidViewport(int x, int y, int? width, int? height)
    {
        var ex = Assert.Throws<DicomRenderException>(() => ViewportGeometry.Plan(100, 100, new Viewport(50, 50, new ViewportRegion(x, y, width, height)), allowUpscale: true));

        Assert.Equal(DicomRenderFailure.InvalidParameter, ex.Failure);
        Assert.Equal("viewport", ex.Parameter);
    }
}
