using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace OrleansImaging.Dicom;

public sealed partial class DicomDataset
{
    /// <summary>Adds a string element with the dictionary's VR for <paramref name="tag"/>.</summary>
    /// <exception cref="DicomException">The tag is present, unknown to the dictionary, or not a string VR.</exception>
    public DicomDataset Add(DicomTag tag, params string[] values) => Add(tag, DictionaryVR(tag), values);

    /// <summary>Adds or replaces a string element with the dictionary's VR for <paramref name="tag"/>.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, params string[] values) => AddOrUpdate(tag, DictionaryVR(tag), values);

    /// <summary>Adds a numeric element with the dictionary's VR for <paramref name="tag"/> (US for US-or-SS).</summary>
    public DicomDataset Add<T>(DicomTag tag, params T[] values) where T : struct, INumber<T> => Add(tag, DictionaryVR(tag), values);

    /// <summary>Adds or replaces a numeric element with the dictionary's VR for <paramref name="tag"/>.</summary>
    public DicomDataset AddOrUpdate<T>(DicomTag tag, params T[] values) where T : struct, INumber<T> => AddOrUpdate(tag, DictionaryVR(tag), values);

    /// <summary>Adds a string element (several values are joined with backslashes).</summary>
    /// <exception cref="DicomException">The tag is present, or the VR is not a string VR.</exception>
    public DicomDataset Add(DicomTag tag, DicomVR vr, params string[] values) => Add(CreateStringElement(tag, vr, values));

    /// <summary>Adds or replaces a string element.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DicomVR vr, params string[] values) => AddOrUpdate(CreateStringElement(tag, vr, values));

    /// <summary>Adds a numeric element: binary VRs (US, SS, UL, SL, FL, FD, SV, UV, OW, OF, OD, OL, OV) or IS/DS text.</summary>
    public DicomDataset Add<T>(DicomTag tag, DicomVR vr, params T[] values) where T : struct, INumber<T> =>
        Add(CreateNumericElement(tag, vr, values));

    /// <summary>Adds or replaces a numeric element.</summary>
    public DicomDataset AddOrUpdate<T>(DicomTag tag, DicomVR vr, params T[] values) where T : struct, INumber<T> =>
        AddOrUpdate(CreateNumericElement(tag, vr, values));

    /// <summary>Adds an element with raw little-endian bytes (OB, UN, OW pixel data, …); the array is not copied.</summary>
    public DicomDataset Add(DicomTag tag, DicomVR vr, byte[] rawValue) => Add(new DicomElement(tag, vr, rawValue));

    /// <summary>Adds or replaces an element with raw little-endian bytes; the array is not copied.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DicomVR vr, byte[] rawValue) => AddOrUpdate(new DicomElement(tag, vr, rawValue));

    /// <summary>Adds an element with raw little-endian bytes (OB, UN, OW pixel data, …).</summary>
    public DicomDataset Add(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> rawValue) => Add(new DicomElement(tag, vr, rawValue));

    /// <summary>Adds or replaces an element with raw little-endian bytes.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> rawValue) => AddOrUpdate(new DicomElement(tag, vr, rawValue));

    /// <summary>Adds a sequence with the given items.</summary>
    public DicomDataset Add(DicomTag tag, params DicomDataset[] items) => Add(new DicomSequence(tag, items));

    /// <summary>Adds or replaces a sequence with the given items.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, params DicomDataset[] items) => AddOrUpdate(new DicomSequence(tag, items));

