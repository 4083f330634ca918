using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml;

namespace OrleansImaging.Dicom.Json;

/// <summary>
/// Writes data sets in the Native DICOM Model (PS3.19 Annex A), the XML twin of DICOM JSON, straight
/// to an <see cref="XmlWriter"/>. It takes the same <see cref="DicomJsonOptions"/> (bulk data URIs,
/// includefield, encapsulated pixel data) because the two models carry the same things.
/// </summary>
/// <remarks>
/// As dcm2xml does: each attribute has its keyword; a private data element is written with its
/// block number cleared (gggg00ee) and the privateCreator attribute (PS3.19 A.1); PN values are
/// split into their groups and components; numbers are text as in JSON, with NaN, INF and -INF for
/// non-finite FL/FD (the xs:double spellings); binary values are InlineBinary base64 or BulkData.
/// </remarks>
public sealed class DicomXmlWriter
{
    private static readonly string[] PersonNameComponents = ["FamilyName", "GivenName", "MiddleName", "NamePrefix", "NameSuffix"];
    private readonly DicomJsonOptions _options;

    /// <summary>Creates a writer with the given options (or <see cref="DicomJsonOptions.Default"/>).</summary>
    public DicomXmlWriter(DicomJsonOptions? options = null) => _options = options ?? DicomJsonOptions.Default;

