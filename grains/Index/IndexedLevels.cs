using System.Text;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Grains.Index;

/// <summary>
/// Splits a header's top-level attributes into the study, series and instance parts the index
/// returns, each as compact DICOM JSON. Text is re-encoded as UTF-8: a part holding non-ASCII text
/// declares SpecificCharacterSet <c>ISO_IR 192</c>, so the JSON reads back whatever the object's
/// own character set was (GB18030, ISO 2022 …).
/// </summary>
internal static class IndexedLevels
{
    /// <summary>A value longer than this is not kept in the instance part (long texts, big lists).</summary>
    public const int MaxStoredValueBytes = 1024;

    private const string Utf8CharacterSet = "ISO_IR 192";

    public static (string StudyJson, string SeriesJson, string InstanceJson) Split(DicomDataset header)
    {
        var study = NewPart();
        var series = NewPart();
        var instance = NewPart();
        var characterSet = header.CharacterSet;
        foreach (var attribute in header)
        {
            var tag = attribute.Tag;
            if (tag == DicomTag.SpecificCharacterSet || tag.Group <= 0x0002 || tag.IsGroupLength || tag.IsPrivate || tag.Group == 0x7FE0)
                continue;
            if (attribute is not DicomElement { IsLoaded: true } element)
                continue;
            var part = QidoAttributes.StudyStored.Contains(tag) ? study
                : QidoAttributes.SeriesStored.Contains(tag) ? series
                : instance;
            if (part == instance && element.Length > MaxStoredValueBytes)
                continue;
            Copy(element, characterSet, part);
        }
        return (Serialize(study), Serialize(series), Serialize(instance));
    }

    private static DicomDataset NewPart() => new DicomDataset().Add(DicomTag.SpecificCharacterSet, Utf8CharacterSet);

    private static void Copy(DicomElement element, Dicom.Text.DicomCharacterSet characterSet, DicomDataset part)
    {
        var vr = element.VR;
        if (vr.UsesSpecificCharacterSet())
        {
            try
            {
                part.Add(element.Tag, vr, element.GetStrings(characterSet));
            }
            catch (DicomException)
            {
                // Text that cannot be decoded or re-encoded is left out of the index, not a reason to refuse the object.
            }
            return;
        }
        // Other string VRs are ASCII by definition, and binary numbers (US, FD …) have no text:
        // both are the same bytes in any character set. Bulk binary VRs are not index material.
        if (vr.IsString() || (vr.BinaryValueSize() > 0 && vr is not (DicomVR.OB or DicomVR.OW or DicomVR.OF or DicomVR.OD or DicomVR.OL or DicomVR.OV or DicomVR.UN)))
            part.Add(element);
    }

    private static string Serialize(DicomDataset part)
    {
        // Declare UTF-8 only where some text needs it: plain ASCII is the same bytes either way.
        if (part.All(a => a.Tag == DicomTag.SpecificCharacterSet || a is not DicomElement e || !e.VR.UsesSpecificCharacterSet() || Ascii.IsValid(e.RawValue.Span)))
            part.Remove(DicomTag.SpecificCharacterSet);
        return DicomJson.Serialize(part);
    }
}