    /// <summary>Adds an AT element.</summary>
    public DicomDataset Add(DicomTag tag, params DicomTag[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 4), values[i].Group);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 4 + 2), values[i].Element);
        }
        return Add(new DicomElement(tag, DicomVR.AT, bytes));
    }

    private DicomElement CreateStringElement(DicomTag tag, DicomVR vr, string[] values)
    {
        if (!vr.IsString())
            throw new DicomException($"{tag}: VR {vr.Code()} does not hold text; use the numeric or raw overloads.");
        if (!vr.IsMultiValuedString() && values.Length > 1)
            throw new DicomException($"{tag}: VR {vr.Code()} holds a single value, not {values.Length}.");
        var joined = string.Join('\\', values);
        // The character set applies to the text VRs; the others are restricted to the default repertoire.
        byte[] bytes;
        if (vr.UsesSpecificCharacterSet())
        {
            bytes = CharacterSet.Encode(joined, vr);
        }
        else
        {
            if (!Ascii.IsValid(joined))
                throw new DicomException($"{tag}: VR {vr.Code()} allows only the default character repertoire.");
            bytes = Encoding.ASCII.GetBytes(joined);
        }
        return new DicomElement(tag, vr, PadToEven(bytes, vr.PaddingByte()));
    }

    private static DicomElement CreateNumericElement<T>(DicomTag tag, DicomVR vr, T[] values) where T : struct, INumber<T>
    {
        if (vr is DicomVR.IS or DicomVR.DS)
        {
            var text = string.Join('\\', values.Select(v => FormatDecimal(double.CreateChecked(v), vr)));
            return new DicomElement(tag, vr, PadToEven(Encoding.ASCII.GetBytes(text), (byte)' '));
        }
        var size = vr.BinaryValueSize();
        if (size == 0 || vr == DicomVR.AT)
            throw new DicomException($"{tag}: VR {vr.Code()} does not hold numbers.");
        var bytes = new byte[size * values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var span = bytes.AsSpan(i * size, size);
            var v = values[i];
            switch (vr)
            {
                case DicomVR.US or DicomVR.OW: BinaryPrimitives.WriteUInt16LittleEndian(span, ushort.CreateChecked(v)); break;
                case DicomVR.SS: BinaryPrimitives.WriteInt16LittleEndian(span, short.CreateChecked(v)); break;
                case DicomVR.UL or DicomVR.OL: BinaryPrimitives.WriteUInt32LittleEndian(span, uint.CreateChecked(v)); break;
                case DicomVR.SL: BinaryPrimitives.WriteInt32LittleEndian(span, int.CreateChecked(v)); break;
                case DicomVR.FL or DicomVR.OF: BinaryPrimitives.WriteSingleLittleEndian(span, float.CreateChecked(v)); break;
                case DicomVR.FD or DicomVR.OD: BinaryPrimitives.WriteDoubleLittleEndian(span, double.CreateChecked(v)); break;
                case DicomVR.SV: BinaryPrimitives.WriteInt64LittleEndian(span, long.CreateChecked(v)); break;
                default: BinaryPrimitives.WriteUInt64LittleEndian(span, ulong.CreateChecked(v)); break;
            }
        }
        return new DicomElement(tag, vr, bytes);
    }

    /// <summary>Formats an IS or DS value within the VR's 12 / 16 character limit.</summary>
    private static string FormatDecimal(double value, DicomVR vr)
    {
        if (vr == DicomVR.IS)
        {
            if (value != Math.Floor(value) || value is > int.MaxValue or < int.MinValue)
                throw new DicomException($"{value} is not an IS value (an integer of at most 12 characters).");
            return ((long)value).ToString(CultureInfo.InvariantCulture);
        }
        for (var precision = 16; precision > 0; precision--)
        {
            var text = value.ToString("G" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (text.Length <= 16)
                return text;
        }
        throw new DicomException($"{value} cannot be written as a DS value of 16 characters.");
    }

    private static DicomVR DictionaryVR(DicomTag tag)
    {
        if (tag.IsPrivate)
            throw new DicomException($"{tag} is private: give its VR explicitly.");
        if (!DicomDictionary.Default.TryGetEntry(tag, out var entry) || entry.DefaultVR == DicomVR.None)
            throw new DicomException($"{tag} is not in the data dictionary: give its VR explicitly.");
        return entry.DefaultVR;
    }

    internal static byte[] PadToEven(byte[] bytes, byte padding)
    {
        if (bytes.Length % 2 == 0)
            return bytes;
        var padded = new byte[bytes.Length + 1];
        bytes.CopyTo(padded, 0);
        padded[^1] = padding;
        return padded;
    }
}
