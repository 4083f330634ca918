using System.Buffers.Binary;
using System.Text.Json;

namespace OrleansImaging.Dicom.Json;

/// <summary>
/// Writes data sets as DICOM JSON (PS3.18 Annex F) straight to a <see cref="Utf8JsonWriter"/>,
/// attribute by attribute, without building a document first. Only the data set is written; the
/// File Meta Information is not part of the JSON model.
/// </summary>
/// <remarks>
/// Choices the standard leaves open, made the way dcm2json makes them where it has a view
/// (see docs/dicom.md, "DICOM JSON and the dcm2json oracle"):
/// IS and DS values are JSON numbers written as given when the text is already a JSON number,
/// normalized ("+.5" → 0.5, "007" → 7) when it is a number JSON cannot spell, and JSON strings when it
/// is no number at all; non-finite FL/FD values are the strings "NaN", "Infinity" and "-Infinity";
/// SV and UV values beyond ±2^53 are strings, as PS3.18 F.2.3.1 allows, so no reader loses digits;
/// empty values of a multi-valued attribute are null. Group lengths (gggg,0000) are left out: they
/// describe an encoding, not the data set, and are wrong as soon as JSON is edited (dcm2json leaves
/// them out too).
/// </remarks>
public sealed class DicomJsonWriter
{
    private const long MaxExactInteger = 1L << 53;
    private readonly DicomJsonOptions _options;

    /// <summary>Creates a writer with the given options (or <see cref="DicomJsonOptions.Default"/>).</summary>
    public DicomJsonWriter(DicomJsonOptions? options = null) => _options = options ?? DicomJsonOptions.Default;

