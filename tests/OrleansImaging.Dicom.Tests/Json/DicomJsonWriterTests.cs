using System.Text.Json.Nodes;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Dicom.Tests.Json;

public sealed class DicomJsonWriterTests
{
    private static JsonObject Write(DicomDataset dataset, DicomJsonOptions? options = null) =>
        (JsonObject)JsonNode.Parse(DicomJson.Serialize(dataset, options))!;

    private static string Attribute(DicomDataset dataset, DicomTag tag, DicomJsonOptions? options = null) =>
        Write(dataset, options)[tag.ToJsonKey()]!.ToJsonString();

    [Fact]
    public void Serialize_PersonNameWithThreeGroups_WritesEachGroup()
    {
        var dataset = new DicomDataset().Add(new DicomTag(0x0008, 0x0005), DicomVR.CS, "ISO_IR 192")
            .Add(DicomTag.PatientName, DicomVR.PN, "Yamada^Tarou=山田^太郎=やまだ^たろう");

        Assert.Equal("""{"vr":"PN","Value":[{"Alphabetic":"Yamada^Tarou","Ideographic":"山田^太郎","Phonetic":"やまだ^たろう"}]}""",
            DicomJson.Serialize(dataset).Split("\"00100010\":")[1].TrimEnd('}') + "}");
    }

    [Fact]
    public void Serialize_PersonNameWithEmptyMiddleGroupAndEmptyValue_OmitsGroupAndWritesNull()
    {
        var dataset = new DicomDataset().Add(DicomTag.PatientName, DicomVR.PN, "A^B==C", "", "D");

        Assert.Equal("""{"vr":"PN","Value":[{"Alphabetic":"A^B","Phonetic":"C"},null,{"Alphabetic":"D"}]}""", Attribute(dataset, DicomTag.PatientName));
    }

    [Fact]
    public void Serialize_PersonNameOfSeparatorsOnly_WritesNoValue()
    {
        var dataset = new DicomDataset().Add(DicomTag.ReferringPhysicianName, DicomVR.PN, "^^^^");

        Assert.Equal("""{"vr":"PN"}""", Attribute(dataset, DicomTag.ReferringPhysicianName));
    }

    [Theory]
    [InlineData(DicomVR.DS, "1.091489e02\\-0\\1E5", "[1.091489e02,-0,1E5]")]
    [InlineData(DicomVR.DS, "+.5\\1.\\ 3 ", "[0.5,1,3]")]
    [InlineData(DicomVR.DS, "abc\\\\2", "[\"abc\",null,2]")]
    [InlineData(DicomVR.DS, "NaN", "[\"NaN\"]")]
    [InlineData(DicomVR.IS, "007\\+12\\-3", "[7,12,-3]")]
    [InlineData(DicomVR.IS, "x", "[\"x\"]")]
    public void Serialize_DecimalAndIntegerStrings_NumbersWhereTheTextIsANumber(DicomVR vr, string text, string expected)
    {
        var tag = new DicomTag(0x0010, 0x1020);
        var dataset = new DicomDataset().Add(new DicomElement(tag, vr, System.Text.Encoding.ASCII.GetBytes(text.Length % 2 == 0 ? text : text + " ")));

        Assert.Equal(expected, Write(dataset)[tag.ToJsonKey()]!["Value"]!.ToJsonString());
    }

