using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using OrleansImaging.Dicom.Text;

namespace OrleansImaging.Dicom;

public sealed partial class DicomDataset
{
    /// <summary>
    /// The value at <paramref name="index"/> of the element with this tag, converted to
    /// <typeparamref name="T"/>: string, string[], numbers (from binary VRs or IS/DS text),
    /// <see cref="DicomTag"/>, <see cref="DateOnly"/>, <see cref="TimeOnly"/>, byte[] (the raw value),
    /// or <see cref="DicomDataset"/> (the item at <paramref name="index"/> of a sequence).
    /// </summary>
    /// <exception cref="DicomException">The element is absent, has no such value, or cannot be converted.</exception>
    public T Get<T>(DicomTag tag, int index = 0)
    {
        if (!TryGetAttribute(tag, out var attribute))
            throw new DicomException($"The data set has no {tag}.");
        if (TryConvert<T>(attribute, index, out var value, out var problem))
            return value;
        throw new DicomException(problem ?? $"{tag} has no value at index {index}.");
    }

    /// <summary>Like <see cref="Get{T}"/>, returning false instead of throwing.</summary>
    public bool TryGet<T>(DicomTag tag, [MaybeNullWhen(false)] out T value) => TryGet(tag, 0, out value);

    /// <summary>Like <see cref="Get{T}"/>, returning false instead of throwing.</summary>
    public bool TryGet<T>(DicomTag tag, int index, [MaybeNullWhen(false)] out T value)
    {
        value = default;
        return TryGetAttribute(tag, out var attribute) && TryConvert(attribute, index, out value, out _);
    }

    /// <summary>Like <see cref="Get{T}"/>, returning <paramref name="defaultValue"/> when absent or not convertible.</summary>
    public T GetOrDefault<T>(DicomTag tag, T defaultValue) => TryGet<T>(tag, 0, out var value) ? value : defaultValue;

    /// <summary>Like <see cref="Get{T}"/>, returning <paramref name="defaultValue"/> when absent or not convertible.</summary>
    public T GetOrDefault<T>(DicomTag tag, int index, T defaultValue) => TryGet<T>(tag, index, out var value) ? value : defaultValue;

    /// <summary>The whole value of a string element as text (padding removed), or null when absent.</summary>
    public string? GetStringOrNull(DicomTag tag) =>
        TryGetAttribute(tag, out var attribute) && attribute is DicomElement { IsLoaded: true } element
            ? element.GetText(CharacterSet)
            : null;

    /// <summary>Every value of the element with this tag converted to <typeparamref name="T"/>; empty when absent.</summary>
    public T[] GetValues<T>(DicomTag tag)
    {
        if (!TryGetAttribute(tag, out var attribute))
            return [];
        var count = attribute switch
        {
            DicomElement element => element.Count,
            DicomSequence sequence => sequence.Items.Count,
            _ => 1,
        };
        var values = new T[count];
        for (var i = 0; i < count; i++)
        {
            if (!TryConvert<T>(attribute, i, out var value, out var problem))
                throw new DicomException(problem ?? $"{tag} value {i} cannot be read as {typeof(T).Name}.");
            values[i] = value;
        }
        return values;
    }

    private bool TryConvert<T>(DicomAttribute attribute, int index, [MaybeNullWhen(false)] out T value, out string? problem)
    {
        value = default;
        problem = null;
        object? result;
        try
        {
            result = Convert(attribute, index, typeof(T), CharacterSet);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or DicomException)
        {
            problem = $"{attribute.Tag} {attribute.VR.Code()} value {index} cannot be read as {typeof(T).Name}: {ex.Message}";
            return false;
        }
        if (result is T typed)
        {
            value = typed;
            return true;
        }
        return false;
    }

    private static object? Convert(DicomAttribute attribute, int index, Type type, DicomCharacterSet characterSet)
    {
        if (attribute is DicomSequence sequence)
        {
            if (type == typeof(DicomDataset))
                return index >= 0 && index < sequence.Items.Count ? sequence.Items[index] : null;
            return type == typeof(DicomSequence) ? sequence : null;
        }
        if (attribute is not DicomElement element)
            return null;
        if (type == typeof(byte[]))
            return element.IsLoaded ? element.RawValue.ToArray() : null;
        if (type == typeof(string[]))
            return element.VR.IsString() ? element.GetStrings(characterSet) : null;
        if (element.Length == 0)
            return null;
        if (element.VR.IsString())
        {
            var strings = element.GetStrings(characterSet);
            if (index < 0 || index >= strings.Length)
                return null;
            var text = strings[index];
            if (type == typeof(string))
                return text;
            if (type == typeof(DicomPersonName))
                return DicomPersonName.Parse(text);
            return ParseText(text, type);
        }
        if (type == typeof(string))
            return index == 0 && element.VR.BinaryValueSize() == 0 ? element.GetText(characterSet) : element.FormatBinaryValue(index);
        if (element.VR == DicomVR.AT && type == typeof(DicomTag))
            return element.GetAttributeTag(index);
        if (element.VR.BinaryValueSize() == 0 || index < 0 || index >= element.Count)
            return null;
        // A length that is not a whole number of values means the VR or the length is wrong (a
        // 3-byte Rows): no value of it can be trusted.
        if (element.Length % element.VR.BinaryValueSize() != 0)
            throw new DicomException($"{element.Tag} {element.VR.Code()} has {element.Length} bytes, not a whole number of {element.VR.BinaryValueSize()}-byte values.");
        var number = element.GetBinaryNumber(index);
        return ConvertNumber(number, type);
    }

    private static object? ParseText(string text, Type type)
    {
        var c = CultureInfo.InvariantCulture;
        var style = NumberStyles.Float;
        if (type == typeof(int)) return int.Parse(text, NumberStyles.Integer, c);
        if (type == typeof(long)) return long.Parse(text, NumberStyles.Integer, c);
        if (type == typeof(uint)) return uint.Parse(text, NumberStyles.Integer, c);
        if (type == typeof(ushort)) return ushort.Parse(text, NumberStyles.Integer, c);
        if (type == typeof(short)) return short.Parse(text, NumberStyles.Integer, c);
        if (type == typeof(ulong)) return ulong.Parse(text, NumberStyles.Integer, c);
        if (type == typeof(double)) return double.Parse(text, style, c);
        if (type == typeof(float)) return float.Parse(text, style, c);
        if (type == typeof(decimal)) return decimal.Parse(text, style, c);
        if (type == typeof(DateOnly)) return DateOnly.ParseExact(text, "yyyyMMdd", c);
        if (type == typeof(TimeOnly)) return DicomDateTime.ParseTime(text);
        if (type == typeof(DicomTag)) return DicomTag.Parse(text);
        return null;
    }

    private static object? ConvertNumber(double number, Type type)
    {
        checked
        {
            if (type == typeof(double)) return number;
            if (type == typeof(float)) return (float)number;
            if (type == typeof(decimal)) return (decimal)number;
            if (number != Math.Floor(number))
                throw new FormatException($"{number} is not an integer.");
            if (type == typeof(int)) return (int)number;
            if (type == typeof(uint)) return (uint)number;
            if (type == typeof(long)) return (long)number;
            if (type == typeof(ulong)) return (ulong)number;
            if (type == typeof(ushort)) return (ushort)number;
            if (type == typeof(short)) return (short)number;
        }
        return null;
    }
}
