using Microsoft.Extensions.Primitives;
using OrleansImaging.Api.Dicomweb;

namespace OrleansImaging.Api.Tests.Dicomweb;

public sealed class RetrieveNegotiationTests
{
    private const string Stored = "1.2.840.10008.1.2.4.50";

    [Theory]
    [InlineData(null, RetrieveForm.Multipart)]
    [InlineData("", RetrieveForm.Multipart)]
    [InlineData("*/*", RetrieveForm.Multipart)]
    [InlineData("multipart/*", RetrieveForm.Multipart)]
    [InlineData("multipart/related", RetrieveForm.Multipart)]
    [InlineData("multipart/related; type=\"application/octet-stream\"", RetrieveForm.Multipart)]
    [InlineData("multipart/related; type=application/octet-stream; transfer-syntax=*", RetrieveForm.Multipart)]
    [InlineData("multipart/related;type=\"application/octet-stream\";transfer-syntax=1.2.840.10008.1.2.4.50", RetrieveForm.Multipart)]
    [InlineData("application/octet-stream", RetrieveForm.SinglePart)]
    [InlineData("application/*", RetrieveForm.SinglePart)]
    [InlineData("application/octet-stream, multipart/related; type=\"application/octet-stream\"", RetrieveForm.Multipart)]
    [InlineData("application/octet-stream; q=1, multipart/related; type=\"application/octet-stream\"; q=0.2", RetrieveForm.Multipart)]
    [InlineData("multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1, application/octet-stream", RetrieveForm.SinglePart)]
    [InlineData("image/jpeg, */*; q=0.5", RetrieveForm.Multipart)]
    public void Negotiate_Acceptable_Form(string? accept, RetrieveForm expected)
    {
        var outcome = Negotiate(accept);

        Assert.Equal(expected, outcome.Form);
        Assert.Null(outcome.Refusal);
    }

    [Theory]
    [InlineData("multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1", "transcoding")]
    [InlineData("multipart/related; type=\"application/dicom\"", "multipart/related; type=\"application/octet-stream\"")]
    [InlineData("image/jpeg", "multipart/related")]
    [InlineData("*/*; q=0", "multipart/related")]
    [InlineData("application/octet-stream; q=0, multipart/related; q=0", "multipart/related")]
    [InlineData("application/octet-stream; q=abc", "names no media range")]
    [InlineData("not a media type", "names no media range")]
    public void Negotiate_NothingAcceptable_RefusalSaysWhy(string accept, string detail)
    {
        var outcome = Negotiate(accept);

        Assert.Null(outcome.Form);
        Assert.Contains(detail, outcome.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Negotiate_SinglePartNotAllowed_OnlyMultipart()
    {
        var outcome = RetrieveNegotiation.Negotiate(new StringValues("application/dicom"), "application/dicom", singlePartAllowed: false, _ => true, Stored);

        Assert.Null(outcome.Form);
    }

    [Fact]
    public void Negotiate_RefusedSyntax_NamesTheStoredOne()
    {
        var outcome = Negotiate("multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1");

        Assert.Contains(Stored, outcome.Refusal, StringComparison.Ordinal);
    }

    private static RetrieveNegotiation.Outcome Negotiate(string? accept) =>
        RetrieveNegotiation.Negotiate(accept is null ? StringValues.Empty : new StringValues(accept), "application/octet-stream", singlePartAllowed: true, s => s == Stored, Stored);
}
