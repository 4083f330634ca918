using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using OrleansImaging.Dicom.Text;

namespace OrleansImaging.Dicom;

/// <summary>
/// An element with a value: its raw bytes, always in little-endian byte order and exactly as
/// long as encoded (padding included), or, when the reader left a large value in its source,
/// a <see cref="DicomBulkDataReference"/>. Typed views decode on demand, so reading a data set
/// costs no more than finding where its values are.
/// </summary>
public sealed class DicomElement : DicomAttribute
{
    /// <summary>Creates an element over raw little-endian bytes (not copied).</summary>
    public DicomElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> rawValue) : base(tag, vr) => RawValue = rawValue;

    /// <summary>Creates an element whose value stays in its source.</summary>
    public DicomElement(DicomTag tag, DicomVR vr, DicomBulkDataReference bulkData) : base(tag, vr) => BulkData = bulkData;

    /// <summary>The raw value; empty when the value is in <see cref="BulkData"/>.</summary>
    public ReadOnlyMemory<byte> RawValue { get; }

    /// <summary>Where the value is when the reader did not load it; null when it is in <see cref="RawValue"/>.</summary>
    public DicomBulkDataReference? BulkData { get; }

    /// <summary>The value length in bytes, loaded or not.</summary>
    public long Length => BulkData?.Length ?? RawValue.Length;

    /// <summary>True when the value is held in memory.</summary>
    public bool IsLoaded => BulkData is null;

    /// <summary>
    /// The number of values: backslash-separated for multi-valued strings, length / size for
    /// binary numbers, 1 for single-valued text and other binary data, 0 when empty.
    /// </summary>
    public int Count
    {
        get
        {
            if (Length == 0)
                return 0;
            if (!IsLoaded)
                return 1;
            var span = RawValue.Span;
            if (VR.IsMultiValuedString())
                return span.Count((byte)'\\') + 1;
            var size = VR.BinaryValueSize();
            return VR switch
            {
                DicomVR.OB or DicomVR.OW or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.UN => 1,
                _ when size > 0 => span.Length / size,
                _ => 1,
            };
        }
    }

    /// <summary>
    /// The whole value as text, decoded with <paramref name="characterSet"/> where the VR uses the
    /// Specific Character Set, trailing padding (spaces, and NUL for UI) removed. Binary VRs give
    /// their values formatted and backslash-separated.
    /// </summary>
    public string GetText(DicomCharacterSet characterSet)
    {
        EnsureLoaded();
        var span = RawValue.Span;
        if (VR.IsString())
        {
            span = TrimPadding(span, VR);
            return VR.UsesSpecificCharacterSet() ? characterSet.Decode(span, VR) : DecodeDefault(span);
        }
        var count = Count;
        if (count == 0)
            return string.Empty;
        if (VR.BinaryValueSize() == 0 || VR is DicomVR.OB or DicomVR.UN)
            return Convert.ToHexString(span);
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
                builder.Append('\\');
            builder.Append(FormatBinaryValue(i));
        }
        return builder.ToString();
    }

    /// <summary>
    /// The string values of a string element, split at backslashes (except for LT, ST, UT and UR,
    /// which are single-valued), each trimmed of padding (trailing spaces; leading spaces too,
    /// except for text VRs where they are significant).
    /// </summary>
    public string[] GetStrings(DicomCharacterSet characterSet)
    {
        if (!VR.IsString())
            throw new DicomException($"{Tag} has VR {VR.Code()}, which is not a string VR.");
        var text = GetText(characterSet);
        if (text.Length == 0)
            return [];
        if (!VR.IsMultiValuedString())
            return [text];
        var parts = text.Split('\\');
        for (var i = 0; i < parts.Length; i++)
            parts[i] = VR is DicomVR.LT or DicomVR.ST or DicomVR.UT ? parts[i].TrimEnd(' ') : parts[i].Trim(' ', '\0');
        return parts;
    }

    /// <summary>The value at <paramref name="index"/> of a binary numeric element, widened to double.</summary>
    public double GetBinaryNumber(int index)
    {
        var value = GetBinaryValue(index);
        return VR switch
        {
            DicomVR.US or DicomVR.OW => BinaryPrimitives.ReadUInt16LittleEndian(value),
            DicomVR.SS => BinaryPrimitives.ReadInt16LittleEndian(value),
            DicomVR.UL or DicomVR.OL => BinaryPrimitives.ReadUInt32LittleEndian(value),
            DicomVR.SL => BinaryPrimitives.ReadInt32LittleEndian(value),
            DicomVR.FL or DicomVR.OF => BinaryPrimitives.ReadSingleLittleEndian(value),
            DicomVR.FD or DicomVR.OD => BinaryPrimitives.ReadDoubleLittleEndian(value),
            DicomVR.SV => BinaryPrimitives.ReadInt64LittleEndian(value),
            DicomVR.UV or DicomVR.OV => BinaryPrimitives.ReadUInt64LittleEndian(value),
            DicomVR.AT => BinaryPrimitives.ReadUInt32LittleEndian(value),
            _ => throw new DicomException($"{Tag} {VR.Code()} is not a binary number."),
        };
    }

    /// <summary>The bytes of the binary value at <paramref name="index"/>, checked against the value's length.</summary>
    private ReadOnlySpan<byte> GetBinaryValue(int index)
    {
        EnsureLoaded();
        var size = VR.BinaryValueSize();
        var span = RawValue.Span;
        if (size == 0 || index < 0 || (long)(index + 1) * size > span.Length)
            throw new DicomException($"{Tag} {VR.Code()} has no binary value at index {index}.");
        return span.Slice(index * size, size);
    }

    /// <summary>The value at <paramref name="index"/> of an AT element.</summary>
    public DicomTag GetAttributeTag(int index)
    {
        EnsureLoaded();
        var span = RawValue.Span;
        if (VR != DicomVR.AT || index < 0 || (index + 1) * 4 > span.Length)
            throw new DicomException($"{Tag} {VR.Code()} has no attribute tag at index {index}.");
        var value = span.Slice(index * 4, 4);
        return new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(value), BinaryPrimitives.ReadUInt16LittleEndian(value[2..]));
    }

    /// <summary>Formats one binary value the way dcmdump and DICOM JSON show numbers.</summary>
    internal string FormatBinaryValue(int index) => VR switch
    {
        DicomVR.AT => GetAttributeTag(index).ToJsonKey(),
        DicomVR.FL or DicomVR.OF => ((float)GetBinaryNumber(index)).ToString("R", CultureInfo.InvariantCulture),
        DicomVR.FD or DicomVR.OD => GetBinaryNumber(index).ToString("R", CultureInfo.InvariantCulture),
        DicomVR.SV => BinaryPrimitives.ReadInt64LittleEndian(GetBinaryValue(index)).ToString(CultureInfo.InvariantCulture),
        DicomVR.UV or DicomVR.OV => BinaryPrimitives.ReadUInt64LittleEndian(GetBinaryValue(index)).ToString(CultureInfo.InvariantCulture),
        _ => GetBinaryNumber(index).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Removes the padding a VR allows at the end of a value.</summary>
    internal static ReadOnlySpan<byte> TrimPadding(ReadOnlySpan<byte> span, DicomVR vr)
    {
        var end = span.Length;
        if (vr == DicomVR.UI)
        {
            while (end > 0 && (span[end - 1] == 0 || span[end - 1] == (byte)' '))
                end--;
        }
        else
        {
            // Text VRs pad with spaces; NULs are common in the wild and mean nothing either.
            while (end > 0 && (span[end - 1] == (byte)' ' || span[end - 1] == 0))
                end--;
        }
        return span[..end];
    }

    private static string DecodeDefault(ReadOnlySpan<byte> span) =>
        System.Text.Ascii.IsValid(span) ? Encoding.ASCII.GetString(span) : Encoding.Latin1.GetString(span);

    private void EnsureLoaded()
    {
        if (!IsLoaded)
            throw new DicomException($"The value of {Tag} ({Length} bytes) was left in its source; read it through {nameof(BulkData)}.");
    }
}
