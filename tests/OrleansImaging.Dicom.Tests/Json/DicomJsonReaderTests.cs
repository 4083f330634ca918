using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Dicom.Tests.Json;

public sealed class DicomJsonReaderTests
{
    [Fact]
    public void Read_PersonNameGroupsAndNulls_JoinsGroupsWithEqualsAndEmptyValues()
    {
        var dataset = DicomJson.Deserialize("""{"00080005":{"vr":"CS","Value":["ISO_IR 192"]},"00100010":{"vr":"PN","Value":[{"Alphabetic":"A^B","Phonetic":"C"},null,{"Ideographic":"山田"}]}}""");

        Assert.Equal("A^B==C\\\\=山田", dataset.GetStringOrNull(DicomTag.PatientName));
    }

    [Fact]
    public void Read_CharacterSetAfterTheText_EncodesTheTextWithIt()
    {
        var dataset = DicomJson.Deserialize("""{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Buc^Jérôme"}]},"00080005":{"vr":"CS","Value":["ISO_IR 100"]}}""");

        var raw = ((DicomElement)dataset.GetAttribute(DicomTag.PatientName)).RawValue.ToArray();
        Assert.Equal("Buc^J\u00e9r\u00f4me"u8.Length - 2, raw.Length);
        Assert.Equal(0xE9, raw[5]);
    }

    [Fact]
    public void Read_NumbersOfEveryKind_KeepsDecimalTextAndBinaryValues()
    {
        var dataset = DicomJson.Deserialize("""
            {"00101020":{"vr":"DS","Value":[1.091489e02,"abc",null]},
             "00280010":{"vr":"US","Value":[512]},
             "00181310":{"vr":"FL","Value":[1.5,"NaN","-Infinity"]},
             "00720082":{"vr":"SV","Value":[-1,"-9223372036854775808"]},
             "00720083":{"vr":"UV","Value":["18446744073709551615"]},
             "00280009":{"vr":"AT","Value":["00100010"]}}
            """);

        Assert.Equal("1.091489e02\\abc\\", dataset.GetStringOrNull(new DicomTag(0x0010, 0x1020)));
        Assert.Equal((ushort)512, dataset.Get<ushort>(DicomTag.Rows));
        var floats = dataset.GetValues<float>(new DicomTag(0x0018, 0x1310));
        Assert.Equal(1.5f, floats[0]);
        Assert.True(float.IsNaN(floats[1]));
        Assert.Equal(float.NegativeInfinity, floats[2]);
        Assert.Equal([-1L, long.MinValue], dataset.GetValues<long>(new DicomTag(0x0072, 0x0082)));
        Assert.Equal("18446744073709551615", dataset.Get<string>(new DicomTag(0x0072, 0x0083)));
        Assert.Equal(DicomTag.PatientName, dataset.Get<DicomTag>(new DicomTag(0x0028, 0x0009)));
    }

    [Fact]
    public void Read_BulkDataUriWithoutResolver_LeavesTheValueEmptyAndReportsIt()
    {
        var result = new DicomJsonReader().Read("""{"00081110":{"vr":"SQ","Value":[{"7FE00010":{"vr":"OW","BulkDataURI":"https://pacs/bulk/1"}}]}}""");

        var unresolved = Assert.Single(result.UnresolvedBulkData);
        Assert.Equal("https://pacs/bulk/1", unresolved.Uri);
        Assert.Equal(new DicomTag(0x7FE0, 0x0010), unresolved.Tag);
        Assert.Equal(DicomVR.OW, unresolved.VR);
        Assert.Equal([new DicomJsonPathStep(DicomTag.ReferencedStudySequence, 0)], unresolved.Sequences);
        var element = (DicomElement)unresolved.Owner.GetAttribute(unresolved.Tag);
        Assert.Equal(0, element.Length);
    }

    [Fact]
    public async Task Read_BulkDataUriWithResolver_HoldsTheResolvedReference()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6]);
            var reader = new DicomJsonReader(new DicomJsonReaderOptions
            {
                BulkDataResolver = uri => uri.Uri == "file:part" ? new DicomBulkDataReference(new FileByteSource(path), 2, 4) : null,
            });

            var result = reader.Read("""{"7FE00010":{"vr":"OB","BulkDataURI":"file:part"}}""");

            Assert.Empty(result.UnresolvedBulkData);
            var element = (DicomElement)result.Dataset.GetAttribute(new DicomTag(0x7FE0, 0x0010));
            Assert.Equal(4, element.Length);
            Assert.Equal([3, 4, 5, 6], await element.BulkData!.ReadAllAsync());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("[]", "expected a data set object")]
    [InlineData("""{"0010001":{"vr":"PN"}}""", "'0010001' is not a tag")]
    [InlineData("""{"00100010":{"Value":["x"]}}""", "at 00100010: the attribute has no \"vr\"")]
    [InlineData("""{"00100010":{"vr":"XX"}}""", "'XX' is not a VR")]
    [InlineData("""{"00081110":{"vr":"SQ","Value":[{"00280010":{"vr":"US","Value":["big"]}}]}}""", "at 00081110[0].00280010")]
    [InlineData("""{"00280010":{"vr":"US","Value":[70000]}}""", "at 00280010")]
    [InlineData("""{"00100010":{"vr":"LT","Value":["a","b"]}}""", "holds a single value")]
    [InlineData("{", "Not JSON")]
    [InlineData("""{"00100010":{"vr":"PN","Value":[{"Ideographic":"山田"}]}}""", "at 00100010: The character U+5C71 cannot be encoded")]
    public void Read_Malformed_ThrowsDicomExceptionSayingWhere(string json, string expected)
    {
        var exception = Assert.Throws<DicomException>(() => DicomJson.Deserialize(json));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("test1.json", 1)]
    [InlineData("test_PN.json", 0)]
    public void Read_PydicomJsonSamples_ReadsEveryAttributeAndReportsBulkData(string name, int bulkDataUris)
    {
        var path = Path.Combine(OracleCorpus.Root, "test_files", name);

        var result = new DicomJsonReader().Read(File.ReadAllText(path));

        Assert.Equal(bulkDataUris, result.UnresolvedBulkData.Count);
        Assert.Equal(result.Dataset.Count, System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject().Count);
        var again = DicomJson.Serialize(DicomJson.Deserialize(DicomJson.Serialize(result.Dataset)));
        Assert.Equal(DicomJson.Serialize(result.Dataset), again);
    }
}
