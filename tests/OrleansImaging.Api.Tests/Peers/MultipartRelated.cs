using System.Net.Http.Headers;
using System.Text;

namespace OrleansImaging.Api.Tests.Peers;

/// <summary>One body part of a <c>multipart/related</c> message: its headers and its bytes, exactly as sent.</summary>
public sealed record MultipartPart(IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The part's Content-Type, or null when it has none.</summary>
    public string? ContentType => Headers.TryGetValue("Content-Type", out var value) ? value : null;
}

/// <summary>
/// <c>multipart/related; type="application/dicom"</c> (RFC 2387, PS3.18 8.6.1.2) for the tests: the STOW-RS request
/// body, and a parser for WADO-RS responses that keeps each part's bytes untouched, so a test can hash them. Written
/// here rather than borrowed from the server so the server cannot agree with itself about a malformed body.
/// </summary>
public static class MultipartRelated
{
    /// <summary>A STOW-RS body with one <c>application/dicom</c> part per file.</summary>
    public static MultipartContent Content(IEnumerable<byte[]> parts)
    {
        var content = new MultipartContent("related", "peers-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var part in parts)
        {
            var item = new ByteArrayContent(part);
            item.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            content.Add(item);
        }
        return content;
    }

    /// <summary>The parts of <paramref name="body"/>, whose Content-Type header was <paramref name="contentType"/>.</summary>
    /// <exception cref="FormatException">Not multipart/related, no boundary, or a body that does not follow RFC 2046.</exception>
    public static IReadOnlyList<MultipartPart> Parse(string contentType, byte[] body)
    {
        var mediaType = MediaTypeHeaderValue.Parse(contentType);
        if (!string.Equals(mediaType.MediaType, "multipart/related", StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"Not multipart/related: {contentType}");
        var boundary = mediaType.Parameters.FirstOrDefault(p => p.Name.Equals("boundary", StringComparison.OrdinalIgnoreCase))?.Value?.Trim('"');
        if (string.IsNullOrEmpty(boundary))
            throw new FormatException($"No boundary in {contentType}");

        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var span = body.AsSpan();
        // The first delimiter may follow a preamble; every later one is preceded by CRLF, which belongs to it.
        var first = span.IndexOf(delimiter);
        if (first < 0 || (first > 0 && !span[..first].EndsWith("\r\n"u8)))
            throw new FormatException("The body does not start with the boundary.");
        var position = first + delimiter.Length;
        var parts = new List<MultipartPart>();
        var nextDelimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        while (true)
        {
            if (span[position..].StartsWith("--"u8))
                return parts; // the close delimiter; an epilogue may follow
            position = SkipTransportPadding(span, position);
            if (!span[position..].StartsWith("\r\n"u8))
                throw new FormatException("A boundary line does not end with CRLF.");
            position += 2;
            var end = span[position..].IndexOf(nextDelimiter);
            if (end < 0)
                throw new FormatException("A part is not closed by a boundary (truncated body).");
            parts.Add(ReadPart(span.Slice(position, end)));
            position += end + nextDelimiter.Length;
        }
    }

    private static MultipartPart ReadPart(ReadOnlySpan<byte> part)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (part.StartsWith("\r\n"u8))
            return new MultipartPart(headers, part[2..].ToArray()); // no headers at all
        var headerEnd = part.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
            throw new FormatException("A part's headers do not end with an empty line.");
        foreach (var line in Encoding.ASCII.GetString(part[..headerEnd]).Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                throw new FormatException($"Not a header line: '{line}'");
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return new MultipartPart(headers, part[(headerEnd + 4)..].ToArray());
    }

    private static int SkipTransportPadding(ReadOnlySpan<byte> span, int position)
    {
        while (position < span.Length && span[position] is (byte)' ' or (byte)'\t')
            position++;
        return position;
    }
}
