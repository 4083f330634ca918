using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// Encodes upper layer PDUs (PS3.8 9.3): lengths big-endian, AE titles 16 bytes space-padded,
/// UIDs written as they are (no padding inside items). Throws <see cref="DicomPduException"/> for a PDU
/// that cannot be encoded (an AE title over 16 characters, an even presentation context ID, non-ASCII text,
/// an item over 65535 bytes).
/// </summary>
public static class DicomPduWriter
{
    /// <summary>The size of the PDU header: type, reserved byte, 4-byte length.</summary>
    public const int HeaderLength = 6;

    /// <summary>The number of bytes <paramref name="pdu"/> encodes to, header included.</summary>
    public static int GetEncodedLength(DicomPdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var body = BodyLength(pdu);
        if (body > int.MaxValue - HeaderLength)
            throw new DicomPduException($"The {pdu.Type} PDU would be {body} bytes long, too long to encode.");
        return HeaderLength + (int)body;
    }

    /// <summary>Encodes <paramref name="pdu"/> at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(DicomPdu pdu, Span<byte> destination)
    {
        var length = GetEncodedLength(pdu);
        if (destination.Length < length)
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the PDU needs {length}.", nameof(destination));
        var d = destination[..length];
        d[0] = (byte)pdu.Type;
        d[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(d[2..], (uint)(length - HeaderLength));
        var body = d[HeaderLength..];
        switch (pdu)
        {
            case DicomAssociateRequest rq:
            {
                var at = WriteAssociateStart(rq, body);
                foreach (var pc in rq.PresentationContexts)
                    at += WritePresentationContext(body[at..], pc);
                WriteUserInformation(body[at..], rq.UserInformation);
                break;
            }
            case DicomAssociateAccept ac:
            {
                var at = WriteAssociateStart(ac, body);
                foreach (var pc in ac.PresentationContexts)
                    at += WritePresentationContext(body[at..], pc);
                WriteUserInformation(body[at..], ac.UserInformation);
                break;
            }
            case DicomAssociateReject rj:
                body[0] = 0;
                body[1] = rj.Result;
                body[2] = rj.Source;
                body[3] = rj.Reason;
                break;
            case DicomDataTransfer data:
                WriteData(data, body);
                break;
            case DicomReleaseRequest or DicomReleaseResponse:
                body[..4].Clear();
                break;
            case DicomAbort abort:
                body[0] = 0;
                body[1] = 0;
                body[2] = abort.Source;
                body[3] = abort.Reason;
                break;
            default:
                throw new DicomPduException($"Unknown PDU record {pdu.GetType().Name}.");
        }
        return length;
    }

    /// <summary>Encodes <paramref name="pdu"/> into <paramref name="writer"/>; returns the bytes written.</summary>
    public static int Write(DicomPdu pdu, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = GetEncodedLength(pdu);
        Write(pdu, writer.GetSpan(length));
        writer.Advance(length);
        return length;
    }

    /// <summary>Encodes <paramref name="pdu"/> into a new array.</summary>
    public static byte[] ToArray(DicomPdu pdu)
    {
        var bytes = new byte[GetEncodedLength(pdu)];
        Write(pdu, bytes);
        return bytes;
    }

    private static long BodyLength(DicomPdu pdu) => pdu switch
    {
        DicomAssociateRequest rq => AssociateLength(rq) + rq.PresentationContexts.Sum(pc => (long)PresentationContextLength(pc)),
        DicomAssociateAccept ac => AssociateLength(ac) + ac.PresentationContexts.Sum(pc => (long)PresentationContextLength(pc)),
        DicomDataTransfer data => data.Values.Sum(PresentationDataValueLength),
        DicomAssociateReject or DicomReleaseRequest or DicomReleaseResponse or DicomAbort => 4,
        _ => throw new DicomPduException($"Unknown PDU record {pdu.GetType().Name}."),
    };

    // Fixed part (68 bytes after the header), application context item, user information item.
    private static long AssociateLength(DicomAssociatePdu pdu)
    {
        CheckAeTitle(pdu.CalledAeTitle, "called");
        CheckAeTitle(pdu.CallingAeTitle, "calling");
        return 68L + ItemLength(pdu.ApplicationContext) + UserInformationLength(pdu.UserInformation);
    }

    private static long PresentationDataValueLength(DicomPresentationDataValue pdv)
    {
        CheckContextId(pdv.PresentationContextId);
        return 6L + pdv.Data.Length;
    }

    private static int PresentationContextLength(DicomPresentationContextRequest pc)
    {
        CheckContextId(pc.Id);
        return CheckedItem(8 + ItemLength(pc.AbstractSyntax) + pc.TransferSyntaxes.Sum(ItemLength));
    }

    private static int PresentationContextLength(DicomPresentationContextAccept pc)
    {
        CheckContextId(pc.Id);
        return CheckedItem(8 + ItemLength(pc.TransferSyntax));
    }

    private static int UserInformationLength(DicomUserInformation info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var length = 0;
        if (info.MaximumLength is not null)
            length += 8;
        if (info.ImplementationClassUid is { } uid)
            length += ItemLength(uid);
        if (info.ImplementationVersionName is { } name)
        {
            if (name.Length is 0 or > 16)
                throw new DicomPduException($"The implementation version name '{name}' must be 1 to 16 characters.");
            length += ItemLength(name);
        }
        foreach (var item in info.OtherSubItems)
            length += CheckedItem(4 + item.Value.Length);
        return CheckedItem(4 + length);
    }

    // An item's header plus its ASCII text.
    private static int ItemLength(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Ascii.IsValid(text))
            throw new DicomPduException($"'{text}' is not ASCII.");
        return CheckedItem(4 + text.Length);
    }

