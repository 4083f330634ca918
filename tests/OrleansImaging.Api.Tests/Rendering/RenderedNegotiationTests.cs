using Microsoft.Extensions.Primitives;
using OrleansImaging.Api.Apis;
using OrleansImaging.Api.Rendering;
using OrleansImaging.Dicom.Imaging;

namespace OrleansImaging.Api.Tests.Rendering;

/// <summary>Accept negotiation of rendered media types, and the choice of a thumbnail's instance.</summary>
public sealed class RenderedNegotiationTests
{
    [Theory]
    [InlineData(null, RenderedFormat.Jpeg)]
    [InlineData("", RenderedFormat.Jpeg)]
    [InlineData("image/png", RenderedFormat.Png)]
    [InlineData("IMAGE/PNG", RenderedFormat.Png)]
    [InlineData("image/jpeg", RenderedFormat.Jpeg)]
    [InlineData("image/*", RenderedFormat.Jpeg)]
    [InlineData("*/*", RenderedFormat.Jpeg)]
    [InlineData("image/png, image/jpeg", RenderedFormat.Png)]
    [InlineData("image/jpeg;q=0.5, image/png", RenderedFormat.Png)]
    [InlineData("application/dicom, image/png;q=0.1", RenderedFormat.Png)]
    public void Negotiate_Acceptable_Format(string? accept, RenderedFormat expected) =>
        Assert.Equal(expected, RenderedNegotiation.Negotiate(accept is null ? StringValues.Empty : new StringValues(accept), StringValues.Empty));

    [Theory]
    [InlineData("application/dicom")]
    [InlineData("image/gif")]
    [InlineData("image/jp2")]
    [InlineData("image/png;q=0")]
    [InlineData("text/html, application/pdf")]
    public void Negotiate_NothingServed_Null(string accept) =>
        Assert.Null(RenderedNegotiation.Negotiate(new StringValues(accept), StringValues.Empty));

    [Fact]
    public void Negotiate_AcceptQueryParameter_WinsOverHeader() =>
        Assert.Equal(RenderedFormat.Png, RenderedNegotiation.Negotiate(new StringValues("image/jpeg"), new StringValues("image/png")));

    [Fact]
    public void RepresentativeInstance_Series_MiddleByInstanceNumberAmongImages()
    {
        var json = Metadata(
            ("1.1", "1.1.5", 5, true),
            ("1.1", "1.1.1", 1, true),
            ("1.1", "1.1.9", 9, false), // an SR in the series: no Rows
            ("1.1", "1.1.3", 3, true),
            ("1.1", "1.1.4", 4, true),
            ("1.1", "1.1.2", 2, true));

        Assert.Equal(("1.1", "1.1.3"), DicomwebRenderedApi.RepresentativeInstance(json));
    }

    [Fact]
    public void RepresentativeInstance_Study_FirstSeriesWithImages()
    {
        var json = Metadata(("1.1", "1.1.1", 1, false), ("1.2", "1.2.2", 2, true), ("1.2", "1.2.1", 1, true), ("1.3", "1.3.1", 1, true));

        Assert.Equal(("1.2", "1.2.1"), DicomwebRenderedApi.RepresentativeInstance(json));
    }

    [Fact]
    public void RepresentativeInstance_NoImages_Null() =>
        Assert.Null(DicomwebRenderedApi.RepresentativeInstance(Metadata(("1.1", "1.1.1", 1, false))));

    private static byte[] Metadata(params (string Series, string Sop, int Number, bool Image)[] instances)
    {
        var items = instances.Select(i =>
            $"{{\"0020000E\":{{\"vr\":\"UI\",\"Value\":[\"{i.Series}\"]}},\"00080018\":{{\"vr\":\"UI\",\"Value\":[\"{i.Sop}\"]}},"
            + $"\"00200013\":{{\"vr\":\"IS\",\"Value\":[{i.Number}]}}"
            + (i.Image ? ",\"00280010\":{\"vr\":\"US\",\"Value\":[64]}" : "") + "}");
        return System.Text.Encoding.UTF8.GetBytes("[" + string.Join(",", items) + "]");
    }
}
