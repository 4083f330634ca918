using System.Xml.Linq;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Dicom.Tests.Json;

public sealed class DicomXmlWriterTests
{
    private static XElement Root(DicomDataset dataset, DicomJsonOptions? options = null) =>
        XDocument.Parse(new DicomXmlWriter(options).Format(dataset)).Root!;

    [Fact]
    public void Format_ValuesPersonNamesAndItems_NativeDicomModel()
    {
        var item = new DicomDataset().Add(DicomTag.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3");
        var dataset = new DicomDataset()
            .Add(DicomTag.ImageType, DicomVR.CS, "ORIGINAL", "", "AXIAL")
            .Add(DicomTag.PatientName, DicomVR.PN, "Doe^John^^Dr==D^J")
            .Add(DicomTag.ReferencedStudySequence, item)
            .Add(DicomTag.Rows, DicomVR.US, (ushort)512)
            .Add(new DicomTag(0x0018, 0x1310), DicomVR.FL, float.NaN);

        var root = Root(dataset);

        Assert.Equal("NativeDicomModel", root.Name.LocalName);
        var imageType = root.Elements("DicomAttribute").Single(e => (string?)e.Attribute("tag") == "00080008");
        Assert.Equal("ImageType", (string?)imageType.Attribute("keyword"));
        Assert.Equal(["1:ORIGINAL", "3:AXIAL"], imageType.Elements("Value").Select(v => $"{v.Attribute("number")!.Value}:{v.Value}"));
        var name = root.Elements("DicomAttribute").Single(e => (string?)e.Attribute("tag") == "00100010").Element("PersonName")!;
        Assert.Equal("Doe", name.Element("Alphabetic")!.Element("FamilyName")!.Value);
        Assert.Equal("Dr", name.Element("Alphabetic")!.Element("NamePrefix")!.Value);
        Assert.Null(name.Element("Alphabetic")!.Element("MiddleName"));
        Assert.Null(name.Element("Ideographic"));
        Assert.Equal("J", name.Element("Phonetic")!.Element("GivenName")!.Value);
        Assert.Equal("1.2.3", root.Descendants("Item").Single().Element("DicomAttribute")!.Element("Value")!.Value);
        Assert.Equal("NaN", root.Elements("DicomAttribute").Single(e => (string?)e.Attribute("tag") == "00181310").Element("Value")!.Value);
    }

    [Fact]
    public void Format_PrivateAndBinary_CreatorAttributeAndInlineOrBulkData()
    {
        var dataset = new DicomDataset()
            .Add(new DicomTag(0x0043, 0x0010), DicomVR.LO, "GEMS_PARM_01")
            .Add(new DicomTag(0x0043, 0x1010), DicomVR.US, (ushort)7)
            .Add(new DicomTag(0x7FE0, 0x0010), DicomVR.OW, new byte[] { 1, 0, 2, 0 });

        var inline = Root(dataset);
        var bulk = Root(dataset, new DicomJsonOptions { BulkDataUriBuilder = c => $"bulk/{c.Path}" });

        var privateElement = inline.Elements("DicomAttribute").Single(e => (string?)e.Attribute("privateCreator") == "GEMS_PARM_01");
        Assert.Equal("00430010", (string?)privateElement.Attribute("tag"));
        Assert.Equal("AQACAA==", inline.Descendants("InlineBinary").Single().Value);
        Assert.Equal("bulk/7FE00010", (string?)bulk.Descendants("BulkData").Single().Attribute("uri"));
    }
}
