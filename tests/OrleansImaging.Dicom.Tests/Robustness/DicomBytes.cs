using System.Buffers.Binary;
using System.Text;

namespace OrleansImaging.Dicom.Tests.Robustness;

/// <summary>
/// Builds DICOM bytes by hand, element by element, so tests can produce exactly the malformed
/// input they are about. Little endian only; explicit VR unless <see cref="Implicit"/>.
/// </summary>
internal sealed class DicomBytes
{
    public const string ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";
    public const string ImplicitVRLittleEndian = "1.2.840.10008.1.2";
    public const string DeflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99";
    public const uint Undefined = 0xFFFFFFFF;

    private readonly List<byte> _bytes = [];

    public bool Implicit { get; init; }

    public int Length => _bytes.Count;

    /// <summary>An element with a value; the length field says the value's real length.</summary>
    public DicomBytes Element(ushort group, ushort element, string vr, byte[] value) =>
        Header(group, element, vr, (uint)value.Length).Raw(value);

    /// <summary>A text element, padded to even length with a space.</summary>
    public DicomBytes Text(ushort group, ushort element, string vr, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value.Length % 2 == 1 ? value + (vr == "UI" ? "\0" : " ") : value);
        return Element(group, element, vr, bytes);
    }

    public DicomBytes UShort(ushort group, ushort element, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return Element(group, element, "US", bytes);
    }

    /// <summary>An element header only, with whatever length the test wants declared.</summary>
    public DicomBytes Header(ushort group, ushort element, string vr, uint length)
    {
        U16(group).U16(element);
        if (Implicit)
            return U32(length);
        Raw((byte)vr[0], (byte)vr[1]);
        var vrCode = DicomVRExtensions.ParseVR(vr);
        if (vrCode.HasLongExplicitLength() || vrCode == DicomVR.None)
            return U16(0).U32(length);
        return U16(checked((ushort)length));
    }

    public DicomBytes Item(uint length = Undefined) => U16(0xFFFE).U16(0xE000).U32(length);

    public DicomBytes ItemDelimiter() => U16(0xFFFE).U16(0xE00D).U32(0);

    public DicomBytes SequenceDelimiter() => U16(0xFFFE).U16(0xE0DD).U32(0);

    public DicomBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public DicomBytes U16(ushort value) => Raw((byte)value, (byte)(value >> 8));

    public DicomBytes U32(uint value) => Raw((byte)value, (byte)(value >> 8), (byte)(value >> 16), (byte)(value >> 24));

    public byte[] ToArray() => [.. _bytes];

    /// <summary>A small, valid explicit VR data set: patient and image basics.</summary>
    public static DicomBytes SmallDataset(bool isImplicit = false) => new DicomBytes { Implicit = isImplicit }
        .Text(0x0008, 0x0060, "CS", "CT")
        .Text(0x0010, 0x0010, "PN", "Doe^Jane")
        .Text(0x0010, 0x0020, "LO", "ID42")
        .UShort(0x0028, 0x0010, 4)
        .UShort(0x0028, 0x0011, 4);

    /// <summary>File Meta Information (group 0002), with a group length, optionally without a transfer syntax.</summary>
    public static byte[] Meta(string? transferSyntax)
    {
        var body = new DicomBytes()
            .Element(0x0002, 0x0001, "OB", [0, 1])
            .Text(0x0002, 0x0002, "UI", "1.2.840.10008.5.1.4.1.1.2")
            .Text(0x0002, 0x0003, "UI", "1.2.3.4.5.6.7.8.9");
        if (transferSyntax is not null)
            body.Text(0x0002, 0x0010, "UI", transferSyntax);
        var bodyBytes = body.ToArray();
        return new DicomBytes().Element(0x0002, 0x0000, "UL", BitConverter.GetBytes((uint)bodyBytes.Length)).Raw(bodyBytes).ToArray();
    }

    /// <summary>A Part 10 file: preamble (optional), "DICM", meta, data set.</summary>
    public static byte[] Part10(byte[] dataset, string? transferSyntax = ExplicitVRLittleEndian, bool preamble = true)
    {
        var file = new List<byte>();
        if (preamble)
            file.AddRange(new byte[128]);
        if (preamble)
            file.AddRange("DICM"u8.ToArray());
        file.AddRange(Meta(transferSyntax));
        file.AddRange(dataset);
        return [.. file];
    }
}
