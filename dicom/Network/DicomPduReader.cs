using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// Decodes upper layer PDUs (PS3.8 9.3) from received bytes. <c>TryRead</c> returns false while the buffer
/// holds less than a whole PDU, and throws <see cref="DicomPduException"/> for a malformed one: an unknown PDU
/// type, a PDU length over the configured maximum (refused from the 6-byte header, before the body is
/// buffered), an item running past its parent, a fixed-length PDU of the wrong length, or a presentation
/// context ID that is zero or even. The decoded PDU owns its bytes: it does not refer to the buffer.
/// </summary>
public static class DicomPduReader
{
    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Decodes the PDU at the start of <paramref name="buffer"/>. <paramref name="maxPduLength"/> bounds the PDU
    /// length field (the bytes after the 6-byte header).
    /// </summary>
    /// <returns>True with the PDU and the bytes it took; false when more bytes are needed.</returns>
    public static bool TryRead(ReadOnlySequence<byte> buffer, int maxPduLength, [NotNullWhen(true)] out DicomPdu? pdu, out long consumed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPduLength);
        pdu = null;
        consumed = 0;
        if (buffer.Length < DicomPduWriter.HeaderLength)
            return false;
        Span<byte> header = stackalloc byte[DicomPduWriter.HeaderLength];
        buffer.Slice(0, DicomPduWriter.HeaderLength).CopyTo(header);
        var (type, length) = ReadHeader(header, maxPduLength);
        if (buffer.Length - DicomPduWriter.HeaderLength < length)
            return false;
        var body = buffer.Slice(DicomPduWriter.HeaderLength, length);
        if (type == DicomPduType.DataTransfer)
        {
            // The PDVs keep slices of one array the PDU owns.
            var owned = new byte[length];
            body.CopyTo(owned);
            pdu = ReadData(owned);
        }
        else if (body.IsSingleSegment)
        {
            pdu = ReadBody(type, body.FirstSpan);
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent((int)length);
            try
            {
                body.CopyTo(rented);
                pdu = ReadBody(type, rented.AsSpan(0, (int)length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        consumed = DicomPduWriter.HeaderLength + length;
        return true;
    }

    /// <summary>Decodes the PDU at the start of <paramref name="buffer"/>; see the sequence overload.</summary>
    /// <returns>True with the PDU and the bytes it took; false when more bytes are needed.</returns>
    public static bool TryRead(ReadOnlySpan<byte> buffer, int maxPduLength, [NotNullWhen(true)] out DicomPdu? pdu, out int consumed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPduLength);
        pdu = null;
        consumed = 0;
        if (buffer.Length < DicomPduWriter.HeaderLength)
            return false;
        var (type, length) = ReadHeader(buffer, maxPduLength);
        if (buffer.Length - DicomPduWriter.HeaderLength < length)
            return false;
        var body = buffer.Slice(DicomPduWriter.HeaderLength, (int)length);
        pdu = type == DicomPduType.DataTransfer ? ReadData(body.ToArray()) : ReadBody(type, body);
        consumed = DicomPduWriter.HeaderLength + (int)length;
        return true;
    }

    private static (DicomPduType Type, uint Length) ReadHeader(ReadOnlySpan<byte> header, int maxPduLength)
    {
        var type = header[0];
        if (type is < 0x01 or > 0x07)
            throw new DicomPduException(Invariant($"Unknown PDU type 0x{type:X2}."), 0);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[2..]);
        if (length > (uint)maxPduLength)
            throw new DicomPduException(Invariant($"The PDU length {length} is over the maximum of {maxPduLength}."), 2);
        return ((DicomPduType)type, length);
    }

    private static DicomPdu ReadBody(DicomPduType type, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case DicomPduType.AssociateRequest:
            case DicomPduType.AssociateAccept:
                return ReadAssociate(type, body);
            default:
                if (body.Length != 4)
                    throw new DicomPduException(Invariant($"A {type} PDU has length {body.Length}; it must be 4."), 2);
                return type switch
                {
                    DicomPduType.AssociateReject => new DicomAssociateReject(body[1], body[2], body[3]),
                    DicomPduType.ReleaseRequest => new DicomReleaseRequest(),
                    DicomPduType.ReleaseResponse => new DicomReleaseResponse(),
                    _ => new DicomAbort(body[2], body[3]),
                };
        }
    }