    /// <summary>Writes <paramref name="dataset"/> as one JSON object.</summary>
    /// <exception cref="DicomException">
    /// The data set has encapsulated pixel data, no bulk data URI for it, and the options say
    /// <see cref="DicomJsonEncapsulatedPixelData.Refuse"/>; or a value left in its source cannot be read.
    /// </exception>
    public void Write(Utf8JsonWriter writer, DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);
        var include = _options.IncludeField is { } filter ? TopLevelFilter(dataset, filter) : null;
        WriteDataset(writer, dataset, [], include);
    }

    private static HashSet<DicomTag> TopLevelFilter(DicomDataset dataset, Func<DicomTag, bool> filter)
    {
        var included = new HashSet<DicomTag>();
        foreach (var attribute in dataset)
        {
            if (!filter(attribute.Tag))
                continue;
            included.Add(attribute.Tag);
            // A private attribute without its creator would lose its meaning (PS3.5 7.8.1).
            if (attribute.Tag.PrivateCreatorTag is { } creator)
                included.Add(creator);
        }
        return included;
    }

    private void WriteDataset(Utf8JsonWriter writer, DicomDataset dataset, List<DicomJsonPathStep> path, HashSet<DicomTag>? include)
    {
        writer.WriteStartObject();
        foreach (var attribute in dataset)
        {
            if (attribute.Tag.IsGroupLength)
                continue;
            if (include is not null && !include.Contains(attribute.Tag))
                continue;
            switch (attribute)
            {
                case DicomSequence sequence:
                    WriteSequence(writer, sequence, path);
                    break;
                case DicomFragmentSequence fragments:
                    WriteFragments(writer, fragments, path);
                    break;
                case DicomElement element:
                    WriteElement(writer, element, dataset, path);
                    break;
            }
        }
        writer.WriteEndObject();
    }

    private void WriteSequence(Utf8JsonWriter writer, DicomSequence sequence, List<DicomJsonPathStep> path)
    {
        StartAttribute(writer, sequence.Tag, DicomVR.SQ);
        if (sequence.Items.Count > 0)
        {
            writer.WriteStartArray("Value");
            for (var i = 0; i < sequence.Items.Count; i++)
            {
                path.Add(new DicomJsonPathStep(sequence.Tag, i));
                WriteDataset(writer, sequence.Items[i], path, include: null);
                path.RemoveAt(path.Count - 1);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    private void WriteFragments(Utf8JsonWriter writer, DicomFragmentSequence fragments, List<DicomJsonPathStep> path)
    {
        var uri = _options.BulkDataUriBuilder?.Invoke(new DicomJsonBulkDataContext(fragments, [.. path]));
        if (uri is null)
        {
            if (_options.EncapsulatedPixelData == DicomJsonEncapsulatedPixelData.Omit)
                return;
            throw new DicomException(
                $"{fragments.Tag} holds encapsulated (compressed) pixel data, which DICOM JSON can only reference with a BulkDataURI; give a bulk data URI builder or choose to omit it.");
        }
        StartAttribute(writer, fragments.Tag, fragments.VR);
        writer.WriteString("BulkDataURI", uri);
        writer.WriteEndObject();
    }

    private void WriteElement(Utf8JsonWriter writer, DicomElement element, DicomDataset owner, List<DicomJsonPathStep> path)
    {
        var vr = element.VR == DicomVR.None ? DicomVR.UN : element.VR;
        if (IsBulkDataVR(vr) && element.Length > 0 && _options.BulkDataUriBuilder is { } builder
            && (element.Length >= _options.BulkDataThreshold || !element.IsLoaded)
            && builder(new DicomJsonBulkDataContext(element, [.. path])) is { } uri)
        {
            StartAttribute(writer, element.Tag, vr);
            writer.WriteString("BulkDataURI", uri);
            writer.WriteEndObject();
            return;
        }
        element = Load(element);
        StartAttribute(writer, element.Tag, vr);
        if (element.Length > 0)
        {
            if (IsBulkDataVR(vr))
                writer.WriteBase64String("InlineBinary", element.RawValue.Span);
            else if (vr.IsString())
                WriteStrings(writer, element, owner);
            else
                WriteBinaryValues(writer, element, vr);
        }
        writer.WriteEndObject();
    }

    private static void StartAttribute(Utf8JsonWriter writer, DicomTag tag, DicomVR vr)
    {
        writer.WritePropertyName(tag.ToJsonKey());
        writer.WriteStartObject();
        writer.WriteString("vr", vr.Code());
    }

    private static void WriteStrings(Utf8JsonWriter writer, DicomElement element, DicomDataset owner)
    {
        var values = element.GetStrings(owner.CharacterSet);
        // A value of nothing but padding is empty: no "Value" at all, as for a zero-length value.
        if (values.All(v => v.Length == 0 || (element.VR == DicomVR.PN && DicomJsonValues.IsEmptyPersonName(v))))
            return;
        writer.WriteStartArray("Value");
        foreach (var value in values)
        {
            if (value.Length == 0)
                writer.WriteNullValue();
            else if (element.VR == DicomVR.PN)
                DicomJsonValues.WritePersonName(writer, value);
            else if (element.VR is DicomVR.IS or DicomVR.DS)
                DicomJsonValues.WriteNumberString(writer, value, element.VR);
            else
                writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    private static void WriteBinaryValues(Utf8JsonWriter writer, DicomElement element, DicomVR vr)
    {
        var span = element.RawValue.Span;
        if (vr == DicomVR.AT)
        {
            writer.WriteStartArray("Value");
            for (var i = 0; i + 4 <= span.Length; i += 4)
                writer.WriteStringValue(element.GetAttributeTag(i / 4).ToJsonKey());
            writer.WriteEndArray();
            return;
        }
        var size = vr.BinaryValueSize();
        if (size == 0 || span.Length < size)
        {
            // Not a VR with numbers (or too short to hold one): keep the bytes rather than lose them.
            writer.WriteBase64String("InlineBinary", span);
            return;
        }
        writer.WriteStartArray("Value");
        for (var offset = 0; offset + size <= span.Length; offset += size)
        {
            var value = span.Slice(offset, size);
            switch (vr)
            {
                case DicomVR.US: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(value)); break;
                case DicomVR.SS: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(value)); break;
                case DicomVR.UL: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(value)); break;
                case DicomVR.SL: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(value)); break;
                case DicomVR.FL: DicomJsonValues.WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(value)); break;
                case DicomVR.FD: DicomJsonValues.WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(value)); break;
                case DicomVR.SV:
                    var signed = BinaryPrimitives.ReadInt64LittleEndian(value);
                    if (signed is >= -MaxExactInteger and <= MaxExactInteger)
                        writer.WriteNumberValue(signed);
                    else
                        writer.WriteStringValue(signed.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case DicomVR.UV:
                    var unsigned = BinaryPrimitives.ReadUInt64LittleEndian(value);
                    if (unsigned <= MaxExactInteger)
                        writer.WriteNumberValue(unsigned);
                    else
                        writer.WriteStringValue(unsigned.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }
        writer.WriteEndArray();
    }

    /// <summary>The VRs written as InlineBinary or BulkDataURI (PS3.18 Table F.2.3-1).</summary>
    internal static bool IsBulkDataVR(DicomVR vr) =>
        vr is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.UN or DicomVR.None;

    /// <summary>The element with its value in memory, read from its source if the reader left it there.</summary>
    internal static DicomElement Load(DicomElement element)
    {
        if (element.BulkData is not { } reference)
            return element;
        if (reference.Length > Array.MaxLength)
            throw new DicomException($"{element.Tag} holds {reference.Length} bytes, too many to write inline; give a bulk data URI builder.");
        var bytes = new byte[reference.Length];
        try
        {
            using var stream = reference.Source.OpenRange(reference.Offset, reference.Length);
            stream.ReadExactly(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DicomException($"Cannot read the value of {element.Tag} from {reference.Source.Description}: {ex.Message}", ex);
        }
        return new DicomElement(element.Tag, element.VR, bytes);
    }
}
