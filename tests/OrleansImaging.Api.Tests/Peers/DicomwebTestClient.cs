using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OrleansImaging.Api.Tests.Peers;

/// <summary>What a STOW-RS response said: its status, the SOP Instance UIDs kept and the failed ones with their reason.</summary>
public sealed record StowOutcome(HttpStatusCode Status, IReadOnlyList<string> Referenced, IReadOnlyList<(string? SopInstanceUid, int Reason)> Failed);

/// <summary>An instance as QIDO-RS lists it.</summary>
public sealed record ListedInstance(string StudyInstanceUid, string SeriesInstanceUid, string SopInstanceUid);

/// <summary>
/// The three DICOMweb transactions the peer and durability tests need, over any <see cref="HttpClient"/> whose base
/// address is the api's root (a process on a real socket, or the in-memory factory).
/// </summary>
public sealed class DicomwebTestClient(HttpClient http)
{
    /// <summary>PS3.18's Accept for "the instance as stored": any transfer syntax, i.e. no transcoding.</summary>
    public const string AcceptAsStored = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";

    /// <summary>STOW-RS <c>POST /dicomweb/studies</c> with one part per file.</summary>
    public async Task<StowOutcome> StoreAsync(IEnumerable<byte[]> files, CancellationToken cancellationToken = default)
    {
        using var content = MultipartRelated.Content(files);
        return await StoreAsync(content, cancellationToken);
    }

    /// <summary>STOW-RS <c>POST /dicomweb/studies</c> with a body the caller built.</summary>
    public async Task<StowOutcome> StoreAsync(HttpContent content, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsync("dicomweb/studies", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType != "application/dicom+json")
            return new StowOutcome(response.StatusCode, [], []);
        using var body = JsonDocument.Parse(text);
        var referenced = Items(body.RootElement, "00081199").Select(i => String(i, "00081155")!).ToList();
        var failed = Items(body.RootElement, "00081198").Select(i => (String(i, "00081155"), i.GetProperty("00081197").GetProperty("Value")[0].GetInt32())).ToList();
        return new StowOutcome(response.StatusCode, referenced, failed);
    }

    /// <summary>
    /// WADO-RS retrieve instance, asking for the object as stored; asserts a single <c>application/dicom</c> part and
    /// returns its bytes.
    /// </summary>
    public async Task<byte[]> RetrieveInstanceAsync(string study, string series, string instance, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"dicomweb/studies/{study}/series/{series}/instances/{instance}");
        request.Headers.Accept.ParseAdd(AcceptAsStored);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"WADO-RS {instance}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 500)))}");
        var contentType = response.Content.Headers.ContentType;
        Assert.NotNull(contentType);
        Assert.Equal("multipart/related", contentType.MediaType);
        Assert.Equal("application/dicom", contentType.Parameters.Single(p => p.Name.Equals("type", StringComparison.OrdinalIgnoreCase)).Value?.Trim('"'));
        var part = Assert.Single(MultipartRelated.Parse(contentType.ToString(), body));
        Assert.StartsWith("application/dicom", part.ContentType, StringComparison.OrdinalIgnoreCase);
        return part.Body;
    }

    /// <summary>QIDO-RS: every instance the caller may see, or those of <paramref name="study"/> (up to 1000).</summary>
    public async Task<IReadOnlyList<ListedInstance>> SearchInstancesAsync(string? study = null, CancellationToken cancellationToken = default)
    {
        var path = study is null ? "dicomweb/instances?limit=1000" : $"dicomweb/studies/{study}/instances?limit=1000";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"QIDO-RS {path}: {(int)response.StatusCode} {text}");
        using var body = JsonDocument.Parse(text);
        return [.. body.RootElement.EnumerateArray().Select(i => new ListedInstance(String(i, "0020000D")!, String(i, "0020000E")!, String(i, "00080018")!))];
    }

    private static IEnumerable<JsonElement> Items(JsonElement dataset, string tag) =>
        dataset.TryGetProperty(tag, out var sequence) && sequence.TryGetProperty("Value", out var items) ? items.EnumerateArray() : [];

    private static string? String(JsonElement dataset, string tag) =>
        dataset.TryGetProperty(tag, out var element) && element.TryGetProperty("Value", out var values) ? values[0].GetString() : null;
}
