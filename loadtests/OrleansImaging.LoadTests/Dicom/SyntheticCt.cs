using System.Buffers.Binary;
using System.Text;

namespace OrleansImaging.LoadTests.Dicom;

/// <summary>
/// A 512×512 16-bit CT image as a Part 10 explicit VR little endian file, written by hand: about a
/// hundred header elements (patient, study, series, frame of reference, equipment, image plane and
/// pixel modules, two sequences) and 512 KiB of pixel data. <see cref="Create()"/> is the fixed file the parse
/// benchmark reads; <see cref="Create(SyntheticCtSlice, byte[])"/> gives the ingest corpus its own patients, UIDs,
/// slice positions and pixels.
/// </summary>
internal static class SyntheticCt
{
    /// <summary>The parse benchmark's CT: fixed UIDs and a cheap ramp for pixels (its figures stay comparable).</summary>
    public static byte[] Create()
    {
        var pixels = new byte[512 * 512 * 2];
        for (var i = 0; i < pixels.Length; i += 2)
            BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan(i), (ushort)((i * 7) & 0x0FFF));
        return Create(SyntheticCtSlice.Fixed, pixels);
    }

    /// <summary>A CT slice of <paramref name="slice"/>'s patient, study and series with the given 512×512 16-bit pixels.</summary>
    public static byte[] Create(SyntheticCtSlice slice, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(pixels.Length, 512 * 512 * 2);
        var z = slice.SlicePosition.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        var ds = new Bytes();
        ds.Text(0x0008, 0x0005, "CS", "ISO_IR 100");
        ds.Text(0x0008, 0x0008, "CS", @"ORIGINAL\PRIMARY\AXIAL");
        ds.Text(0x0008, 0x0012, "DA", "20261125").Text(0x0008, 0x0013, "TM", "101500.000000");
        ds.Text(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2").Text(0x0008, 0x0018, "UI", slice.SopInstanceUid);
        ds.Text(0x0008, 0x0020, "DA", "20261125").Text(0x0008, 0x0021, "DA", "20261125").Text(0x0008, 0x0022, "DA", "20261125").Text(0x0008, 0x0023, "DA", "20261125");
        ds.Text(0x0008, 0x0030, "TM", "100000").Text(0x0008, 0x0031, "TM", "100500").Text(0x0008, 0x0032, "TM", "100700").Text(0x0008, 0x0033, "TM", "101500");
        ds.Text(0x0008, 0x0050, "SH", slice.AccessionNumber).Text(0x0008, 0x0060, "CS", "CT").Text(0x0008, 0x0070, "LO", "Example Medical Systems");
        ds.Text(0x0008, 0x0080, "LO", "Orleans General Hospital").Text(0x0008, 0x0081, "ST", "1 Rue de la Paix, Orléans");
        ds.Text(0x0008, 0x0090, "PN", "Referring^Doctor").Text(0x0008, 0x1010, "SH", "CTSTATION01").Text(0x0008, 0x1030, "LO", "CT CHEST WITH CONTRAST");
        ds.Sequence(0x0008, 0x1032, item => item
            .Text(0x0008, 0x0100, "SH", "CTCHEST").Text(0x0008, 0x0102, "SH", "LOCAL").Text(0x0008, 0x0104, "LO", "CT chest with contrast"));
        ds.Text(0x0008, 0x103E, "LO", "AXIAL 1.25MM SOFT TISSUE").Text(0x0008, 0x1040, "LO", "RADIOLOGY").Text(0x0008, 0x1050, "PN", "Performing^Physician");
        ds.Text(0x0008, 0x1090, "LO", "Example CT 128");
        ds.Sequence(0x0008, 0x1140, item => item
            .Text(0x0008, 0x1150, "UI", "1.2.840.10008.5.1.4.1.1.2").Text(0x0008, 0x1155, "UI", "1.2.826.0.1.3680043.10.1.1.1.2"));
        ds.Text(0x0010, 0x0010, "PN", slice.PatientName).Text(0x0010, 0x0020, "LO", slice.PatientId).Text(0x0010, 0x0021, "LO", "ORLEANS");
        ds.Text(0x0010, 0x0030, "DA", "19700101").Text(0x0010, 0x0040, "CS", "F").Text(0x0010, 0x1010, "AS", "056Y");
        ds.Text(0x0010, 0x1020, "DS", "1.68").Text(0x0010, 0x1030, "DS", "64.5").Text(0x0010, 0x21B0, "LT", "No relevant history.");
        ds.Text(0x0018, 0x0010, "LO", "IOPAMIDOL 370").Text(0x0018, 0x0015, "CS", "CHEST").Text(0x0018, 0x0022, "CS", "HELICAL MODE");
        ds.Text(0x0018, 0x0050, "DS", "1.25").Text(0x0018, 0x0060, "DS", "120").Text(0x0018, 0x0088, "DS", "1.25");
        ds.Text(0x0018, 0x0090, "DS", "500").Text(0x0018, 0x1000, "LO", "SN123456").Text(0x0018, 0x1020, "LO", "VER 4.2.1");
        ds.Text(0x0018, 0x1030, "LO", "CHEST ROUTINE").Text(0x0018, 0x1100, "DS", "360").Text(0x0018, 0x1110, "DS", "949.075");
        ds.Text(0x0018, 0x1111, "DS", "541").Text(0x0018, 0x1120, "DS", "0").Text(0x0018, 0x1130, "DS", "180");
        ds.Text(0x0018, 0x1140, "CS", "CW").Text(0x0018, 0x1150, "IS", "500").Text(0x0018, 0x1151, "IS", "250");
        ds.Text(0x0018, 0x1152, "IS", "125").Text(0x0018, 0x1160, "SH", "BODY FILTER").Text(0x0018, 0x1170, "IS", "42");
        ds.Text(0x0018, 0x1190, "DS", "0.7").Text(0x0018, 0x1210, "SH", "STANDARD").Text(0x0018, 0x5100, "CS", "FFS");
        ds.Short(0x0018, 0x9306, "FD", BitConverter.GetBytes(1.25)).Short(0x0018, 0x9307, "FD", BitConverter.GetBytes(40.0));
        ds.Text(0x0020, 0x000D, "UI", slice.StudyInstanceUid).Text(0x0020, 0x000E, "UI", slice.SeriesInstanceUid);
        ds.Text(0x0020, 0x0010, "SH", "STUDY1").Text(0x0020, 0x0011, "IS", "3").Text(0x0020, 0x0012, "IS", "1")
            .Text(0x0020, 0x0013, "IS", slice.InstanceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ds.Text(0x0020, 0x0032, "DS", @"-249.51171875\-430.51171875\" + z);
        ds.Text(0x0020, 0x0037, "DS", @"1\0\0\0\1\0");
        ds.Text(0x0020, 0x0052, "UI", slice.FrameOfReferenceUid).Text(0x0020, 0x1040, "LO", "SN");
        ds.Text(0x0020, 0x1041, "DS", z).Text(0x0020, 0x4000, "LT", "Synthetic image for benchmarks.");
        ds.UShort(0x0028, 0x0002, 1).Text(0x0028, 0x0004, "CS", "MONOCHROME2");
        ds.UShort(0x0028, 0x0010, 512).UShort(0x0028, 0x0011, 512);
        ds.Text(0x0028, 0x0030, "DS", @"0.9765625\0.9765625");
        ds.UShort(0x0028, 0x0100, 16).UShort(0x0028, 0x0101, 12).UShort(0x0028, 0x0102, 11).UShort(0x0028, 0x0103, 0);
        ds.Text(0x0028, 0x1050, "DS", @"40\400").Text(0x0028, 0x1051, "DS", @"400\1500");
        ds.Text(0x0028, 0x1052, "DS", "-1024").Text(0x0028, 0x1053, "DS", "1").Text(0x0028, 0x1054, "LO", "HU");
        ds.Text(0x0032, 0x000A, "CS", "COMPLETED").Text(0x0032, 0x1060, "LO", "CT CHEST");
        ds.Text(0x0040, 0x0244, "DA", "20261125").Text(0x0040, 0x0245, "TM", "100000").Text(0x0040, 0x0253, "SH", "PPS1");
        ds.Text(0x0040, 0x0254, "LO", "CT CHEST WITH CONTRAST");
        ds.Long(0x7FE0, 0x0010, "OW", pixels);

        var dataset = ds.ToArray();
        var meta = new Bytes()
            .Long(0x0002, 0x0001, "OB", [0, 1])
            .Text(0x0002, 0x0002, "UI", "1.2.840.10008.5.1.4.1.1.2")
            .Text(0x0002, 0x0003, "UI", slice.SopInstanceUid)
            .Text(0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1")
            .Text(0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.10.1")
            .Text(0x0002, 0x0013, "SH", "ORLEANS_BENCH")
            .ToArray();
        var file = new Bytes().Raw(new byte[128]).Raw("DICM"u8.ToArray());
        file.Short(0x0002, 0x0000, "UL", BitConverter.GetBytes((uint)meta.Length)).Raw(meta).Raw(dataset);
        return file.ToArray();
    }

    /// <summary>A minimal explicit VR little endian writer: enough for the benchmark's input.</summary>
    private sealed class Bytes
    {
        private readonly MemoryStream _out = new();

        public Bytes Text(ushort group, ushort element, string vr, string value)
        {
            var bytes = (vr is "LO" or "ST" or "LT" or "PN" or "SH" ? Encoding.Latin1 : Encoding.ASCII).GetBytes(value);
            if (bytes.Length % 2 == 1)
                bytes = [.. bytes, vr == "UI" ? (byte)0 : (byte)' '];
            return Short(group, element, vr, bytes);
        }

        public Bytes UShort(ushort group, ushort element, ushort value) => Short(group, element, "US", BitConverter.GetBytes(value));

        public Bytes Short(ushort group, ushort element, string vr, byte[] value)
        {
            Tag(group, element);
            _out.WriteByte((byte)vr[0]);
            _out.WriteByte((byte)vr[1]);
            U16((ushort)value.Length);
            _out.Write(value);
            return this;
        }

        public Bytes Long(ushort group, ushort element, string vr, byte[] value)
        {
            Tag(group, element);
            _out.WriteByte((byte)vr[0]);
            _out.WriteByte((byte)vr[1]);
            U16(0);
            U32((uint)value.Length);
            _out.Write(value);
            return this;
        }

        public Bytes Sequence(ushort group, ushort element, Func<Bytes, Bytes> item)
        {
            var content = item(new Bytes()).ToArray();
            Tag(group, element);
            _out.Write("SQ\0\0"u8);
            U32(0xFFFFFFFF);
            Tag(0xFFFE, 0xE000);
            U32((uint)content.Length);
            _out.Write(content);
            Tag(0xFFFE, 0xE0DD);
            U32(0);
            return this;
        }

        public Bytes Raw(params byte[] bytes)
        {
            _out.Write(bytes);
            return this;
        }

        public byte[] ToArray() => _out.ToArray();

        private void Tag(ushort group, ushort element)
        {
            U16(group);
            U16(element);
        }

        private void U16(ushort value)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, value);
            _out.Write(b);
        }

        private void U32(uint value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
            _out.Write(b);
        }
    }
}
