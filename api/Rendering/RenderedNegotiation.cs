using Microsoft.Extensions.Primitives;
using OrleansImaging.Api.Dicomweb;
using OrleansImaging.Dicom.Imaging;

namespace OrleansImaging.Api.Rendering;

/// <summary>
/// Content negotiation for rendered resources (PS3.18 8.7.4, rendered media types): image/jpeg (the default, also for
/// <c>*/*</c> and <c>image/*</c>) or image/png. Media ranges are tried by quality, ties in the order given; q=0 refuses.
/// The <c>accept</c> query parameter (PS3.18 8.3.3.1), when present, is used instead of the Accept header.
/// </summary>
public static class RenderedNegotiation
{
    /// <summary>The format to answer with, or null when nothing acceptable is served (406).</summary>
    public static RenderedFormat? Negotiate(StringValues acceptHeader, StringValues acceptQuery)
    {
        var accept = StringValues.IsNullOrEmpty(acceptQuery) ? acceptHeader : acceptQuery;
        if (StringValues.IsNullOrEmpty(accept) || accept.All(string.IsNullOrWhiteSpace))
            return RenderedFormat.Jpeg;
        var ranges = MediaRange.ParseList(accept);
        // OrderByDescending is stable: equal qualities keep the client's order.
        foreach (var range in ranges.Where(r => r.Quality > 0).OrderByDescending(r => r.Quality))
        {
            var media = range.MediaType.ToLowerInvariant();
            if (media is "image/jpeg" or "image/*" or "*/*")
                return RenderedFormat.Jpeg;
            if (media is "image/png")
                return RenderedFormat.Png;
        }
        return null;
    }

    /// <summary>The 406 detail.</summary>
    public const string Refusal = "Rendered images are served as image/jpeg (the default) or image/png.";
}
