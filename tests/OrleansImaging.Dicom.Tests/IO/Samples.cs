namespace OrleansImaging.Dicom.Tests.IO;

/// <summary>Data sets built in code, with one element of each kind the writer treats differently.</summary>
internal static class Samples
{
    public static DicomDataset Dataset()
    {
        var first = new DicomDataset()
            .Add(new DicomTag(0x0008, 0x1150), DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2")
            .Add(new DicomTag(0x0008, 0x1155), DicomVR.UI, "1.2.3.4");
        var second = new DicomDataset().Add(new DicomTag(0x0008, 0x1150), DicomVR.UI, "1.2.5");
        return new DicomDataset()
            .Add(new DicomTag(0x0008, 0x0005), DicomVR.CS, "ISO_IR 100")
            .Add(new DicomTag(0x0008, 0x0016), DicomVR.UI, "1.2.840.10008.5.1.4.1.1.7")
            .Add(new DicomTag(0x0008, 0x0018), DicomVR.UI, "1.2.826.0.1.3680043.2.1125.1")
            .Add(new DicomTag(0x0008, 0x1140), first, second)
            .Add(new DicomTag(0x0010, 0x0010), DicomVR.PN, "Doe^John")
            .Add<double>(new DicomTag(0x0018, 0x9087), DicomVR.FD, 1000.5, -2.25)
            .Add(new DicomTag(0x0020, 0x9165), new DicomTag(0x0020, 0x9056), new DicomTag(0x0020, 0x9057))
            .Add<ushort>(new DicomTag(0x0028, 0x0010), DicomVR.US, 2)
            .Add<ushort>(new DicomTag(0x0028, 0x0011), DicomVR.US, 2)
            .Add<short>(new DicomTag(0x0028, 0x0106), DicomVR.SS, -5)
            .Add<uint>(new DicomTag(0x0028, 0x9001), DicomVR.UL, 70000)
            .Add<float>(new DicomTag(0x0028, 0x9002), DicomVR.FL, 0.5f)
            .Add(new DicomTag(0x0029, 0x0010), DicomVR.LO, "ACME 1.0")
            .Add(new DicomTag(0x0029, 0x1001), DicomVR.OB, new ReadOnlyMemory<byte>([1, 2, 3, 4]))
            .Add<ushort>(new DicomTag(0x7FE0, 0x0010), DicomVR.OW, 0x0102, 0x0304, 0x0506, 0x0708);
    }

    public static DicomFragmentSequence Fragments(params byte[][] fragments)
    {
        var sequence = new DicomFragmentSequence(new DicomTag(0x7FE0, 0x0010), DicomVR.OB) { BasicOffsetTable = new byte[4] };
        foreach (var fragment in fragments)
            sequence.Add(new DicomFragment(fragment));
        return sequence;
    }
}