    private static int CheckedItem(int length) => length - 4 <= ushort.MaxValue
        ? length
        : throw new DicomPduException(string.Create(CultureInfo.InvariantCulture, $"An item of {length - 4} bytes is over the 65535 an item length holds."));

    private static void CheckAeTitle(string title, string which)
    {
        ArgumentNullException.ThrowIfNull(title);
        if (title.Length > 16)
            throw new DicomPduException($"The {which} AE title '{title}' is {title.Length} characters; at most 16 are allowed.");
        if (!Ascii.IsValid(title))
            throw new DicomPduException($"The {which} AE title '{title}' is not ASCII.");
    }

    private static void CheckContextId(byte id)
    {
        if (id == 0 || id % 2 == 0)
            throw new DicomPduException($"Presentation context ID {id} is not odd (PS3.8 9.3.2.2: odd, 1 to 255).");
    }

    // The fixed fields and the application context item; returns where the presentation contexts start.
    private static int WriteAssociateStart(DicomAssociatePdu pdu, Span<byte> body)
    {
        BinaryPrimitives.WriteUInt16BigEndian(body, pdu.ProtocolVersion);
        body.Slice(2, 2).Clear();
        WriteAeTitle(pdu.CalledAeTitle, body.Slice(4, 16));
        WriteAeTitle(pdu.CallingAeTitle, body.Slice(20, 16));
        body.Slice(36, 32).Clear();
        return 68 + WriteItem(body[68..], 0x10, pdu.ApplicationContext);
    }

    private static void WriteAeTitle(string title, Span<byte> field)
    {
        field.Fill((byte)' ');
        Encoding.ASCII.GetBytes(title, field);
    }

    private static int WritePresentationContext(Span<byte> d, DicomPresentationContextRequest pc)
    {
        var at = WriteContextHeader(d, 0x20, pc.Id, 0);
        at += WriteItem(d[at..], 0x30, pc.AbstractSyntax);
        foreach (var ts in pc.TransferSyntaxes)
            at += WriteItem(d[at..], 0x40, ts);
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)(at - 4));
        return at;
    }

    private static int WritePresentationContext(Span<byte> d, DicomPresentationContextAccept pc)
    {
        var at = WriteContextHeader(d, 0x21, pc.Id, (byte)pc.Result);
        at += WriteItem(d[at..], 0x40, pc.TransferSyntax);
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)(at - 4));
        return at;
    }

    // Item type, reserved, length (filled in by the caller), ID, reserved, result/reason, reserved.
    private static int WriteContextHeader(Span<byte> d, byte type, byte id, byte result)
    {
        d[0] = type;
        d[1] = 0;
        d[4] = id;
        d[5] = 0;
        d[6] = result;
        d[7] = 0;
        return 8;
    }

    private static void WriteUserInformation(Span<byte> d, DicomUserInformation info)
    {
        d[0] = 0x50;
        d[1] = 0;
        var at = 4;
        if (info.MaximumLength is { } max)
        {
            WriteHeader(d[at..], 0x51, 4);
            BinaryPrimitives.WriteUInt32BigEndian(d[(at + 4)..], max);
            at += 8;
        }
        if (info.ImplementationClassUid is { } uid)
            at += WriteItem(d[at..], 0x52, uid);
        // Standard order (PS3.7 annex D.3.3): 51H, 52H, 53H, 54H, 55H, then later types.
        foreach (var item in info.OtherSubItems.Where(i => i.Type < 0x55))
            at += WriteRaw(d[at..], item);
        if (info.ImplementationVersionName is { } name)
            at += WriteItem(d[at..], 0x55, name);
        foreach (var item in info.OtherSubItems.Where(i => i.Type >= 0x55))
            at += WriteRaw(d[at..], item);
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)(at - 4));
    }

    private static int WriteRaw(Span<byte> d, DicomUserInformationSubItem item)
    {
        WriteHeader(d, item.Type, item.Value.Length);
        item.Value.Span.CopyTo(d[4..]);
        return 4 + item.Value.Length;
    }

    private static int WriteItem(Span<byte> d, byte type, string text)
    {
        WriteHeader(d, type, text.Length);
        Encoding.ASCII.GetBytes(text, d[4..]);
        return 4 + text.Length;
    }

    private static void WriteHeader(Span<byte> d, byte type, int length)
    {
        d[0] = type;
        d[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)length);
    }

    private static void WriteData(DicomDataTransfer data, Span<byte> d)
    {
        var at = 0;
        foreach (var pdv in data.Values)
        {
            BinaryPrimitives.WriteUInt32BigEndian(d[at..], (uint)(pdv.Data.Length + 2));
            d[at + 4] = pdv.PresentationContextId;
            d[at + 5] = (byte)((pdv.IsCommand ? 1 : 0) | (pdv.IsLast ? 2 : 0));
            pdv.Data.Span.CopyTo(d[(at + 6)..]);
            at += 6 + pdv.Data.Length;
        }
    }
}