    /// <summary>Writes <paramref name="dataset"/> as a NativeDicomModel document.</summary>
    /// <exception cref="DicomException">As for <see cref="DicomJsonWriter.Write"/>.</exception>
    public void Write(XmlWriter writer, DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);
        writer.WriteStartDocument();
        writer.WriteStartElement("NativeDicomModel");
        writer.WriteAttributeString("xml", "space", null, "preserve");
        var include = _options.IncludeField is { } filter ? dataset.Select(a => a.Tag).Where(filter).SelectMany(t => t.PrivateCreatorTag is { } c ? [t, c] : new[] { t }).ToHashSet() : null;
        WriteAttributes(writer, dataset, [], include);
        writer.WriteEndElement();
        writer.WriteEndDocument();
    }

    /// <summary>The data set as an indented UTF-8 XML document.</summary>
    public string Format(DicomDataset dataset)
    {
        // Through bytes, so that the declaration says UTF-8 as the text will be stored, not UTF-16.
        using var output = new MemoryStream();
        using (var writer = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) }))
            Write(writer, dataset);
        return Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length);
    }

    private void WriteAttributes(XmlWriter writer, DicomDataset dataset, List<DicomJsonPathStep> path, HashSet<DicomTag>? include)
    {
        foreach (var attribute in dataset)
        {
            if (attribute.Tag.IsGroupLength || (include is not null && !include.Contains(attribute.Tag)))
                continue;
            if (attribute is DicomFragmentSequence fragments)
            {
                var uri = _options.BulkDataUriBuilder?.Invoke(new DicomJsonBulkDataContext(fragments, [.. path]));
                if (uri is null && _options.EncapsulatedPixelData == DicomJsonEncapsulatedPixelData.Omit)
                    continue;
                StartAttribute(writer, fragments, dataset);
                writer.WriteStartElement("BulkData");
                writer.WriteAttributeString("uri", uri ?? throw new DicomException(
                    $"{fragments.Tag} holds encapsulated (compressed) pixel data, which the Native DICOM Model can only reference; give a bulk data URI builder or choose to omit it."));
                writer.WriteEndElement();
                writer.WriteEndElement();
                continue;
            }
            StartAttribute(writer, attribute, dataset);
            if (attribute is DicomSequence sequence)
            {
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    writer.WriteStartElement("Item");
                    writer.WriteAttributeString("number", (i + 1).ToString(CultureInfo.InvariantCulture));
                    path.Add(new DicomJsonPathStep(sequence.Tag, i));
                    WriteAttributes(writer, sequence.Items[i], path, include: null);
                    path.RemoveAt(path.Count - 1);
                    writer.WriteEndElement();
                }
            }
            else if (attribute is DicomElement element)
            {
                WriteValue(writer, element, dataset, path);
            }
            writer.WriteEndElement();
        }
    }

    private static void StartAttribute(XmlWriter writer, DicomAttribute attribute, DicomDataset owner)
    {
        var tag = attribute.Tag;
        writer.WriteStartElement("DicomAttribute");
        string? creator = null;
        if (tag.PrivateCreatorTag is { } creatorTag)
        {
            creator = owner.GetStringOrNull(creatorTag);
            if (creator is not null)
                tag = new DicomTag(tag.Group, (ushort)(tag.Element & 0xFF));
        }
        writer.WriteAttributeString("tag", tag.ToJsonKey());
        writer.WriteAttributeString("vr", (attribute.VR == DicomVR.None ? DicomVR.UN : attribute.VR).Code());
        if (creator is not null)
            writer.WriteAttributeString("privateCreator", creator);
        else if (!attribute.Tag.IsPrivate && DicomDictionary.Default.TryGetEntry(attribute.Tag, out var entry) && entry.Keyword.Length > 0 && !entry.IsRange)
            writer.WriteAttributeString("keyword", entry.Keyword);
    }

    private void WriteValue(XmlWriter writer, DicomElement element, DicomDataset owner, List<DicomJsonPathStep> path)
    {
        var vr = element.VR == DicomVR.None ? DicomVR.UN : element.VR;
        if (element.Length == 0)
            return;
        if (DicomJsonWriter.IsBulkDataVR(vr))
        {
            if (_options.BulkDataUriBuilder is { } builder && (element.Length >= _options.BulkDataThreshold || !element.IsLoaded)
                && builder(new DicomJsonBulkDataContext(element, [.. path])) is { } uri)
            {
                writer.WriteStartElement("BulkData");
                writer.WriteAttributeString("uri", uri);
                writer.WriteEndElement();
                return;
            }
            var bytes = DicomJsonWriter.Load(element).RawValue;
            writer.WriteStartElement("InlineBinary");
            writer.WriteBase64(bytes.ToArray(), 0, bytes.Length);
            writer.WriteEndElement();
            return;
        }
        element = DicomJsonWriter.Load(element);
        var values = vr.IsString() ? element.GetStrings(owner.CharacterSet) : BinaryValues(element, vr);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].Length == 0 || (vr == DicomVR.PN && DicomJsonValues.IsEmptyPersonName(values[i])))
                continue; // an empty value keeps its number by the gap it leaves
            var number = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (vr == DicomVR.PN)
            {
                WritePersonName(writer, values[i], number);
                continue;
            }
            writer.WriteStartElement("Value");
            writer.WriteAttributeString("number", number);
            writer.WriteString(values[i]);
            writer.WriteEndElement();
        }
    }

    private static void WritePersonName(XmlWriter writer, string value, string number)
    {
        writer.WriteStartElement("PersonName");
        writer.WriteAttributeString("number", number);
        var groups = value.Split('=');
        for (var g = 0; g < Math.Min(groups.Length, DicomJsonValues.PersonNameGroups.Length); g++)
        {
            var components = groups[g].Split('^');
            if (components.All(c => c.Trim().Length == 0))
                continue;
            writer.WriteStartElement(DicomJsonValues.PersonNameGroups[g]);
            for (var c = 0; c < Math.Min(components.Length, PersonNameComponents.Length); c++)
            {
                if (components[c].Length > 0)
                    writer.WriteElementString(PersonNameComponents[c], components[c]);
            }
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
    }

    private static string[] BinaryValues(DicomElement element, DicomVR vr)
    {
        var span = element.RawValue.Span;
        var size = vr.BinaryValueSize();
        if (size == 0)
            return [Convert.ToBase64String(span)];
        var values = new string[span.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            var value = span.Slice(i * size, size);
            values[i] = vr switch
            {
                DicomVR.FL => XmlConvert.ToString(BinaryPrimitives.ReadSingleLittleEndian(value)),
                DicomVR.FD => XmlConvert.ToString(BinaryPrimitives.ReadDoubleLittleEndian(value)),
                _ => element.FormatBinaryValue(i),
            };
        }
        return values;
    }
}
