using System.Globalization;
using System.Text;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Dicom.IO;

/// <summary>
/// Where a value sits in a data set, in the text form <see cref="DicomJsonBulkDataContext.Path"/> writes into
/// BulkDataURIs: tags (8 hex digits) and zero-based item indexes separated by slashes, e.g. <c>7FE00010</c> or
/// <c>00540016/0/00181072</c>. Parsing it back is what lets a server answer the URIs its metadata gave out.
/// </summary>
/// <param name="Sequences">The sequences and items to step into, outermost first; empty at the top level.</param>
/// <param name="Tag">The attribute's tag.</param>
public sealed record DicomBulkDataPath(IReadOnlyList<DicomJsonPathStep> Sequences, DicomTag Tag)
{
    /// <summary>The tag of the top-level attribute the path starts at.</summary>
    public DicomTag TopLevelTag => Sequences.Count > 0 ? Sequences[0].Sequence : Tag;

    /// <summary>Parses the text form; false for anything else (wrong shapes, signs, spaces, non-hex tags).</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DicomBulkDataPath? path)
    {
        path = null;
        if (string.IsNullOrEmpty(text))
            return false;
        var segments = text.Split('/');
        if (segments.Length % 2 == 0)
            return false;
        var steps = new List<DicomJsonPathStep>(segments.Length / 2);
        for (var i = 0; i + 1 < segments.Length; i += 2)
        {
            if (!TryParseTag(segments[i], out var sequence) || !TryParseIndex(segments[i + 1], out var index))
                return false;
            steps.Add(new DicomJsonPathStep(sequence, index));
        }
        if (!TryParseTag(segments[^1], out var tag))
            return false;
        path = new DicomBulkDataPath(steps, tag);
        return true;
    }

    /// <summary>The attribute the path names in <paramref name="dataset"/>, or null when any step is missing.</summary>
    public DicomAttribute? Find(DicomDataset dataset)
    {
        var current = dataset;
        foreach (var step in Sequences)
        {
            if (current.GetSequenceOrDefault(step.Sequence) is not { } sequence || step.ItemIndex >= sequence.Items.Count)
                return null;
            current = sequence.Items[step.ItemIndex];
        }
        return current.TryGetAttribute(Tag, out var attribute) ? attribute : null;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var builder = new StringBuilder();
        foreach (var step in Sequences)
            builder.Append(step.Sequence.ToJsonKey()).Append('/').Append(step.ItemIndex.ToString(CultureInfo.InvariantCulture)).Append('/');
        return builder.Append(Tag.ToJsonKey()).ToString();
    }

    private static bool TryParseTag(string text, out DicomTag tag)
    {
        tag = default;
        // Exactly eight hex digits, as the writer makes them; DicomTag.TryParse would also take "(gggg,eeee)".
        if (text.Length != 8 || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            return false;
        tag = new DicomTag(value);
        return true;
    }

    private static bool TryParseIndex(string text, out int index)
    {
        index = 0;
        return text.Length is > 0 and <= 9 && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
