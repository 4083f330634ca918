using System.Globalization;
using System.Text;

namespace OrleansImaging.Dicom.Formatting;

/// <summary>
/// Prints data sets one attribute per line in dcmdump's layout, for people comparing our view of a
/// file with dcmtk's: <c>(0010,0010) PN [Doe^John]  # 8, 1 PatientName</c>, items and their
/// delimiters indented two spaces per level, long values shortened.
/// </summary>
public sealed class DicomDump
{
    private const int ValueColumn = 40;
    private readonly DicomDumpOptions _options;

    /// <summary>Creates a formatter with the given options (or <see cref="DicomDumpOptions.Default"/>).</summary>
    public DicomDump(DicomDumpOptions? options = null) => _options = options ?? DicomDumpOptions.Default;

    /// <summary>Prints a file: its File Meta Information (unless the options leave it out), then its data set.</summary>
    public void Write(TextWriter output, DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(file);
        output.WriteLine();
        output.WriteLine("# Dicom-File-Format");
        output.WriteLine();
        if (_options.IncludeFileMetaInformation && file.FileMetaInformation.Count > 0)
        {
            output.WriteLine("# Dicom-Meta-Information-Header");
            output.WriteLine($"# Used TransferSyntax: {DicomTransferSyntax.ExplicitVRLittleEndian.Name}");
            WriteDataset(output, file.FileMetaInformation, 0, explicitVR: true);
            output.WriteLine();
        }
        output.WriteLine("# Dicom-Data-Set");
        output.WriteLine($"# Used TransferSyntax: {file.TransferSyntax.Name}");
        WriteDataset(output, file.Dataset, 0, file.TransferSyntax.IsExplicitVR);
    }

    /// <summary>Prints a data set, lengths counted as in explicit VR encoding.</summary>
    public void Write(TextWriter output, DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(dataset);
        WriteDataset(output, dataset, 0, explicitVR: true);
    }

