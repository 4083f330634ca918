using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace OrleansImaging.Api.Dicomweb;

/// <summary>How a retrieve response is framed.</summary>
public enum RetrieveForm
{
    /// <summary><c>multipart/related; type="…"</c>, one part per object, value or frame.</summary>
    Multipart,

    /// <summary>The part's media type alone (only offered where PS3.18 allows it, e.g. bulk data).</summary>
    SinglePart,
}

/// <summary>
/// Content negotiation for WADO-RS (PS3.18 8.7): a client may leave Accept out or ask for <c>*/*</c>,
/// <c>multipart/*</c> or <c>multipart/related</c> with the part type we serve, with no transfer syntax,
/// <c>transfer-syntax=*</c>, a syntax we can serve as stored, or (where the caller offers transcoding) a syntax we
/// can transcode to. Media ranges are tried by quality (q=0 refuses), in the client's order among equals;
/// multipart wins when both framings are acceptable, so single-part answers only a client that asks only for it.
/// No transfer syntax means as stored.
/// </summary>
public static class RetrieveNegotiation
{
    /// <summary>The outcome: a framing, or why none of the client's media ranges can be served.</summary>
    /// <param name="Form">The framing, when acceptable.</param>
    /// <param name="Refusal">Why nothing is acceptable (for a 406 detail), when <paramref name="Form"/> is null.</param>
    /// <param name="TranscodeTo">The transfer syntax to transcode to, when the chosen media range needs transcoding; null for as stored.</param>
    public readonly record struct Outcome(RetrieveForm? Form, string? Refusal, string? TranscodeTo = null);

    /// <summary>Chooses the framing for <paramref name="accept"/>.</summary>
    /// <param name="accept">The request's Accept header values.</param>
    /// <param name="partType">The media type of each part, e.g. <c>application/dicom</c>.</param>
    /// <param name="singlePartAllowed">Whether <paramref name="partType"/> alone may be answered without multipart.</param>
    /// <param name="canServe">Whether a transfer syntax a client names can be served without transcoding.</param>
    /// <param name="stored">The stored transfer syntax(es), for the refusal.</param>
    /// <param name="canTranscode">Whether a transfer syntax a client names can be produced by transcoding; null when this resource is served only as stored.</param>
    public static Outcome Negotiate(StringValues accept, string partType, bool singlePartAllowed, Func<string, bool> canServe, string stored, Func<string, bool>? canTranscode = null)
    {
        if (StringValues.IsNullOrEmpty(accept) || accept.All(string.IsNullOrWhiteSpace))
            return new Outcome(RetrieveForm.Multipart, null);
        var ranges = MediaRange.ParseList(accept);
        if (ranges.Count == 0)
            return new Outcome(null, "The Accept header names no media range.");
        string? refusedSyntax = null;
        Outcome? best = null;
        // OrderByDescending is a stable sort: among equal qualities the client's order decides.
        foreach (var range in ranges.Where(r => r.Quality > 0).OrderByDescending(r => r.Quality))
        {
            if (FormOf(range, partType, singlePartAllowed) is not { } form)
                continue;
            var syntax = range.Parameter("transfer-syntax");
            string? transcodeTo = null;
            if (syntax is not null && syntax != "*" && !canServe(syntax))
            {
                if (canTranscode is null || !canTranscode(syntax))
                {
                    refusedSyntax ??= syntax;
                    continue;
                }
                transcodeTo = syntax;
            }
            if (form == RetrieveForm.Multipart)
                return new Outcome(RetrieveForm.Multipart, null, transcodeTo);
            best ??= new Outcome(form, null, transcodeTo);
        }
        if (best is { } chosen)
            return chosen;
        if (refusedSyntax is not null)
        {
            return new Outcome(null, canTranscode is null
                ? $"Transfer syntax {refusedSyntax} would need transcoding, which this resource does not offer; stored as {stored}. "
                    + "Ask for transfer-syntax=* (or the stored syntax) to get the data as stored."
                : $"Transfer syntax {refusedSyntax} is not one this server produces by transcoding from {stored}. "
                    + "Ask for transfer-syntax=* (or the stored syntax) to get the data as stored.");
        }
        return new Outcome(null, singlePartAllowed
            ? $"This resource is served as multipart/related; type=\"{partType}\" or as {partType}."
            : $"This resource is served as multipart/related; type=\"{partType}\".");
    }

    private static RetrieveForm? FormOf(MediaRange range, string partType, bool singlePartAllowed)
    {
        var media = range.MediaType;
        if (media is "*/*" || media.Equals("multipart/*", StringComparison.OrdinalIgnoreCase))
            return RetrieveForm.Multipart;
        if (media.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
        {
            var type = range.Parameter("type");
            return type is null || type.Equals(partType, StringComparison.OrdinalIgnoreCase) ? RetrieveForm.Multipart : null;
        }
        if (singlePartAllowed && (media.Equals(partType, StringComparison.OrdinalIgnoreCase)
            || (media.Equals("application/*", StringComparison.OrdinalIgnoreCase) && partType.StartsWith("application/", StringComparison.OrdinalIgnoreCase))))
        {
            return RetrieveForm.SinglePart;
        }
        return null;
    }
}

/// <summary>
/// One media range of an Accept header. Parsed leniently on purpose: DICOMweb clients commonly send
/// <c>type=application/dicom</c> unquoted, which RFC 9110's token grammar (and ASP.NET Core's parser) refuses.
/// </summary>
/// <param name="MediaType">The media type or range, e.g. <c>multipart/related</c> or <c>*/*</c>.</param>
/// <param name="Parameters">Its parameters other than q, names lower-cased, values unquoted.</param>
/// <param name="Quality">The q value, 1 when absent.</param>
public sealed record MediaRange(string MediaType, IReadOnlyDictionary<string, string> Parameters, double Quality)
{
    /// <summary>The value of a parameter, or null.</summary>
    public string? Parameter(string name) => Parameters.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    /// <summary>Every well-formed media range of the header values; malformed ranges are left out.</summary>
    public static List<MediaRange> ParseList(StringValues values)
    {
        var ranges = new List<MediaRange>();
        foreach (var value in values)
        {
            foreach (var text in SplitOutsideQuotes(value ?? "", ','))
            {
                if (Parse(text) is { } range)
                    ranges.Add(range);
            }
        }
        return ranges;
    }

    private static MediaRange? Parse(string text)
    {
        var pieces = SplitOutsideQuotes(text, ';');
        var media = pieces[0].Trim();
        var slash = media.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == media.Length - 1 || media.Any(char.IsWhiteSpace))
            return null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var quality = 1.0;
        foreach (var piece in pieces.Skip(1))
        {
            var equals = piece.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                continue;
            var name = piece[..equals].Trim().ToLowerInvariant();
            var parameter = piece[(equals + 1)..].Trim();
            if (parameter.Length >= 2 && parameter[0] == '"' && parameter[^1] == '"')
                parameter = parameter[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal);
            if (name == "q")
            {
                if (!double.TryParse(parameter, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out quality) || quality > 1)
                    return null;
                continue;
            }
            parameters[name] = parameter;
        }
        return new MediaRange(media, parameters, quality);
    }

    private static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var pieces = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"' && (i == 0 || text[i - 1] != '\\'))
                quoted = !quoted;
            else if (text[i] == separator && !quoted)
            {
                pieces.Add(text[start..i]);
                start = i + 1;
            }
        }
        pieces.Add(text[start..]);
        return pieces;
    }
}
