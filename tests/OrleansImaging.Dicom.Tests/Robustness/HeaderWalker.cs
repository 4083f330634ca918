using System.Buffers.Binary;

namespace OrleansImaging.Dicom.Tests.Robustness;

/// <summary>Where one element (or item/delimiter) header is in a file, for targeted mutations.</summary>
/// <param name="Offset">The first byte of the tag.</param>
/// <param name="VROffset">The first VR byte, or -1 (implicit VR, items, delimiters).</param>
/// <param name="LengthOffset">The first byte of the length field.</param>
/// <param name="LengthSize">2 or 4.</param>
/// <param name="BigEndian">The byte order of the tag and length.</param>
internal readonly record struct ElementHeader(int Offset, int VROffset, int LengthOffset, int LengthSize, bool BigEndian);

/// <summary>
/// A deliberately simple walker, independent of the reader under test, that finds the element
/// headers of a well-formed file: File Meta Information in explicit VR little endian, then the data
/// set in the given encoding, descending into sequences and items and stepping over fragments.
/// It stops at the first thing it does not understand; mutations only need most headers.
/// </summary>
internal static class HeaderWalker
{
    public static List<ElementHeader> Walk(byte[] data, bool explicitVR, bool bigEndian, bool deflated)
    {
        var headers = new List<ElementHeader>();
        var pos = data.Length >= 132 && data.AsSpan(128, 4).SequenceEqual("DICM"u8) ? 132 : 0;
        var inMeta = true;
        var inFragments = false;
        while (pos + 8 <= data.Length)
        {
            var span = data.AsSpan(pos);
            if (inMeta && BinaryPrimitives.ReadUInt16LittleEndian(span) != 0x0002)
            {
                inMeta = false;
                if (deflated)
                    break;
            }
            var explicitHere = inMeta || explicitVR;
            var big = !inMeta && bigEndian;
            var group = big ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
            var element = big ? BinaryPrimitives.ReadUInt16BigEndian(span[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(span[2..]);
            if (group == 0xFFFE)
            {
                var itemLength = U32(span[4..], big);
                headers.Add(new ElementHeader(pos, -1, pos + 4, 4, big));
                if (element == 0xE000 && inFragments)
                {
                    if (itemLength == uint.MaxValue)
                        break;
                    pos += 8 + (int)Math.Min(itemLength, int.MaxValue - 8);
                }
                else
                {
                    inFragments &= element != 0xE0DD;
                    pos += 8;
                }
                continue;
            }
            int headerLength;
            uint length;
            var vr = DicomVR.None;
            if (explicitHere)
            {
                vr = DicomVRExtensions.FromBytes(span[4], span[5]);
                if (vr == DicomVR.None)
                    break;
                if (vr.HasLongExplicitLength())
                {
                    if (span.Length < 12)
                        break;
                    headerLength = 12;
                    length = U32(span[8..], big);
                    headers.Add(new ElementHeader(pos, pos + 4, pos + 8, 4, big));
                }
                else
                {
                    headerLength = 8;
                    length = big ? BinaryPrimitives.ReadUInt16BigEndian(span[6..]) : BinaryPrimitives.ReadUInt16LittleEndian(span[6..]);
                    headers.Add(new ElementHeader(pos, pos + 4, pos + 6, 2, big));
                }
            }
            else
            {
                headerLength = 8;
                length = U32(span[4..], big);
                headers.Add(new ElementHeader(pos, -1, pos + 4, 4, big));
            }
            if (length == uint.MaxValue)
            {
                inFragments = group == 0x7FE0 && element == 0x0010;
                pos += headerLength;
                continue;
            }
            var startsWithItem = span.Length >= headerLength + 4 && group != 0x7FE0 && IsItemTag(span[headerLength..], big);
            if (vr == DicomVR.SQ || ((vr is DicomVR.None or DicomVR.UN) && startsWithItem))
                pos += headerLength;
            else
                pos += headerLength + (int)Math.Min(length, int.MaxValue - headerLength);
        }
        return headers;
    }

    private static bool IsItemTag(ReadOnlySpan<byte> span, bool bigEndian) => bigEndian
        ? BinaryPrimitives.ReadUInt16BigEndian(span) == 0xFFFE && BinaryPrimitives.ReadUInt16BigEndian(span[2..]) == 0xE000
        : BinaryPrimitives.ReadUInt16LittleEndian(span) == 0xFFFE && BinaryPrimitives.ReadUInt16LittleEndian(span[2..]) == 0xE000;

    private static uint U32(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
}
