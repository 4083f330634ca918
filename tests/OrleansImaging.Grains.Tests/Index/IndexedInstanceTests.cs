using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Json;
using OrleansImaging.Grains.Index;

namespace OrleansImaging.Grains.Tests.Index;

public sealed class IndexedInstanceTests
{
    [Fact]
    public void FromDataset_CtHeader_ExtractsTheKeysAndNormalizesDatesAndTimes()
    {
        var header = IndexTestData.Header("1.2.3", "1.2.3.4", "1.2.3.4.7", h => h
            .AddOrUpdate(DicomTag.StudyDate, "2024.03.15").AddOrUpdate(DicomTag.StudyTime, "10:15").AddOrUpdate(DicomTag.NumberOfFrames, "3"));

        var instance = IndexedInstance.FromDataset("t1", header, "t1/1.2.3/1.2.3.4.7", 123, "ab");

        Assert.Equal(("t1", "1.2.3", "1.2.3.4", "1.2.3.4.7", 7, "20240315", "101500.000000"),
            (instance.TenantId, instance.StudyInstanceUid, instance.SeriesInstanceUid, instance.SopInstanceUid, instance.InstanceNumber, instance.StudyDate, instance.StudyTime));
        Assert.Equal((512, 512, 16, 3, "CT", 1, 123L), (instance.Rows, instance.Columns, instance.BitsAllocated, instance.NumberOfFrames, instance.Modality, instance.SeriesNumber, instance.Size));
    }

    [Fact]
    public void FromDataset_LevelJson_SplitsTheAttributesAndLeavesOutBulkData()
    {
        var header = IndexTestData.Header("1.2.3", "1.2.3.4", "1.2.3.4.7", h => h
            .Add(new DicomTag(0x0009, 0x0010), DicomVR.LO, "PRIVATE CREATOR")
            .Add(DicomTag.ImageComments, DicomVR.LT, new string('x', 2000)));

        var instance = IndexedInstance.FromDataset("t1", header, "k", 1, "ab");

        Assert.Equal([DicomTag.StudyDate, DicomTag.StudyTime, DicomTag.AccessionNumber, DicomTag.ReferringPhysicianName, DicomTag.StudyDescription,
            DicomTag.PatientName, DicomTag.PatientID, DicomTag.PatientBirthDate, DicomTag.PatientSex, DicomTag.StudyInstanceUID, DicomTag.StudyID],
            DicomJson.Deserialize(instance.StudyJson).Select(a => a.Tag));
        Assert.Equal([DicomTag.Modality, DicomTag.SeriesDescription, DicomTag.SeriesInstanceUID, DicomTag.SeriesNumber],
            DicomJson.Deserialize(instance.SeriesJson).Select(a => a.Tag));
        Assert.Equal([DicomTag.SOPClassUID, DicomTag.SOPInstanceUID, DicomTag.InstanceNumber, DicomTag.Rows, DicomTag.Columns, DicomTag.BitsAllocated],
            DicomJson.Deserialize(instance.InstanceJson).Select(a => a.Tag));
    }

    [Fact]
    public void FromDataset_Gb18030Header_DecodesNamesAndStoresUtf8Json()
    {
        var header = IndexTestData.Header("1.2.3", "1.2.3.4", "1.2.3.4.7", h => h
            .AddOrUpdate(DicomTag.SpecificCharacterSet, "GB18030").AddOrUpdate(DicomTag.PatientName, "Wang^XiaoDong=王^小东"));

        var instance = IndexedInstance.FromDataset("t1", header, "k", 1, "ab");

        Assert.Equal("Wang^XiaoDong=王^小东", instance.PatientName);
        var study = DicomJson.Deserialize(instance.StudyJson);
        Assert.Equal("ISO_IR 192", study.Get<string>(DicomTag.SpecificCharacterSet));
        Assert.Equal("Wang^XiaoDong=王^小东", study.Get<string>(DicomTag.PatientName));
        Assert.DoesNotContain("00080005", instance.SeriesJson);
    }

    [Theory]
    [InlineData("StudyInstanceUID")]
    [InlineData("SeriesInstanceUID")]
    [InlineData("SOPInstanceUID")]
    public void FromDataset_MissingKeyUid_Throws(string keyword)
    {
        DicomDictionary.Default.TryGetByKeyword(keyword, out var entry);
        var header = IndexTestData.Header("1.2.3", "1.2.3.4", "1.2.3.4.7", h => h.Remove(entry!.Tag));

        Assert.Throws<QueryIndexException>(() => IndexedInstance.FromDataset("t1", header, "k", 1, "ab"));
    }
}
