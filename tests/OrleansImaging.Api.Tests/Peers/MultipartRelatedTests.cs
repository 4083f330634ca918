using System.Text;

namespace OrleansImaging.Api.Tests.Peers;

/// <summary>The test-side multipart/related parser: the peer tests' byte comparisons are only as good as it is.</summary>
public sealed class MultipartRelatedTests
{
    [Fact]
    public async Task Parse_WhatHttpClientSends_EveryPartByteForByte()
    {
        byte[][] parts = [[0, 1, 2, 13, 10, 45, 45], [.. "\r\n--not the boundary\r\n"u8], []];
        using var content = MultipartRelated.Content(parts);

        var parsed = MultipartRelated.Parse(content.Headers.ContentType!.ToString(), await content.ReadAsByteArrayAsync());

        Assert.Equal(parts.Length, parsed.Count);
        for (var i = 0; i < parts.Length; i++)
        {
            Assert.Equal(parts[i], parsed[i].Body);
            Assert.Equal("application/dicom", parsed[i].ContentType);
        }
    }

    [Fact]
    public void Parse_PreambleQuotedBoundaryNoHeadersAndEpilogue_ReadsTheParts()
    {
        var body = Encoding.ASCII.GetBytes("preamble\r\n--b:1\r\nContent-Type: application/dicom\r\n\r\nfirst\r\n--b:1\r\n\r\nsecond\r\n--b:1--\r\nepilogue");

        var parsed = MultipartRelated.Parse("multipart/related; type=\"application/dicom\"; boundary=\"b:1\"", body);

        Assert.Equal(["first", "second"], parsed.Select(p => Encoding.ASCII.GetString(p.Body)));
        Assert.Null(parsed[1].ContentType);
    }

    [Theory]
    [InlineData("application/dicom", "--b\r\n\r\nx\r\n--b--")]
    [InlineData("multipart/related", "--b\r\n\r\nx\r\n--b--")]
    [InlineData("multipart/related; boundary=b", "--b\r\n\r\ntruncated")]
    [InlineData("multipart/related; boundary=b", "no boundary here")]
    public void Parse_NotAWellFormedMultipart_Throws(string contentType, string body) =>
        Assert.Throws<FormatException>(() => MultipartRelated.Parse(contentType, Encoding.ASCII.GetBytes(body)));
}
