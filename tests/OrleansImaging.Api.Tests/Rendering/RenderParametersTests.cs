using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using OrleansImaging.Api.Rendering;
using OrleansImaging.Dicom.Imaging;

namespace OrleansImaging.Api.Tests.Rendering;

/// <summary>Every form of the window, viewport and quality parameters, accepted and refused.</summary>
public sealed class RenderParametersTests
{
    [Theory]
    [InlineData("40,400,linear", 40, 400, VoiLutFunction.Linear)]
    [InlineData("40,400", 40, 400, VoiLutFunction.Linear)]
    [InlineData("-600.5,1500,LINEAR_EXACT", -600.5, 1500, VoiLutFunction.LinearExact)]
    [InlineData("0,0.5,linear-exact", 0, 0.5, VoiLutFunction.LinearExact)]
    [InlineData("1e3,2e3,sigmoid", 1000, 2000, VoiLutFunction.Sigmoid)]
    [InlineData(" 40 , 400 , linear ", 40, 400, VoiLutFunction.Linear)]
    public void TryParseWindow_WellFormed_Parsed(string text, double center, double width, VoiLutFunction function)
    {
        Assert.True(RenderParameters.TryParseWindow(text, out var window, out var problem), problem);
        Assert.Equal(new VoiWindow(center, width, function), window);
    }

    [Theory]
    [InlineData("")]
    [InlineData("40")]
    [InlineData("40,400,linear,extra")]
    [InlineData("a,400")]
    [InlineData("40,b")]
    [InlineData("40,Infinity")]
    [InlineData("40,0.5,linear")]
    [InlineData("40,0,sigmoid")]
    [InlineData("40,-1,linear-exact")]
    [InlineData("40,400,gamma")]
    public void TryParseWindow_Malformed_ProblemNamesWindow(string text)
    {
        Assert.False(RenderParameters.TryParseWindow(text, out _, out var problem));
        Assert.StartsWith("window", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("64,32", 64, 32, null, null, null, null)]
    [InlineData("64,64,10,20,30,40", 64, 64, 10, 20, 30, 40)]
    [InlineData("64,64,,,,", 64, 64, 0, 0, null, null)]
    [InlineData("64,64,100,0,-50,", 64, 64, 100, 0, -50, null)]
    [InlineData("4096,1", 4096, 1, null, null, null, null)]
    public void TryParseViewport_WellFormed_Parsed(string text, int vw, int vh, int? sx, int? sy, int? sw, int? sh)
    {
        Assert.True(RenderParameters.TryParseViewport(text, out var viewport, out var problem), problem);
        Assert.Equal((vw, vh), (viewport!.Width, viewport.Height));
        Assert.Equal(sx is null ? null : new ViewportRegion(sx.Value, sy!.Value, sw, sh), viewport.Region);
    }

    [Theory]
    [InlineData("")]
    [InlineData("64")]
    [InlineData("64,64,1")]
    [InlineData("0,64")]
    [InlineData("64,-1")]
    [InlineData("4097,64")]
    [InlineData("6.5,64")]
    [InlineData("64,64,-1,0,10,10")]
    [InlineData("64,64,0,0,0,10")]
    [InlineData("64,64,x,0,10,10")]
    public void TryParseViewport_Malformed_ProblemNamesViewport(string text)
    {
        Assert.False(RenderParameters.TryParseViewport(text, out _, out var problem));
        Assert.StartsWith("viewport", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("100", 100)]
    [InlineData("75", 75)]
    public void TryParseQuality_InRange_Parsed(string text, int expected)
    {
        Assert.True(RenderParameters.TryParseQuality(text, out var quality, out _));
        Assert.Equal(expected, quality);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-5")]
    [InlineData("90.5")]
    [InlineData("")]
    public void TryParseQuality_OutOfRange_ProblemNamesQuality(string text)
    {
        Assert.False(RenderParameters.TryParseQuality(text, out _, out var problem));
        Assert.StartsWith("quality", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_NoParameters_Defaults()
    {
        Assert.True(RenderParameters.TryParse(new QueryCollection(), out var parameters, out _));
        Assert.Equal(new RenderParameters(null, null, 90), parameters);
    }

    [Fact]
    public void TryParse_RepeatedParameter_Refused()
    {
        var query = new QueryCollection(new Dictionary<string, StringValues> { ["quality"] = new(["10", "20"]) });

        Assert.False(RenderParameters.TryParse(query, out _, out var problem));
        Assert.StartsWith("quality", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_UnknownParameters_Ignored()
    {
        var query = new QueryCollection(new Dictionary<string, StringValues> { ["annotation"] = "patient", ["iccprofile"] = "no", ["quality"] = "50" });

        Assert.True(RenderParameters.TryParse(query, out var parameters, out _));
        Assert.Equal(50, parameters.Quality);
    }
}
