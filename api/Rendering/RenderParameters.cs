using System.Globalization;
using Microsoft.Extensions.Primitives;
using OrleansImaging.Dicom.Imaging;

namespace OrleansImaging.Api.Rendering;

/// <summary>
/// The query parameters of a rendered or thumbnail resource (PS3.18 8.3.5.1): <c>window=center,width[,function]</c>,
/// <c>viewport=vw,vh[,sx,sy,sw,sh]</c> and <c>quality=1..100</c>. Other parameters (annotation, iccprofile, charset) are
/// ignored: nothing is burnt in and no ICC profile is attached. A malformed value is refused with a detail naming it.
/// </summary>
/// <param name="Window">The window asked for, or null.</param>
/// <param name="Viewport">The viewport asked for, or null.</param>
/// <param name="Quality">The JPEG quality.</param>
public sealed record RenderParameters(VoiWindow? Window, Viewport? Viewport, int Quality)
{
    /// <summary>The largest vw or vh accepted: a viewport enlarges the image, so it bounds the memory one render may take.</summary>
    public const int MaxViewportSide = 4096;

    /// <summary>Parses the parameters; on failure <paramref name="problem"/> names the parameter and what is wrong.</summary>
    public static bool TryParse(IQueryCollection query, out RenderParameters parameters, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(query);
        parameters = new RenderParameters(null, null, RenderRequest.DefaultQuality);
        problem = null;
        VoiWindow? window = null;
        Viewport? viewport = null;
        var quality = RenderRequest.DefaultQuality;
        if (Single(query, "window", ref problem) is { } windowText && !TryParseWindow(windowText, out window, out problem))
            return false;
        if (problem is null && Single(query, "viewport", ref problem) is { } viewportText && !TryParseViewport(viewportText, out viewport, out problem))
            return false;
        if (problem is null && Single(query, "quality", ref problem) is { } qualityText && !TryParseQuality(qualityText, out quality, out problem))
            return false;
        if (problem is not null)
            return false;
        parameters = new RenderParameters(window, viewport, quality);
        return true;
    }

    /// <summary>Parses <c>center,width[,function]</c>; the function is linear, linear-exact (or linear_exact) or sigmoid, linear when left out.</summary>
    public static bool TryParseWindow(string text, out VoiWindow? window, out string? problem)
    {
        window = null;
        var fields = text.Split(',');
        if (fields.Length is < 2 or > 3)
        {
            problem = $"window '{Shorten(text)}' is not center,width,function (e.g. window=40,400,linear).";
            return false;
        }
        if (!TryNumber(fields[0], out var center) || !TryNumber(fields[1], out var width))
        {
            problem = $"window '{Shorten(text)}': center and width must be decimal numbers.";
            return false;
        }
        var function = VoiLutFunction.Linear;
        if (fields.Length == 3 && !VoiWindow.TryParseFunction(fields[2], out function))
        {
            problem = $"window function '{Shorten(fields[2])}' is not linear, linear-exact or sigmoid.";
            return false;
        }
        var candidate = new VoiWindow(center, width, function);
        if (!candidate.IsValid)
        {
            problem = function == VoiLutFunction.Linear
                ? $"window width {Shorten(fields[1])} is below 1, the least a linear window may have (PS3.3 C.11.2.1.2)."
                : $"window width {Shorten(fields[1])} must be above 0.";
            return false;
        }
        window = candidate;
        problem = null;
        return true;
    }

    /// <summary>Parses <c>vw,vh</c> or <c>vw,vh,sx,sy,sw,sh</c> (sx, sy, sw, sh may be left empty: 0, 0 and to the edge).</summary>
    public static bool TryParseViewport(string text, out Viewport? viewport, out string? problem)
    {
        viewport = null;
        var fields = text.Split(',');
        if (fields.Length is not (2 or 6))
        {
            problem = $"viewport '{Shorten(text)}' is not vw,vh or vw,vh,sx,sy,sw,sh.";
            return false;
        }
        if (!TryInteger(fields[0], out var vw) || !TryInteger(fields[1], out var vh) || vw is < 1 or > MaxViewportSide || vh is < 1 or > MaxViewportSide)
        {
            problem = $"viewport '{Shorten(text)}': vw and vh must be whole numbers from 1 to {MaxViewportSide}.";
            return false;
        }
        ViewportRegion? region = null;
        if (fields.Length == 6)
        {
            int? sx = null, sy = null, sw = null, sh = null;
            if (!TryOptional(fields[2], ref sx) || !TryOptional(fields[3], ref sy) || !TryOptional(fields[4], ref sw) || !TryOptional(fields[5], ref sh)
                || sx < 0 || sy < 0 || sw == 0 || sh == 0)
            {
                problem = $"viewport '{Shorten(text)}': sx and sy must be whole numbers from 0, sw and sh non-zero whole numbers (negative flips), or left empty.";
                return false;
            }
            region = new ViewportRegion(sx ?? 0, sy ?? 0, sw, sh);
        }
        viewport = new Viewport(vw, vh, region);
        problem = null;
        return true;
    }

    /// <summary>Parses a JPEG quality, a whole number from 1 to 100.</summary>
    public static bool TryParseQuality(string text, out int quality, out string? problem)
    {
        if (TryInteger(text, out quality) && quality is >= 1 and <= 100)
        {
            problem = null;
            return true;
        }
        problem = $"quality '{Shorten(text)}' is not a whole number from 1 to 100.";
        return false;
    }

    private static string? Single(IQueryCollection query, string name, ref string? problem)
    {
        if (!query.TryGetValue(name, out StringValues values))
            return null;
        if (values.Count != 1)
        {
            problem = $"{name} is given {values.Count} times; give it once.";
            return null;
        }
        return values[0] ?? "";
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)
        && double.IsFinite(value);

    private static bool TryInteger(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool TryOptional(string text, ref int? value)
    {
        if (text.Trim().Length == 0)
            return true;
        if (!TryInteger(text, out var parsed))
            return false;
        value = parsed;
        return true;
    }

    // Values are echoed in the problem: keep them short and printable.
    private static string Shorten(string text) => new([.. text.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);
}
