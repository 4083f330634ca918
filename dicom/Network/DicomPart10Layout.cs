using System.Buffers.Binary;
using System.Text;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// Where the data set of a Part 10 file starts and what its File Meta Information says, read from the meta group
/// alone: a sender streams the bytes after it as they are, without parsing (or holding) the data set.
/// </summary>
/// <param name="SopClassUid">(0002,0002) Media Storage SOP Class UID.</param>
/// <param name="SopInstanceUid">(0002,0003) Media Storage SOP Instance UID.</param>
/// <param name="TransferSyntax">(0002,0010) Transfer Syntax UID.</param>
/// <param name="DataSetOffset">The offset of the data set's first byte.</param>
public sealed record DicomPart10Layout(string SopClassUid, string SopInstanceUid, DicomTransferSyntax TransferSyntax, long DataSetOffset)
{
    /// <summary>Reads the layout of the Part 10 file at <paramref name="path"/>.</summary>
    /// <exception cref="DicomException">The file is not Part 10 (no "DICM" at 128) or its meta group lacks one of the UIDs.</exception>
    public static async Task<DicomPart10Layout> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            // The meta group is small; 16 KiB holds any real one (private meta elements included).
            var head = new byte[(int)Math.Min(stream.Length, 16 * 1024)];
            await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
            return Parse(head, path);
        }
    }

    private static DicomPart10Layout Parse(ReadOnlySpan<byte> head, string path)
    {
        if (head.Length < 132 || !head.Slice(128, 4).SequenceEqual("DICM"u8))
            throw new DicomException($"'{Path.GetFileName(path)}' is not a DICOM Part 10 file (no \"DICM\" at offset 128).");
        string? sopClass = null, sopInstance = null, syntax = null;
        var at = 132;
        while (head.Length - at >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(head[at..]) == 0x0002)
        {
            var element = BinaryPrimitives.ReadUInt16LittleEndian(head[(at + 2)..]);
            var vr = Encoding.ASCII.GetString(head.Slice(at + 4, 2));
            int headerLength;
            long length;
            if (vr is "OB" or "OW" or "OF" or "OD" or "OL" or "OV" or "SQ" or "UN" or "UT" or "UC" or "UR" or "SV" or "UV")
            {
                if (head.Length - at < 12)
                    break;
                headerLength = 12;
                length = BinaryPrimitives.ReadUInt32LittleEndian(head[(at + 8)..]);
            }
            else
            {
                headerLength = 8;
                length = BinaryPrimitives.ReadUInt16LittleEndian(head[(at + 6)..]);
            }
            if (length > head.Length - at - headerLength)
                throw new DicomException($"'{Path.GetFileName(path)}': the File Meta Information element (0002,{element:X4}) runs past what was read.", at, null);
            var value = Encoding.ASCII.GetString(head.Slice(at + headerLength, (int)length)).TrimEnd('\0', ' ');
            switch (element)
            {
                case 0x0002: sopClass = value; break;
                case 0x0003: sopInstance = value; break;
                case 0x0010: syntax = value; break;
            }
            at += headerLength + (int)length;
        }
        if (string.IsNullOrEmpty(sopClass) || string.IsNullOrEmpty(sopInstance) || string.IsNullOrEmpty(syntax))
            throw new DicomException($"'{Path.GetFileName(path)}': the File Meta Information lacks the SOP Class UID, SOP Instance UID or Transfer Syntax UID.");
        return new DicomPart10Layout(sopClass, sopInstance, DicomTransferSyntax.Lookup(syntax), at);
    }
}
