using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OrleansImaging.Api.Tests.Uploads;

/// <summary>
/// The tus 1.0 requests the tests send, written from the protocol text rather than shared with the server, so the two
/// cannot agree on a mistake.
/// </summary>
public static class TusTestClient
{
    /// <summary>A creation request for <paramref name="body"/> with its SHA-256 (or <paramref name="declaredSha256"/>).</summary>
    public static HttpRequestMessage Create(byte[] body, string contentType = "application/dicom", string? declaredSha256 = null, string? study = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/uploads");
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        var metadata = new List<string>
        {
            "sha256 " + B64(declaredSha256 ?? Convert.ToHexStringLower(SHA256.HashData(body))),
            "contentType " + B64(contentType),
            "filename " + B64("片子 1.dcm"),
        };
        if (study is not null)
            metadata.Add("study " + B64(study));
        request.Headers.Add("Upload-Metadata", string.Join(",", metadata));
        return request;
    }

    /// <summary>A PATCH of <paramref name="chunk"/> at <paramref name="offset"/>.</summary>
    public static HttpRequestMessage Patch(string location, long offset, HttpContent chunk, byte[]? checksumOf = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = chunk };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        chunk.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        if (checksumOf is not null)
            request.Headers.Add("Upload-Checksum", "sha256 " + Convert.ToBase64String(SHA256.HashData(checksumOf)));
        return request;
    }

    /// <summary>A PATCH of <paramref name="chunk"/> bytes.</summary>
    public static HttpRequestMessage Patch(string location, long offset, byte[] chunk, bool withChecksum = false) =>
        Patch(location, offset, new ByteArrayContent(chunk), withChecksum ? chunk : null);

    /// <summary>A HEAD of the upload.</summary>
    public static HttpRequestMessage Head(string location)
    {
        var request = new HttpRequestMessage(HttpMethod.Head, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    /// <summary>A termination request.</summary>
    public static HttpRequestMessage Delete(string location)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    /// <summary>The value of response header <paramref name="name"/>, or null.</summary>
    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>Upload-Offset of a response.</summary>
    public static long Offset(HttpResponseMessage response) =>
        long.Parse(Header(response, "Upload-Offset") ?? throw new InvalidOperationException("No Upload-Offset."), CultureInfo.InvariantCulture);

    /// <summary>A STOW-RS style body of <paramref name="parts"/> and its content type.</summary>
    public static (byte[] Body, string ContentType) Multipart(params byte[][] parts)
    {
        var boundary = "tus-" + Guid.NewGuid().ToString("N");
        using var body = new MemoryStream();
        foreach (var part in parts)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n"));
            body.Write(part);
            body.Write("\r\n"u8);
        }
        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        return (body.ToArray(), $"multipart/related; type=\"application/dicom\"; boundary={boundary}");
    }

    private static string B64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
}
