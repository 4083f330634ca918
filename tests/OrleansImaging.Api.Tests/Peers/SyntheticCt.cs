using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using OrleansImaging.Dicom;

namespace OrleansImaging.Api.Tests.Peers;

/// <summary>A generated CT-like instance: its UIDs and its Part 10 bytes.</summary>
public sealed record SyntheticInstance(string StudyInstanceUid, string SeriesInstanceUid, string SopInstanceUid, byte[] Bytes);

/// <summary>
/// CT Image Storage instances made up for the tests: small 16-bit images (default 64×64) with distinct random UIDs
/// under 2.25 and pixels that differ per instance, written as Explicit VR Little Endian Part 10 files.
/// </summary>
public static class SyntheticCt
{
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    /// <summary>A new random UID (2.25 form, PS3.5 B.2).</summary>
    public static string NewUid() => "2.25." + new BigInteger(RandomNumberGenerator.GetBytes(16), isUnsigned: true).ToString(CultureInfo.InvariantCulture);

    /// <summary><paramref name="instances"/> slices of one series of a new study.</summary>
    public static IReadOnlyList<SyntheticInstance> Series(int instances, string patientName = "PEERS^TEST", int size = 64)
    {
        var study = NewUid();
        var series = NewUid();
        return [.. Enumerable.Range(1, instances).Select(n => Instance(study, series, n, patientName, size))];
    }

    /// <summary>One slice of <paramref name="series"/> in <paramref name="study"/>.</summary>
    public static SyntheticInstance Instance(string study, string series, int number, string patientName = "PEERS^TEST", int size = 64)
    {
        var sop = NewUid();
        var pixels = new byte[size * size * 2];
        RandomNumberGenerator.Fill(pixels); // distinct content, so a mixed-up object cannot hash equal
        var dataset = new DicomDataset()
            .Add(DicomTag.SpecificCharacterSet, "ISO_IR 100")
            .Add(DicomTag.ImageType, "ORIGINAL", "PRIMARY", "AXIAL")
            .Add(DicomTag.SOPClassUID, CtImageStorage)
            .Add(DicomTag.SOPInstanceUID, sop)
            .Add(DicomTag.StudyDate, "20250301")
            .Add(DicomTag.StudyTime, "101500")
            .Add(DicomTag.AccessionNumber, "ACC" + number.ToString(CultureInfo.InvariantCulture))
            .Add(DicomTag.Modality, "CT")
            .Add(DicomTag.PatientName, patientName)
            .Add(DicomTag.PatientID, "PEERS-" + study[^8..])
            .Add(DicomTag.SliceThickness, "1.0")
            .Add(DicomTag.KVP, "120")
            .Add(DicomTag.StudyInstanceUID, study)
            .Add(DicomTag.SeriesInstanceUID, series)
            .Add(DicomTag.StudyID, "1")
            .Add(DicomTag.SeriesNumber, "1")
            .Add(DicomTag.InstanceNumber, number.ToString(CultureInfo.InvariantCulture))
            .Add(DicomTag.SamplesPerPixel, (ushort)1)
            .Add(DicomTag.PhotometricInterpretation, "MONOCHROME2")
            .Add(DicomTag.Rows, (ushort)size)
            .Add(DicomTag.Columns, (ushort)size)
            .Add(DicomTag.PixelSpacing, "0.5", "0.5")
            .Add(DicomTag.BitsAllocated, (ushort)16)
            .Add(DicomTag.BitsStored, (ushort)16)
            .Add(DicomTag.HighBit, (ushort)15)
            .Add(DicomTag.PixelRepresentation, (ushort)0)
            .Add(DicomTag.RescaleIntercept, "-1024")
            .Add(DicomTag.RescaleSlope, "1")
            .Add(DicomTag.PixelData, DicomVR.OW, pixels);
        using var stream = new MemoryStream();
        new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ExplicitVRLittleEndian).Save(stream);
        return new SyntheticInstance(study, series, sop, stream.ToArray());
    }
}
