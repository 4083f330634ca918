using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansImaging.Dicom.Json;

/// <summary>
/// Reads DICOM JSON (PS3.18 Annex F) into a <see cref="DicomDataset"/>: the inverse of
/// <see cref="DicomJsonWriter"/>. Text is encoded with the data set's own Specific Character Set,
/// which is read before any other attribute whatever the key order; IS and DS numbers keep the
/// exact text of the JSON number; BulkDataURIs are resolved through
/// <see cref="DicomJsonReaderOptions.BulkDataResolver"/> or reported.
/// </summary>
public sealed class DicomJsonReader
{
    private static readonly DicomTag SpecificCharacterSet = new(0x0008, 0x0005);
    private readonly DicomJsonReaderOptions _options;

    /// <summary>Creates a reader with the given options (or <see cref="DicomJsonReaderOptions.Default"/>).</summary>
    public DicomJsonReader(DicomJsonReaderOptions? options = null) => _options = options ?? DicomJsonReaderOptions.Default;

    /// <summary>Reads a DICOM JSON object from text.</summary>
    /// <exception cref="DicomException">The text is not JSON or not a DICOM JSON object.</exception>
    public DicomJsonReadResult Read(string json) => Read(Encoding.UTF8.GetBytes(json));

    /// <summary>Reads a DICOM JSON object from UTF-8 bytes.</summary>
    /// <exception cref="DicomException">The bytes are not JSON or not a DICOM JSON object.</exception>
    public DicomJsonReadResult Read(ReadOnlyMemory<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            // Each sequence level is three JSON levels (attribute, Value array, item).
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 3 * _options.MaxNestingDepth + 8 });
        }
        catch (JsonException ex)
        {
            throw new DicomException($"Not JSON: {ex.Message}", ex);
        }
        using (document)
            return Read(document.RootElement);
    }

    /// <summary>Reads a DICOM JSON object already parsed.</summary>
    /// <exception cref="DicomException">The element is not a DICOM JSON object.</exception>
    public DicomJsonReadResult Read(JsonElement root)
    {
        var unresolved = new List<DicomJsonBulkDataUri>();
        var dataset = ReadDataset(root, null, [], unresolved);
        return new DicomJsonReadResult(dataset, unresolved);
    }

    private DicomDataset ReadDataset(JsonElement json, DicomDataset? parent, List<DicomJsonPathStep> path, List<DicomJsonBulkDataUri> unresolved)
    {
        if (json.ValueKind != JsonValueKind.Object)
            throw Error(path, null, $"expected a data set object but found {json.ValueKind}");
        if (path.Count > _options.MaxNestingDepth)
            throw Error(path, null, $"sequences are nested more than {_options.MaxNestingDepth} deep");
        // An item's text is encoded with the character set it inherits, so it knows its parent from the start.
        var dataset = new DicomDataset { Parent = parent };
        // The character set decides how every later text value is encoded, so it goes in first.
        if (json.TryGetProperty(SpecificCharacterSet.ToJsonKey(), out var characterSet))
            dataset.Add(ReadAttribute(SpecificCharacterSet, characterSet, dataset, path, unresolved));
        foreach (var property in json.EnumerateObject())
        {
            if (!DicomTag.TryParse(property.Name, out var tag) || property.Name.Length != 8)
                throw Error(path, null, $"'{property.Name}' is not a tag of eight hexadecimal digits");
            if (tag == SpecificCharacterSet)
                continue;
            if (dataset.Contains(tag))
                throw Error(path, tag, "the tag appears twice");
            dataset.Add(ReadAttribute(tag, property.Value, dataset, path, unresolved));
        }
        return dataset;
    }

    private DicomAttribute ReadAttribute(DicomTag tag, JsonElement json, DicomDataset owner, List<DicomJsonPathStep> path, List<DicomJsonBulkDataUri> unresolved)
    {
        if (json.ValueKind != JsonValueKind.Object)
            throw Error(path, tag, $"expected an attribute object but found {json.ValueKind}");
        if (!json.TryGetProperty("vr", out var vrJson) || vrJson.ValueKind != JsonValueKind.String)
            throw Error(path, tag, "the attribute has no \"vr\"");
        var vr = DicomVRExtensions.ParseVR(vrJson.GetString());
        if (vr == DicomVR.None)
            throw Error(path, tag, $"'{vrJson.GetString()}' is not a VR");
        if (json.TryGetProperty("BulkDataURI", out var uriJson))
        {
            if (uriJson.ValueKind != JsonValueKind.String)
                throw Error(path, tag, "BulkDataURI is not a string");
            var bulk = new DicomJsonBulkDataUri(owner, tag, vr, uriJson.GetString()!, [.. path]);
            if (_options.BulkDataResolver?.Invoke(bulk) is { } reference)
                return new DicomElement(tag, vr, reference);
            unresolved.Add(bulk);
            return new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty);
        }
        if (json.TryGetProperty("InlineBinary", out var inline))
        {
            if (inline.ValueKind != JsonValueKind.String || !inline.TryGetBytesFromBase64(out var bytes))
                throw Error(path, tag, "InlineBinary is not base64 text");
            return new DicomElement(tag, vr, bytes);
        }
        if (!json.TryGetProperty("Value", out var values) || values.ValueKind == JsonValueKind.Null)
            return vr == DicomVR.SQ ? new DicomSequence(tag) : new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty);
        if (values.ValueKind != JsonValueKind.Array)
            throw Error(path, tag, "\"Value\" is not an array");
        try
        {
            return vr switch
            {
                DicomVR.SQ => ReadSequence(tag, values, owner, path, unresolved),
                DicomVR.AT => new DicomElement(tag, vr, ReadAttributeTags(values)),
                _ when vr.IsString() => new DicomElement(tag, vr, EncodeStrings(ReadStrings(values, vr), vr, owner)),
                _ when vr.BinaryValueSize() > 0 && !DicomJsonWriter.IsBulkDataVR(vr) => new DicomElement(tag, vr, ReadNumbers(values, vr)),
                _ => throw new FormatException($"VR {vr.Code()} takes InlineBinary or BulkDataURI, not \"Value\""),
            };
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw Error(path, tag, ex.Message);
        }
        catch (DicomException ex)
        {
            // Text the declared Specific Character Set cannot hold: the JSON is Unicode, the data set is not.
            throw Error(path, tag, $"{ex.Message.TrimEnd('.')}; declare a character set that holds it, such as ISO_IR 192");
        }
    }

    private DicomSequence ReadSequence(DicomTag tag, JsonElement values, DicomDataset owner, List<DicomJsonPathStep> path, List<DicomJsonBulkDataUri> unresolved)
    {
        var items = new List<DicomDataset>();
        foreach (var itemJson in values.EnumerateArray())
        {
            path.Add(new DicomJsonPathStep(tag, items.Count));
            items.Add(itemJson.ValueKind == JsonValueKind.Null ? new DicomDataset() : ReadDataset(itemJson, owner, path, unresolved));
            path.RemoveAt(path.Count - 1);
        }
        return new DicomSequence(tag, items);
    }

    private static byte[] ReadAttributeTags(JsonElement values)
    {
        var bytes = new byte[values.GetArrayLength() * 4];
        var i = 0;
        foreach (var value in values.EnumerateArray())
        {
            var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (text is null || text.Length != 8 || !DicomTag.TryParse(text, out var at))
                throw new FormatException($"AT value {value.GetRawText()} is not eight hexadecimal digits");
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i), at.Group);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i + 2), at.Element);
            i += 4;
        }
        return bytes;
    }

    private static List<string> ReadStrings(JsonElement values, DicomVR vr)
    {
        var strings = new List<string>();
        foreach (var value in values.EnumerateArray())
        {
            strings.Add(value.ValueKind switch
            {
                JsonValueKind.Null => string.Empty,
                JsonValueKind.String => value.GetString()!,
                // IS and DS keep the number exactly as the JSON spells it.
                JsonValueKind.Number when vr is DicomVR.IS or DicomVR.DS => value.GetRawText(),
                JsonValueKind.Object when vr == DicomVR.PN => ReadPersonName(value),
                _ => throw new FormatException($"{value.ValueKind} is not a {vr.Code()} value"),
            });
        }
        if (strings.Count > 1 && !vr.IsMultiValuedString())
            throw new FormatException($"VR {vr.Code()} holds a single value, not {strings.Count}");
        return strings;
    }

    private static string ReadPersonName(JsonElement value)
    {
        var groups = new string[DicomJsonValues.PersonNameGroups.Length];
        var last = -1;
        for (var i = 0; i < groups.Length; i++)
        {
            groups[i] = value.TryGetProperty(DicomJsonValues.PersonNameGroups[i], out var group) && group.ValueKind == JsonValueKind.String
                ? group.GetString()!
                : string.Empty;
            if (groups[i].Length > 0)
                last = i;
        }
        // Trailing empty groups and their '=' are left out (PS3.5 6.2.1).
        return string.Join('=', groups, 0, last + 1);
    }

    private static byte[] EncodeStrings(List<string> strings, DicomVR vr, DicomDataset owner)
    {
        var joined = string.Join('\\', strings);
        byte[] bytes;
        if (vr.UsesSpecificCharacterSet())
            bytes = owner.CharacterSet.Encode(joined, vr);
        else
            // The other string VRs are ASCII; the binary reader decodes stray bytes as Latin-1, so encode them back the same way.
            bytes = Ascii.IsValid(joined) ? Encoding.ASCII.GetBytes(joined) : Encoding.Latin1.GetBytes(joined);
        return DicomDataset.PadToEven(bytes, vr.PaddingByte());
    }

    /// <remarks>
    /// A null among binary numbers has no encoding (binary values cannot be empty); it is dropped,
    /// as pydicom's own sample (test1.json, (0018,1310)) expects readers to cope with it.
    /// </remarks>
    private static byte[] ReadNumbers(JsonElement values, DicomVR vr)
    {
        var size = vr.BinaryValueSize();
        var present = values.EnumerateArray().Where(v => v.ValueKind != JsonValueKind.Null).ToList();
        var bytes = new byte[present.Count * size];
        var offset = 0;
        foreach (var value in present)
        {
            var span = bytes.AsSpan(offset, size);
            offset += size;
            switch (vr)
            {
                case DicomVR.US: BinaryPrimitives.WriteUInt16LittleEndian(span, value.GetUInt16()); break;
                case DicomVR.SS: BinaryPrimitives.WriteInt16LittleEndian(span, value.GetInt16()); break;
                case DicomVR.UL: BinaryPrimitives.WriteUInt32LittleEndian(span, value.GetUInt32()); break;
                case DicomVR.SL: BinaryPrimitives.WriteInt32LittleEndian(span, value.GetInt32()); break;
                case DicomVR.FL: BinaryPrimitives.WriteSingleLittleEndian(span, (float)ReadFloatingPoint(value, single: true)); break;
                case DicomVR.FD: BinaryPrimitives.WriteDoubleLittleEndian(span, ReadFloatingPoint(value, single: false)); break;
                case DicomVR.SV:
                    BinaryPrimitives.WriteInt64LittleEndian(span, value.ValueKind == JsonValueKind.String
                        ? long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                        : value.GetInt64());
                    break;
                case DicomVR.UV:
                    BinaryPrimitives.WriteUInt64LittleEndian(span, value.ValueKind == JsonValueKind.String
                        ? ulong.Parse(value.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture)
                        : value.GetUInt64());
                    break;
                default:
                    throw new FormatException($"VR {vr.Code()} does not hold numbers");
            }
        }
        return bytes;
    }

    private static double ReadFloatingPoint(JsonElement value, bool single)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                var text => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
        }
        // Parsing straight to float rounds once, not twice through double.
        return single ? value.GetSingle() : value.GetDouble();
    }

    private static DicomException Error(List<DicomJsonPathStep> path, DicomTag? tag, string problem)
    {
        var where = new StringBuilder();
        foreach (var step in path)
            where.Append(step.Sequence.ToJsonKey()).Append('[').Append(step.ItemIndex).Append("].");
        if (tag is { } t)
            where.Append(t.ToJsonKey());
        var location = where.Length == 0 ? "the top-level object" : where.ToString().TrimEnd('.');
        return new DicomException($"Invalid DICOM JSON at {location}: {problem}.");
    }
}