    /// <summary>The data set printed to a string.</summary>
    public string Format(DicomDataset dataset)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, dataset);
        return writer.ToString();
    }

    private void WriteDataset(TextWriter output, DicomDataset dataset, int depth, bool explicitVR)
    {
        foreach (var attribute in dataset)
        {
            switch (attribute)
            {
                case DicomSequence sequence:
                    WriteSequence(output, sequence, dataset, depth, explicitVR);
                    break;
                case DicomFragmentSequence fragments:
                    WriteFragments(output, fragments, dataset, depth);
                    break;
                case DicomElement element:
                    var (value, count) = FormatValue(element, dataset);
                    WriteLine(output, depth, element.Tag, element.VR.Code(), value, element.Length.ToString(CultureInfo.InvariantCulture), count, Name(element.Tag, dataset));
                    break;
            }
        }
    }

    private void WriteSequence(TextWriter output, DicomSequence sequence, DicomDataset owner, int depth, bool explicitVR)
    {
        var undefined = sequence.WasUndefinedLength;
        var kind = undefined ? "undefined" : "explicit";
        var length = undefined ? "u/l" : DicomEncodedLength.Of(sequence, explicitVR).ToString(CultureInfo.InvariantCulture);
        WriteLine(output, depth, sequence.Tag, "SQ", $"(Sequence with {kind} length #={sequence.Items.Count})", length, 1, Name(sequence.Tag, owner));
        foreach (var item in sequence.Items)
        {
            var itemLength = undefined ? "u/l" : DicomEncodedLength.Of(item, explicitVR).ToString(CultureInfo.InvariantCulture);
            WriteLine(output, depth + 1, DicomTag.Item, "na", $"(Item with {kind} length #={item.Count})", itemLength, 1, "Item");
            WriteDataset(output, item, depth + 2, explicitVR);
            var delimiter = undefined ? "(ItemDelimitationItem)" : "(ItemDelimitationItem for re-encoding)";
            WriteLine(output, depth + 1, DicomTag.ItemDelimitationItem, "na", delimiter, "0", 0, "ItemDelimitationItem");
        }
        var end = undefined ? "(SequenceDelimitationItem)" : "(SequenceDelimitationItem for re-encod.)";
        WriteLine(output, depth, DicomTag.SequenceDelimitationItem, "na", end, "0", 0, "SequenceDelimitationItem");
    }

    private void WriteFragments(TextWriter output, DicomFragmentSequence fragments, DicomDataset owner, int depth)
    {
        var items = fragments.Fragments.Count + 1;
        WriteLine(output, depth, fragments.Tag, fragments.VR.Code(), $"(PixelSequence #={items})", "u/l", 1, Name(fragments.Tag, owner));
        var table = fragments.BasicOffsetTable;
        WriteLine(output, depth + 1, DicomTag.Item, "pi", table.IsEmpty ? "(no value available)" : HexBytes(table),
            table.Length.ToString(CultureInfo.InvariantCulture), 1, "Item");
        foreach (var fragment in fragments.Fragments)
        {
            var value = fragment.BulkData is null ? HexBytes(fragment.Data) : "(not loaded)";
            WriteLine(output, depth + 1, DicomTag.Item, "pi", value, fragment.Length.ToString(CultureInfo.InvariantCulture), 1, "Item");
        }
        WriteLine(output, depth, DicomTag.SequenceDelimitationItem, "na", "(SequenceDelimitationItem)", "0", 0, "SequenceDelimitationItem");
    }

    private (string Value, int Count) FormatValue(DicomElement element, DicomDataset owner)
    {
        if (!element.IsLoaded)
            return ("(not loaded)", 1);
        if (element.Length == 0)
            return ("(no value available)", 0);
        var vr = element.VR;
        if (vr.IsString())
        {
            var text = element.GetText(owner.CharacterSet);
            // dcmdump shows a registered UID by its keyword, prefixed by '='.
            if (vr == DicomVR.UI && DicomAttributeNames.UidKeyword(text) is { } keyword)
                return ("=" + keyword, 1);
            return (Shorten("[" + text + "]"), element.GetStrings(owner.CharacterSet).Length);
        }
        var span = element.RawValue.Span;
        if (vr is DicomVR.OB or DicomVR.UN or DicomVR.None || vr.BinaryValueSize() == 0 || span.Length % vr.BinaryValueSize() != 0)
            return (HexBytes(element.RawValue), 1);
        if (vr == DicomVR.OW)
        {
            var raw = element.RawValue;
            return (Values(raw.Length / 2, i => System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(raw.Span[(2 * i)..]).ToString("x4", CultureInfo.InvariantCulture)), 1);
        }
        var count = element.Count;
        var values = vr == DicomVR.AT
            ? Values(count, i => FormatTag(element.GetAttributeTag(i)))
            : Values(count, element.FormatBinaryValue);
        return (values, vr is DicomVR.OF or DicomVR.OD or DicomVR.OL or DicomVR.OV ? 1 : count);
    }

    /// <summary>
    /// Joins values with backslashes. Past the configured length it stops after the last whole value
    /// that fits and adds "...", as dcmdump does, so a million pixel values are never all formatted.
    /// </summary>
    private string Values(int count, Func<int, string> format)
    {
        var limit = _options.MaxValueLength ?? int.MaxValue;
        var builder = new StringBuilder();
        var lastFit = 0;
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
                builder.Append('\\');
            builder.Append(format(i));
            if (builder.Length <= limit - 3)
                lastFit = builder.Length;
            if (builder.Length > limit)
                return builder.ToString(0, lastFit) + "...";
        }
        return builder.ToString();
    }

    private string HexBytes(ReadOnlyMemory<byte> bytes) =>
        Values(bytes.Length, i => bytes.Span[i].ToString("x2", CultureInfo.InvariantCulture));

    /// <summary>Cuts a value to the configured length, ending in "..." like dcmdump.</summary>
    private string Shorten(string value)
    {
        if (_options.MaxValueLength is not { } limit || value.Length <= limit)
            return value;
        return string.Concat(value.AsSpan(0, Math.Max(0, limit - 3)), "...");
    }

    private static void WriteLine(TextWriter output, int depth, DicomTag tag, string vr, string value, string length, int count, string name)
    {
        var line = new StringBuilder();
        line.Append(' ', depth * 2).Append(FormatTag(tag)).Append(' ').Append(vr).Append(' ').Append(value);
        if (value.Length < ValueColumn)
            line.Append(' ', ValueColumn - value.Length);
        line.Append(" # ").Append(length.PadLeft(3)).Append(", ").Append(count.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(name);
        output.WriteLine(line.ToString());
    }

    /// <summary>Tags as dcmdump prints them: lower-case hexadecimal.</summary>
    private static string FormatTag(DicomTag tag) =>
        string.Create(CultureInfo.InvariantCulture, $"({tag.Group:x4},{tag.Element:x4})");

    private static string Name(DicomTag tag, DicomDataset owner) => DicomAttributeNames.Keyword(tag, owner);
}
