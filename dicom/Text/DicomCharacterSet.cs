using System.Text;

namespace OrleansImaging.Dicom.Text;

/// <summary>
/// Specific Character Set handling (interim: default repertoire, Latin-1 and UTF-8 only; the
/// full implementation with ISO 2022 code extensions replaces this file).
/// </summary>
public sealed class DicomCharacterSet
{
    private readonly Encoding _encoding;

    private DicomCharacterSet(IReadOnlyList<string> terms, Encoding encoding, bool isKnown)
    {
        Terms = terms;
        _encoding = encoding;
        IsKnown = isKnown;
    }

    /// <summary>The default repertoire (ISO-IR 6).</summary>
    public static DicomCharacterSet Default { get; } = new([], Encoding.ASCII, true);

    /// <summary>The terms of (0008,0005) as given.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>False when a term is not recognized.</summary>
    public bool IsKnown { get; }

    /// <summary>Parses the raw (0008,0005) value; never throws.</summary>
    public static DicomCharacterSet Parse(string? specificCharacterSet)
    {
        if (string.IsNullOrWhiteSpace(specificCharacterSet))
            return Default;
        var terms = specificCharacterSet.Split('\\').Select(t => t.Trim()).ToArray();
        return terms[0] switch
        {
            "ISO_IR 192" => new DicomCharacterSet(terms, Encoding.UTF8, true),
            "ISO_IR 100" => new DicomCharacterSet(terms, Encoding.Latin1, true),
            "" or "ISO_IR 6" => new DicomCharacterSet(terms, Encoding.ASCII, true),
            _ => new DicomCharacterSet(terms, Encoding.Latin1, false),
        };
    }

    /// <summary>Decodes a raw value.</summary>
    public string Decode(ReadOnlySpan<byte> value, DicomVR vr) => _encoding.GetString(value);

    /// <summary>Encodes text.</summary>
    public byte[] Encode(string text, DicomVR vr) => _encoding.GetBytes(text);
}
