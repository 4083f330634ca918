using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace OrleansImaging.Dicom.Tests.Robustness;

/// <summary>
/// Applies random, reproducible damage to a file: byte flips, truncation, rewritten length fields,
/// rewritten VRs and tags swapped for item and delimiter tags, alone or combined. Everything comes
/// from the <see cref="Random"/> given, so a seed reproduces a variant exactly.
/// </summary>
internal static class Mutator
{
    private static readonly string[] VRCodes =
    [
        "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW",
        "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV",
    ];

    private static readonly uint[] SpecialTags = [0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD, 0x7FE00010, 0x00080005];

    public static byte[] Mutate(byte[] original, IReadOnlyList<ElementHeader> headers, Random random, StringBuilder description)
    {
        var data = (byte[])original.Clone();
        var kind = random.Next(6);
        if (kind == 5)
        {
            var count = random.Next(2, 5);
            for (var i = 0; i < count; i++)
                data = Apply(data, random.Next(5), headers, random, description);
            return data;
        }
        return Apply(data, kind, headers, random, description);
    }

    private static byte[] Apply(byte[] data, int kind, IReadOnlyList<ElementHeader> headers, Random random, StringBuilder description)
    {
        // Headers past a truncation point no longer exist.
        var usable = headers.Where(h => h.LengthOffset + h.LengthSize <= data.Length).ToList();
        if (kind is 2 or 3 or 4 && usable.Count == 0)
            kind = 0;
        switch (kind)
        {
            case 0:
                var flips = random.Next(1, 9);
                for (var i = 0; i < flips && data.Length > 0; i++)
                {
                    var at = random.Next(data.Length);
                    var value = random.Next(2) == 0 ? (byte)(data[at] ^ (1 << random.Next(8))) : (byte)random.Next(256);
                    Note(description, $"byte@{at} 0x{data[at]:X2}->0x{value:X2}");
                    data[at] = value;
                }
                return data;
            case 1:
                var cut = random.Next(data.Length);
                Note(description, $"truncate@{cut}");
                return data[..cut];
            case 2:
                RewriteLength(data, usable[random.Next(usable.Count)], random, description);
                return data;
            case 3:
                var withVR = usable.Where(h => h.VROffset >= 0).ToList();
                if (withVR.Count == 0)
                    goto case 2;
                var header = withVR[random.Next(withVR.Count)];
                var vr = random.Next(4) switch
                {
                    0 => VRCodes[random.Next(VRCodes.Length)],
                    1 => string.Concat((char)random.Next('A', 'Z' + 1), (char)random.Next('A', 'Z' + 1)),
                    2 => string.Concat((char)random.Next(256), (char)random.Next(256)),
                    _ => new[] { "SQ", "UN", "OB" }[random.Next(3)],
                };
                Note(description, $"vr@{header.VROffset} {(char)data[header.VROffset]}{(char)data[header.VROffset + 1]}->0x{(int)vr[0]:X2}{(int)vr[1]:X2}");
                data[header.VROffset] = (byte)vr[0];
                data[header.VROffset + 1] = (byte)vr[1];
                return data;
            default:
                var target = usable[random.Next(usable.Count)];
                var tag = SpecialTags[random.Next(SpecialTags.Length)];
                Note(description, $"tag@{target.Offset}->{tag:X8}");
                var span = data.AsSpan(target.Offset, 4);
                if (target.BigEndian)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)(tag >> 16));
                    BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)tag);
                }
                else
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(tag >> 16));
                    BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)tag);
                }
                return data;
        }
    }

    private static void RewriteLength(byte[] data, ElementHeader header, Random random, StringBuilder description)
    {
        var field = data.AsSpan(header.LengthOffset, header.LengthSize);
        var wide = header.LengthSize == 4;
        ulong old = wide
            ? header.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(field) : BinaryPrimitives.ReadUInt32LittleEndian(field)
            : header.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(field) : BinaryPrimitives.ReadUInt16LittleEndian(field);
        var max = wide ? uint.MaxValue : ushort.MaxValue;
        ulong value = random.Next(9) switch
        {
            0 => 0,
            1 => max,
            2 => old | 1,
            3 => wide ? 0xFFFFFFF0u : 0xFFF0u,
            4 => wide ? 0x7FFFFFFFu : 0x7FFFu,
            5 => wide ? 0x80000000u : 0x8000u,
            6 => (old + 1) & max,
            7 => (old - 1) & max,
            _ => (ulong)random.NextInt64(0, (long)max + 1),
        };
        Note(description, string.Create(CultureInfo.InvariantCulture, $"len{header.LengthSize * 8}@{header.LengthOffset} {old}->{value}"));
        if (wide && header.BigEndian)
            BinaryPrimitives.WriteUInt32BigEndian(field, (uint)value);
        else if (wide)
            BinaryPrimitives.WriteUInt32LittleEndian(field, (uint)value);
        else if (header.BigEndian)
            BinaryPrimitives.WriteUInt16BigEndian(field, (ushort)value);
        else
            BinaryPrimitives.WriteUInt16LittleEndian(field, (ushort)value);
    }

    private static void Note(StringBuilder description, string text)
    {
        if (description.Length > 0)
            description.Append("; ");
        description.Append(text);
    }
}
