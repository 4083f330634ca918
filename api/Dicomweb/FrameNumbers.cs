using System.Globalization;

namespace OrleansImaging.Api.Dicomweb;

/// <summary>The <c>{frames}</c> of a WADO-RS frames resource: comma-separated 1-based frame numbers, in the order asked.</summary>
public static class FrameNumbers
{
    /// <summary>The most frames one request may list; a longer list is refused rather than fanned out.</summary>
    public const int MaxCount = 10_000;

    /// <summary>Parses the list; on failure <paramref name="problem"/> names the offending entry.</summary>
    public static bool TryParse(string? text, out IReadOnlyList<int> frames, out string? problem)
    {
        frames = [];
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "The frame list is empty; give 1-based frame numbers separated by commas, e.g. 1,3.";
            return false;
        }
        var entries = text.Split(',');
        if (entries.Length > MaxCount)
        {
            problem = $"At most {MaxCount} frames may be asked for at once.";
            return false;
        }
        var list = new List<int>(entries.Length);
        foreach (var raw in entries)
        {
            var entry = raw.Trim();
            if (entry.Length == 0 || entry.Length > 9 || !entry.All(char.IsAsciiDigit)
                || !int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                problem = $"Frame '{Shorten(entry)}' is not a frame number; frames are numbered from 1.";
                return false;
            }
            if (number == 0)
            {
                problem = "Frame 0 does not exist; frames are numbered from 1.";
                return false;
            }
            list.Add(number);
        }
        frames = list;
        return true;
    }

    // The entry is echoed in the problem; keep it short and printable.
    private static string Shorten(string entry) => new([.. entry.Take(20).Select(c => char.IsControl(c) ? '?' : c)]);
}
