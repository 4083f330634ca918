using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// Encodes and decodes DIMSE command sets: group 0000 in implicit VR little endian, elements in tag order,
/// led by (0000,0000) Command Group Length (PS3.7 6.3.1). Decoding ignores elements it does not know and
/// throws <see cref="DicomException"/> for a command that is malformed.
/// </summary>
public static class DimseCommandCodec
{
    /// <summary>The largest command set accepted when decoding; real ones are a few hundred bytes.</summary>
    public const int MaxCommandLength = 64 * 1024;

    private const ushort GroupLength = 0x0000;
    private const ushort AffectedSopClassUid = 0x0002;
    private const ushort CommandField = 0x0100;
    private const ushort MessageId = 0x0110;
    private const ushort MessageIdBeingRespondedTo = 0x0120;
    private const ushort Priority = 0x0700;
    private const ushort CommandDataSetType = 0x0800;
    private const ushort Status = 0x0900;
    private const ushort OffendingElement = 0x0901;
    private const ushort ErrorComment = 0x0902;
    private const ushort AffectedSopInstanceUid = 0x1000;
    private const ushort MoveOriginatorAeTitle = 0x1030;
    private const ushort MoveOriginatorMessageId = 0x1031;

    /// <summary>Encodes <paramref name="command"/> into a new array.</summary>
    public static byte[] Encode(DimseCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var elements = new List<(ushort Element, byte[] Value)>(12);
        void Text(ushort element, string? value, byte padding)
        {
            if (value is null)
                return;
            if (!Ascii.IsValid(value))
                throw new DicomException($"The command element (0000,{element:X4}) value '{value}' is not ASCII.");
            var bytes = Encoding.ASCII.GetBytes(value);
            elements.Add((element, bytes.Length % 2 == 0 ? bytes : [.. bytes, padding]));
        }
        void Short(ushort element, ushort? value)
        {
            if (value is { } v)
            {
                var bytes = new byte[2];
                BinaryPrimitives.WriteUInt16LittleEndian(bytes, v);
                elements.Add((element, bytes));
            }
        }

        Text(AffectedSopClassUid, command.AffectedSopClassUid, 0);
        Short(CommandField, (ushort)command.CommandField);
        Short(MessageId, command.MessageId);
        Short(MessageIdBeingRespondedTo, command.MessageIdBeingRespondedTo);
        Short(Priority, command.Priority);
        Short(CommandDataSetType, command.CommandDataSetType);
        Short(Status, command.Status);
        if (command.OffendingElements is { Count: > 0 } offending)
        {
            var bytes = new byte[4 * offending.Count];
            for (var i = 0; i < offending.Count; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4 * i), offending[i].Group);
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4 * i + 2), offending[i].Element);
            }
            elements.Add((OffendingElement, bytes));
        }
        Text(ErrorComment, command.ErrorComment is { Length: > 64 } long_ ? long_[..64] : command.ErrorComment, (byte)' ');
        Text(AffectedSopInstanceUid, command.AffectedSopInstanceUid, 0);
        Text(MoveOriginatorAeTitle, command.MoveOriginatorAeTitle, (byte)' ');
        Short(MoveOriginatorMessageId, command.MoveOriginatorMessageId);

        var groupLength = elements.Sum(e => 8 + e.Value.Length);
        var result = new byte[12 + groupLength];
        var at = WriteHeader(result, GroupLength, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(at), (uint)groupLength);
        at += 4;
        foreach (var (element, value) in elements)
        {
            at += WriteHeader(result.AsSpan(at), element, value.Length);
            value.CopyTo(result.AsSpan(at));
            at += value.Length;
        }
        return result;
    }

    /// <summary>Decodes a command set.</summary>
    /// <exception cref="DicomException">The bytes are not a well-formed command set or lack (0000,0100).</exception>
    public static DimseCommand Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxCommandLength)
            throw new DicomException(Invariant($"The command set is {bytes.Length} bytes, over the {MaxCommandLength} accepted."));
        DimseCommandField? field = null;
        var command = new DimseCommand { CommandField = default };
        var at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 8)
                throw new DicomException("A command element header runs past the end of the command set.", at, null);
            var group = BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);
            var element = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(at + 2)..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(at + 4)..]);
            var tag = new DicomTag(group, element);
            if (group != 0x0000)
                throw new DicomException("A command set holds only group 0000 elements.", at, tag);
            if (length > (uint)(bytes.Length - at - 8))
                throw new DicomException(Invariant($"The command element's length {length} runs past the end of the command set."), at, tag);
            var value = bytes.Slice(at + 8, (int)length);
            switch (element)
            {
                case AffectedSopClassUid:
                    command = command with { AffectedSopClassUid = Uid(value) };
                    break;
                case CommandField:
                    field = (DimseCommandField)Short(value, at, tag);
                    break;
                case MessageId:
                    command = command with { MessageId = Short(value, at, tag) };
                    break;
                case MessageIdBeingRespondedTo:
                    command = command with { MessageIdBeingRespondedTo = Short(value, at, tag) };
                    break;
                case Priority:
                    command = command with { Priority = Short(value, at, tag) };
                    break;
                case CommandDataSetType:
                    command = command with { CommandDataSetType = Short(value, at, tag) };
                    break;
                case Status:
                    command = command with { Status = Short(value, at, tag) };
                    break;
                case OffendingElement:
                    var tags = new DicomTag[value.Length / 4];
                    for (var i = 0; i < tags.Length; i++)
                        tags[i] = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(value[(4 * i)..]), BinaryPrimitives.ReadUInt16LittleEndian(value[(4 * i + 2)..]));
                    command = command with { OffendingElements = tags };
                    break;
                case ErrorComment:
                    command = command with { ErrorComment = Encoding.ASCII.GetString(value).Trim(' ', '\0') };
                    break;
                case AffectedSopInstanceUid:
                    command = command with { AffectedSopInstanceUid = Uid(value) };
                    break;
                case MoveOriginatorAeTitle:
                    command = command with { MoveOriginatorAeTitle = Encoding.ASCII.GetString(value).Trim(' ', '\0') };
                    break;
                case MoveOriginatorMessageId:
                    command = command with { MoveOriginatorMessageId = Short(value, at, tag) };
                    break;
            }
            at += 8 + (int)length;
        }
        return field is { } f
            ? command with { CommandField = f }
            : throw new DicomException("The command set has no (0000,0100) Command Field.");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Uid(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).TrimEnd('\0', ' ');

    private static ushort Short(ReadOnlySpan<byte> value, int at, DicomTag tag) => value.Length == 2
        ? BinaryPrimitives.ReadUInt16LittleEndian(value)
        : throw new DicomException(Invariant($"The US command element has {value.Length} bytes; it must have 2."), at, tag);

    private static int WriteHeader(Span<byte> destination, ushort element, int length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, 0x0000);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], element);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)length);
        return 8;
    }
}