    [Fact]
    public void Serialize_BinaryNumbers_JsonNumbersWithNamedNonFiniteAndLargeSVAsString()
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.Rows, DicomVR.US, (ushort)512)
            .Add(new DicomTag(0x0018, 0x9219), DicomVR.SS, (short)-3)
            .Add(new DicomTag(0x0018, 0x1310), DicomVR.FL, 1.5f, float.NaN, float.NegativeInfinity)
            .Add(new DicomTag(0x0018, 0x9087), DicomVR.FD, 0.1, double.PositiveInfinity)
            .Add(new DicomTag(0x0072, 0x0082), DicomVR.SV, 1L << 53, (1L << 53) + 1, long.MinValue)
            .Add(new DicomTag(0x0072, 0x0083), DicomVR.UV, 42UL, ulong.MaxValue);
        var json = Write(dataset);

        Assert.Equal("[512]", json["00280010"]!["Value"]!.ToJsonString());
        Assert.Equal("[-3]", json["00189219"]!["Value"]!.ToJsonString());
        Assert.Equal("""[1.5,"NaN","-Infinity"]""", json["00181310"]!["Value"]!.ToJsonString());
        Assert.Equal("""[0.1,"Infinity"]""", json["00189087"]!["Value"]!.ToJsonString());
        Assert.Equal("""[9007199254740992,"9007199254740993","-9223372036854775808"]""", json["00720082"]!["Value"]!.ToJsonString());
        Assert.Equal("""[42,"18446744073709551615"]""", json["00720083"]!["Value"]!.ToJsonString());
    }

    [Fact]
    public void Serialize_EmptyValues_WriteNoValueKey()
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.PatientName, DicomVR.PN, ReadOnlyMemory<byte>.Empty)
            .Add(DicomTag.StudyDate, DicomVR.DA, "  "u8.ToArray())
            .Add(DicomTag.Rows, DicomVR.US, ReadOnlyMemory<byte>.Empty)
            .Add(new DicomTag(0x0009, 0x0010), DicomVR.OB, ReadOnlyMemory<byte>.Empty)
            .Add(new DicomSequence(DicomTag.ReferencedStudySequence));

        Assert.Equal("""{"00080020":{"vr":"DA"},"00081110":{"vr":"SQ"},"00090010":{"vr":"OB"},"00100010":{"vr":"PN"},"00280010":{"vr":"US"}}""",
            DicomJson.Serialize(dataset));
    }

    [Fact]
    public void Serialize_AttributeTagsSequencesAndGroupLength_HexTagsNestedItemsNoGroupLength()
    {
        var item = new DicomDataset().Add(DicomTag.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3");
        var dataset = new DicomDataset()
            .Add(new DicomTag(0x0010, 0x0000), DicomVR.UL, 10u)
            .Add(new DicomTag(0x0028, 0x0009), DicomTag.PatientName, new DicomTag(0x3004, 0x000C))
            .Add(DicomTag.ReferencedStudySequence, item, new DicomDataset());

        Assert.Equal("""{"00081110":{"vr":"SQ","Value":[{"00081155":{"vr":"UI","Value":["1.2.3"]}},{}]},"00280009":{"vr":"AT","Value":["00100010","3004000C"]}}""",
            DicomJson.Serialize(dataset));
    }

    [Fact]
    public void Serialize_BulkDataUriBuilder_ReferencesBinaryValuesAtLeastTheThreshold()
    {
        var item = new DicomDataset().Add(new DicomTag(0x0054, 0x0400), DicomVR.OB, new byte[] { 1, 2, 3, 4 });
        var dataset = new DicomDataset()
            .Add(new DicomTag(0x0009, 0x0010), DicomVR.OB, new byte[] { 9, 9 })
            .Add(DicomTag.ReferencedStudySequence, new DicomDataset(), item)
            .Add(new DicomTag(0x7FE0, 0x0010), DicomVR.OW, new byte[16]);
        var contexts = new List<string>();
        var options = new DicomJsonOptions
        {
            BulkDataThreshold = 4,
            BulkDataUriBuilder = context =>
            {
                contexts.Add(context.Path);
                return $"https://pacs/bulk/{context.Path}";
            },
        };

        var json = Write(dataset, options);

        Assert.Equal(["00081110/1/00540400", "7FE00010"], contexts);
        Assert.Equal("""{"vr":"OB","InlineBinary":"CQk="}""", json["00090010"]!.ToJsonString());
        Assert.Equal("https://pacs/bulk/00081110/1/00540400", (string?)json["00081110"]!["Value"]![1]!["00540400"]!["BulkDataURI"]);
        Assert.Equal("""{"vr":"OW","BulkDataURI":"https://pacs/bulk/7FE00010"}""", json["7FE00010"]!.ToJsonString());
    }

    [Fact]
    public void Serialize_EncapsulatedPixelDataWithoutUri_RefusesOrOmitsAsAsked()
    {
        var fragments = new DicomFragmentSequence(new DicomTag(0x7FE0, 0x0010), DicomVR.OB);
        fragments.Add(new DicomFragment(new byte[] { 0xFF, 0xD8 }));
        var dataset = new DicomDataset().Add(DicomTag.Rows, DicomVR.US, (ushort)1).Add(fragments);

        var refused = Assert.Throws<DicomException>(() => DicomJson.Serialize(dataset));
        Assert.Contains("BulkDataURI", refused.Message, StringComparison.Ordinal);
        Assert.Equal("""{"00280010":{"vr":"US","Value":[1]}}""",
            DicomJson.Serialize(dataset, new DicomJsonOptions { EncapsulatedPixelData = DicomJsonEncapsulatedPixelData.Omit }));
        Assert.Equal("""{"vr":"OB","BulkDataURI":"frames"}""",
            Attribute(dataset, fragments.Tag, new DicomJsonOptions { BulkDataUriBuilder = _ => "frames" }));
    }

    [Fact]
    public void Serialize_IncludeField_WritesOnlyAcceptedTopLevelAttributesAndTheirPrivateCreators()
    {
        var item = new DicomDataset().Add(DicomTag.PatientID, DicomVR.LO, "inside");
        var dataset = new DicomDataset()
            .Add(DicomTag.PatientName, DicomVR.PN, "Doe^John")
            .Add(DicomTag.PatientID, DicomVR.LO, "123")
            .Add(DicomTag.ReferencedStudySequence, item)
            .Add(new DicomTag(0x0019, 0x0010), DicomVR.LO, "ACME 1.0")
            .Add(new DicomTag(0x0019, 0x1001), DicomVR.LO, "private");
        HashSet<DicomTag> asked = [DicomTag.PatientName, DicomTag.ReferencedStudySequence, new DicomTag(0x0019, 0x1001)];

        var json = Write(dataset, new DicomJsonOptions { IncludeField = asked.Contains });

        Assert.Equal(["00081110", "00100010", "00190010", "00191001"], json.Select(p => p.Key));
        Assert.Equal("inside", (string?)json["00081110"]!["Value"]![0]!["00100020"]!["Value"]![0]);
    }
}