    // Offsets in messages are from the PDU's first byte: the body starts at 6.
    private const int BodyOffset = DicomPduWriter.HeaderLength;

    private static DicomPdu ReadAssociate(DicomPduType type, ReadOnlySpan<byte> body)
    {
        if (body.Length < 68)
            throw new DicomPduException(Invariant($"A {type} PDU has length {body.Length}; its fixed fields alone take 68."), 2);
        var version = BinaryPrimitives.ReadUInt16BigEndian(body);
        var called = ReadAeTitle(body.Slice(4, 16));
        var calling = ReadAeTitle(body.Slice(20, 16));
        string? context = null;
        var requests = new List<DicomPresentationContextRequest>();
        var accepts = new List<DicomPresentationContextAccept>();
        var info = new DicomUserInformation(null, null, null, []);
        var items = new ItemReader(body, 68, BodyOffset);
        while (items.Next(out var itemType, out var value, out var valueOffset))
        {
            switch (itemType)
            {
                case 0x10:
                    context = ReadUid(value);
                    break;
                case 0x20 when type == DicomPduType.AssociateRequest:
                    requests.Add(ReadContextRequest(value, valueOffset));
                    break;
                case 0x21 when type == DicomPduType.AssociateAccept:
                    accepts.Add(ReadContextAccept(value, valueOffset));
                    break;
                case 0x50:
                    info = ReadUserInformation(value, valueOffset);
                    break;
                default:
                    // PS3.8 9.3.1: items of unrecognized types are ignored and skipped.
                    break;
            }
        }
        if (context is null)
            throw new DicomPduException(Invariant($"A {type} PDU has no application context item."), 2);
        return type == DicomPduType.AssociateRequest
            ? new DicomAssociateRequest(called, calling, context, requests, info) { ProtocolVersion = version }
            : new DicomAssociateAccept(called, calling, context, accepts, info) { ProtocolVersion = version };
    }

    private static DicomPresentationContextRequest ReadContextRequest(ReadOnlySpan<byte> value, int offset)
    {
        var id = ReadContextId(value, offset);
        string? abstractSyntax = null;
        var transferSyntaxes = new List<string>();
        var items = new ItemReader(value, 4, offset);
        while (items.Next(out var type, out var sub, out _))
        {
            if (type == 0x30)
                abstractSyntax = ReadUid(sub);
            else if (type == 0x40)
                transferSyntaxes.Add(ReadUid(sub));
        }
        if (abstractSyntax is null)
            throw new DicomPduException(Invariant($"Presentation context {id} has no abstract syntax."), offset);
        return new DicomPresentationContextRequest(id, abstractSyntax, transferSyntaxes);
    }

    private static DicomPresentationContextAccept ReadContextAccept(ReadOnlySpan<byte> value, int offset)
    {
        var id = ReadContextId(value, offset);
        var transferSyntax = "";
        var items = new ItemReader(value, 4, offset);
        while (items.Next(out var type, out var sub, out _))
        {
            if (type == 0x40)
                transferSyntax = ReadUid(sub);
        }
        return new DicomPresentationContextAccept(id, (DicomPresentationContextResult)value[2], transferSyntax);
    }

    private static byte ReadContextId(ReadOnlySpan<byte> value, int offset)
    {
        if (value.Length < 4)
            throw new DicomPduException(Invariant($"A presentation context item of {value.Length} bytes is shorter than its 4 fixed bytes."), offset);
        var id = value[0];
        if (id == 0 || id % 2 == 0)
            throw new DicomPduException(Invariant($"Presentation context ID {id} is not odd (PS3.8 9.3.2.2: odd, 1 to 255)."), offset);
        return id;
    }

