using OrleansImaging.Dicom.Text;

namespace OrleansImaging.Dicom.Tests;

public sealed class DicomDatasetTests
{
    [Fact]
    public void Add_WithDictionaryVR_StoresPaddedValuesInTagOrder()
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.StudyInstanceUID, "1.2.3")
            .Add(DicomTag.PatientName, "Doe^John")
            .Add(DicomTag.Rows, (ushort)512);

        Assert.Equal([DicomTag.PatientName, DicomTag.StudyInstanceUID, DicomTag.Rows], dataset.Select(a => a.Tag));
        var uid = (DicomElement)dataset.GetAttribute(DicomTag.StudyInstanceUID);
        Assert.Equal(DicomVR.UI, uid.VR);
        Assert.Equal("1.2.3\0"u8.ToArray(), uid.RawValue.ToArray());
        Assert.Equal("Doe^John", dataset.Get<string>(DicomTag.PatientName));
        Assert.Equal(512, dataset.Get<int>(DicomTag.Rows));
    }

    [Fact]
    public void Add_ExistingTag_Throws()
    {
        var dataset = new DicomDataset().Add(DicomTag.PatientID, "A");

        var ex = Assert.Throws<DicomException>(() => dataset.Add(DicomTag.PatientID, "B"));

        Assert.Contains("(0010,0020)", ex.Message, StringComparison.Ordinal);
        Assert.Equal("A", dataset.Get<string>(DicomTag.PatientID));
    }

    [Fact]
    public void AddOrUpdate_ExistingTag_Replaces()
    {
        var dataset = new DicomDataset().Add(DicomTag.PatientID, "A").AddOrUpdate(DicomTag.PatientID, "B");

        Assert.Equal("B", dataset.Get<string>(DicomTag.PatientID));
        Assert.Equal(1, dataset.Count);
    }

    [Fact]
    public void Get_MultiValuedDecimalString_ParsesEachValue()
    {
        var dataset = new DicomDataset().Add(DicomTag.ImagePositionPatient, -1.5, 2.25, 3.0);

        Assert.Equal([-1.5, 2.25, 3.0], dataset.GetValues<double>(DicomTag.ImagePositionPatient));
        Assert.Equal("-1.5\\2.25\\3 "u8.ToArray(), ((DicomElement)dataset.GetAttribute(DicomTag.ImagePositionPatient)).RawValue.ToArray());
    }

    [Fact]
    public void TryGet_AbsentOrUnconvertible_ReturnsFalse()
    {
        var dataset = new DicomDataset().Add(DicomTag.PatientName, "Doe^John");

        Assert.False(dataset.TryGet<string>(DicomTag.PatientID, out _));
        Assert.False(dataset.TryGet<int>(DicomTag.PatientName, out _));
        Assert.Equal(-1, dataset.GetOrDefault(DicomTag.PatientName, -1));
        Assert.Throws<DicomException>(() => dataset.Get<int>(DicomTag.PatientName));
    }

    [Fact]
    public void Get_ValueOfWrongLengthForVR_FailsWithDicomException()
    {
        var dataset = new DicomDataset().Add(DicomTag.Rows, DicomVR.US, new byte[] { 1, 2, 3 }.AsMemory());

        var ex = Assert.Throws<DicomException>(() => dataset.Get<ushort>(DicomTag.Rows));
        Assert.Contains("3 bytes", ex.Message, StringComparison.Ordinal);
        Assert.False(dataset.TryGet<ushort>(DicomTag.Rows, out _));
    }

    [Fact]
    public void CharacterSet_ItemWithoutOwn_InheritsFromParent()
    {
        var item = new DicomDataset();
        var dataset = new DicomDataset()
            .Add(DicomTag.SpecificCharacterSet, "ISO_IR 192")
            .Add(DicomTag.OtherPatientIDsSequence, item);
        item.Add(DicomTag.PatientName, "王^小东");

        Assert.Same(dataset, item.Parent);
        Assert.Equal("ISO_IR 192", Assert.Single(item.CharacterSet.Terms));
        Assert.Equal("王^小东", item.Get<string>(DicomTag.PatientName));
        Assert.Equal("王"u8.ToArray(), ((DicomElement)item.GetAttribute(DicomTag.PatientName)).RawValue[..3].ToArray());
    }

    [Fact]
    public void Get_PersonName_GivesComponentGroups()
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.SpecificCharacterSet, "ISO_IR 192")
            .Add(DicomTag.PatientName, "Wang^XiaoDong=王^小东");

        var name = dataset.Get<DicomPersonName>(DicomTag.PatientName);

        Assert.Equal("Wang", name.Alphabetic.FamilyName);
        Assert.Equal("小东", name.Ideographic.GivenName);
    }

    [Fact]
    public void Add_AttributeTag_WritesGroupThenElement()
    {
        var dataset = new DicomDataset().Add(DicomTag.FrameIncrementPointer, DicomTag.FrameTime);

        Assert.Equal(DicomTag.FrameTime, dataset.Get<DicomTag>(DicomTag.FrameIncrementPointer));
        Assert.Equal(new byte[] { 0x18, 0x00, 0x63, 0x10 }, ((DicomElement)dataset.GetAttribute(DicomTag.FrameIncrementPointer)).RawValue.ToArray());
    }

    [Fact]
    public void Add_UnknownPublicTagWithoutVR_Throws()
    {
        var ex = Assert.Throws<DicomException>(() => new DicomDataset().Add(new DicomTag(0x0009, 0x1001), "x"));

        Assert.Contains("private", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_ByteArray_IsTheRawValueNotNumbers()
    {
        var bytes = new byte[] { 1, 2, 3, 4 };

        var dataset = new DicomDataset().Add(DicomTag.PixelData, DicomVR.OB, bytes);

        Assert.Equal(bytes, dataset.Get<byte[]>(DicomTag.PixelData));
    }
}
