using System.Text;

namespace OrleansImaging.Dicom.IO;

/// <summary>
/// Builds the File Meta Information (group 0002, PS3.10 7.1) that precedes a data set in a Part 10
/// file. What describes the data set is taken from it; what describes this writer is ours; what
/// describes where the file came from (Source AE Title and the like) is kept.
/// </summary>
public static class DicomFileMetaInformation
{
    private static readonly DicomTag Version = new(0x0002, 0x0001);
    private static readonly DicomTag MediaStorageSopClassUid = new(0x0002, 0x0002);
    private static readonly DicomTag MediaStorageSopInstanceUid = new(0x0002, 0x0003);
    private static readonly DicomTag TransferSyntaxUid = new(0x0002, 0x0010);
    private static readonly DicomTag ImplementationClassUid = new(0x0002, 0x0012);
    private static readonly DicomTag ImplementationVersionName = new(0x0002, 0x0013);
    private static readonly DicomTag SopClassUid = new(0x0008, 0x0016);
    private static readonly DicomTag SopInstanceUid = new(0x0008, 0x0018);

    /// <summary>
    /// The File Meta Information for <paramref name="dataset"/> written in <paramref name="transferSyntax"/>:
    /// (0002,0001) version 00\01; (0002,0002) and (0002,0003) from the data set's (0008,0016) and
    /// (0008,0018), or from <paramref name="existing"/> when the data set has none; (0002,0010) the
    /// transfer syntax; (0002,0012) and (0002,0013) from <see cref="DicomImplementation"/>; every
    /// other group 0002 element of <paramref name="existing"/> as it was. (0002,0000) is left to the
    /// writer, which computes it.
    /// </summary>
    public static DicomDataset Create(DicomDataset dataset, DicomTransferSyntax transferSyntax, DicomDataset? existing = null)
    {
        var meta = new DicomDataset();
        if (existing is not null)
        {
            foreach (var attribute in existing)
            {
                if (attribute.Tag.Group == 0x0002 && !attribute.Tag.IsGroupLength)
                    meta.AddOrUpdate(WithMetaVR(attribute));
            }
        }
        meta.AddOrUpdate(new DicomElement(Version, DicomVR.OB, new byte[] { 0x00, 0x01 }));
        if (ReadUid(dataset, SopClassUid) is { } sopClass)
            meta.AddOrUpdate(Uid(MediaStorageSopClassUid, sopClass));
        if (ReadUid(dataset, SopInstanceUid) is { } sopInstance)
            meta.AddOrUpdate(Uid(MediaStorageSopInstanceUid, sopInstance));
        meta.AddOrUpdate(Uid(TransferSyntaxUid, transferSyntax.Uid));
        meta.AddOrUpdate(Uid(ImplementationClassUid, DicomImplementation.ClassUid));
        meta.AddOrUpdate(new DicomElement(ImplementationVersionName, DicomVR.SH, Ascii(DicomImplementation.VersionName, (byte)' ')));
        return meta;
    }

    private static string? ReadUid(DicomDataset dataset, DicomTag tag)
    {
        if (!dataset.TryGetAttribute(tag, out var attribute) || attribute is not DicomElement { IsLoaded: true } element)
            return null;
        var uid = Encoding.ASCII.GetString(DicomElement.TrimPadding(element.RawValue.Span, DicomVR.UI));
        return uid.Length > 0 ? uid : null;
    }

    private static DicomElement Uid(DicomTag tag, string uid) => new(tag, DicomVR.UI, Ascii(uid, 0));

    private static byte[] Ascii(string text, byte padding) => DicomDataset.PadToEven(Encoding.ASCII.GetBytes(text), padding);

    /// <summary>
    /// Group 0002 is explicit VR by definition, but some writers encoded it implicitly; what was read
    /// without a VR gets the one PS3.10 Table 7.1-1 gives, so that it is written correctly.
    /// </summary>
    private static DicomAttribute WithMetaVR(DicomAttribute attribute)
    {
        if (attribute is not DicomElement element || element.VR is not (DicomVR.UN or DicomVR.None) || !element.IsLoaded)
            return attribute;
        var vr = element.Tag.Element switch
        {
            0x0001 or 0x0102 => DicomVR.OB,
            0x0002 or 0x0003 or 0x0010 or 0x0012 or 0x0100 => DicomVR.UI,
            0x0013 => DicomVR.SH,
            0x0016 or 0x0017 or 0x0018 => DicomVR.AE,
            0x0026 or 0x0027 or 0x0028 => DicomVR.UR,
            _ => DicomVR.UN,
        };
        return vr == DicomVR.UN ? attribute : new DicomElement(element.Tag, vr, element.RawValue);
    }
}