    private static DicomUserInformation ReadUserInformation(ReadOnlySpan<byte> value, int offset)
    {
        uint? maximumLength = null;
        string? classUid = null;
        string? versionName = null;
        var others = new List<DicomUserInformationSubItem>();
        var items = new ItemReader(value, 0, offset);
        while (items.Next(out var type, out var sub, out var subOffset))
        {
            switch (type)
            {
                case 0x51:
                    if (sub.Length != 4)
                        throw new DicomPduException(Invariant($"The maximum length sub-item has {sub.Length} bytes; it must have 4."), subOffset);
                    maximumLength = BinaryPrimitives.ReadUInt32BigEndian(sub);
                    break;
                case 0x52:
                    classUid = ReadUid(sub);
                    break;
                case 0x55:
                    versionName = ReadUid(sub);
                    break;
                default:
                    others.Add(new DicomUserInformationSubItem(type, sub.ToArray()));
                    break;
            }
        }
        return new DicomUserInformation(maximumLength, classUid, versionName, others);
    }

    private static DicomDataTransfer ReadData(byte[] body)
    {
        var values = new List<DicomPresentationDataValue>();
        var at = 0;
        while (at < body.Length)
        {
            if (body.Length - at < 4)
                throw new DicomPduException("A presentation data value item header runs past the end of its PDU.", BodyOffset + at);
            var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(at));
            if (length < 2)
                throw new DicomPduException(Invariant($"A presentation data value item of length {length} is shorter than its 2-byte header."), BodyOffset + at);
            if (length > (uint)(body.Length - at - 4))
                throw new DicomPduException(Invariant($"A presentation data value item of length {length} runs past the end of its PDU."), BodyOffset + at);
            var id = body[at + 4];
            if (id == 0 || id % 2 == 0)
                throw new DicomPduException(Invariant($"Presentation context ID {id} is not odd (PS3.8 9.3.2.2: odd, 1 to 255)."), BodyOffset + at + 4);
            var control = body[at + 5];
            values.Add(new DicomPresentationDataValue(id, (control & 1) != 0, (control & 2) != 0, body.AsMemory(at + 6, (int)length - 2)));
            at += 4 + (int)length;
        }
        return new DicomDataTransfer(values);
    }

    // Space padding both ends is not significant in an AE title (PS3.5 table 6.2-1); some senders pad with NULs.
    private static string ReadAeTitle(ReadOnlySpan<byte> field) => Encoding.ASCII.GetString(field).Trim(' ', '\0');

    // UIDs are not padded inside items (PS3.8 annex F), but trailing NUL or space from lenient senders is dropped.
    private static string ReadUid(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).TrimEnd('\0', ' ');

    /// <summary>Walks items of the form type, reserved, 2-byte big-endian length, value.</summary>
    private ref struct ItemReader(ReadOnlySpan<byte> parent, int start, int parentOffset)
    {
        private readonly ReadOnlySpan<byte> _parent = parent;
        private int _at = start;

        public bool Next(out byte type, out ReadOnlySpan<byte> value, out int valueOffset)
        {
            value = default;
            valueOffset = 0;
            type = 0;
            if (_at == _parent.Length)
                return false;
            if (_parent.Length - _at < 4)
                throw new DicomPduException("An item header runs past the end of its parent.", parentOffset + _at);
            type = _parent[_at];
            var length = BinaryPrimitives.ReadUInt16BigEndian(_parent[(_at + 2)..]);
            if (length > _parent.Length - _at - 4)
                throw new DicomPduException(Invariant($"Item 0x{type:X2} has length {length}, past the end of its parent."), parentOffset + _at + 2);
            value = _parent.Slice(_at + 4, length);
            valueOffset = parentOffset + _at + 4;
            _at += 4 + length;
            return true;
        }
    }
}
