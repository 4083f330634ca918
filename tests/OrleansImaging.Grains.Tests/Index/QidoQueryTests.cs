using OrleansImaging.Dicom;
using OrleansImaging.Grains.Index;

namespace OrleansImaging.Grains.Tests.Index;

public sealed class QidoQueryTests
{
    private static QidoQuery Parse(string query, QueryLevel level = QueryLevel.Study, string? study = null, string? series = null) =>
        QidoQuery.Parse(IndexTestData.TenantA, level, Pairs(query), study, series);

    private static IEnumerable<KeyValuePair<string, string>> Pairs(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var equals = pair.IndexOf('=');
            return new KeyValuePair<string, string>(pair[..equals], pair[(equals + 1)..]);
        });

    private static QidoQueryException Fails(string query, QueryLevel level = QueryLevel.Study, string? study = null) =>
        Assert.Throws<QidoQueryException>(() => Parse(query, level, study));

    [Fact]
    public void Parse_KeywordAndTag_GiveTheSameMatch()
    {
        Assert.Equal(Parse("PatientID=P1").Matches, Parse("00100020=P1").Matches);
        Assert.Equal([new QidoValueMatch(DicomTag.PatientID, ["P1"])], Parse("PatientID=P1").Matches);
    }

    [Fact]
    public void Parse_NoParameters_AllStudiesFirstPageOfMaxLimit()
    {
        var query = Parse("");

        Assert.Equal((IndexTestData.TenantA, QueryLevel.Study, 0, QidoQuery.MaxLimit, 0, false, false),
            (query.TenantId, query.Level, query.Matches.Count, query.Limit, query.Offset, query.FuzzyMatching, query.IncludeAllFields));
    }

    [Theory]
    [InlineData("PatientName=")]
    [InlineData("PatientName=*")]
    [InlineData("StudyDate=")]
    [InlineData("StudyInstanceUID=**")]
    public void Parse_EmptyOrStarValue_IsUniversalMatching(string query) => Assert.Empty(Parse(query).Matches);

    [Fact]
    public void Parse_PersonName_UpperCasedWithTrailingEmptyComponentsRemoved()
    {
        Assert.Equal([new QidoPersonNameMatch(DicomTag.PatientName, "DOE^JA*")], Parse("PatientName=doe^ja*^^").Matches);
        Assert.Equal([new QidoPersonNameMatch(DicomTag.PatientName, "王*")], Parse("PatientName=王*").Matches);
        Assert.True(((QidoPersonNameMatch)Parse("PatientName=Wang^XiaoDong=王^小东").Matches[0]).MatchesWholeName);
    }

    [Theory]
    [InlineData("StudyDate=20240315", "20240315", "20240315")]
    [InlineData("StudyDate=20240101-20241231", "20240101", "20241231")]
    [InlineData("StudyDate=-20241231", null, "20241231")]
    [InlineData("StudyDate=20240101-", "20240101", null)]
    [InlineData("StudyDate=20240315-20240315", "20240315", "20240315")]
    public void Parse_DateForms_GiveInclusiveRanges(string query, string? lower, string? upper) =>
        Assert.Equal([new QidoRangeMatch(DicomTag.StudyDate, lower, upper)], Parse(query).Matches);

    [Theory]
    [InlineData("StudyTime=10", "100000.000000", "105959.999999")]
    [InlineData("StudyTime=1015-1130", "101500.000000", "113059.999999")]
    [InlineData("StudyTime=101500.5-", "101500.500000", null)]
    public void Parse_TimeForms_GiveInclusiveRanges(string query, string? lower, string? upper) =>
        Assert.Equal([new QidoRangeMatch(DicomTag.StudyTime, lower, upper)], Parse(query).Matches);

    [Theory]
    [InlineData("StudyDate=20241301")]
    [InlineData("StudyDate=20240230")]
    [InlineData("StudyDate=2024031")]
    [InlineData("StudyDate=2024-03-15")]
    [InlineData("StudyDate=20241231-20240101")]
    [InlineData("StudyDate=-")]
    [InlineData("StudyDate=2024O315")]
    [InlineData("StudyDate=20240101-2024")]
    public void Parse_BadDateOrReversedRange_FailsNamingStudyDate(string query)
    {
        var error = Fails(query);

        Assert.Equal("StudyDate", error.Parameter);
        Assert.Contains("StudyDate", error.Message);
    }

    [Theory]
    [InlineData("StudyTime=25")]
    [InlineData("StudyTime=1260")]
    [InlineData("StudyTime=12-10")]
    public void Parse_BadTime_FailsNamingStudyTime(string query) => Assert.Equal("StudyTime", Fails(query).Parameter);

    [Fact]
    public void Parse_UidList_SplitsAtBackslash()
    {
        Assert.Equal([new QidoValueMatch(DicomTag.StudyInstanceUID, ["1.2.3", "1.2.4"])], Parse(@"StudyInstanceUID=1.2.3\1.2.4").Matches);
    }

    [Theory]
    [InlineData(@"StudyInstanceUID=1.2.3\abc")]
    [InlineData("StudyInstanceUID=1.2.*")]
    [InlineData("StudyInstanceUID=1..2")]
    [InlineData("StudyInstanceUID=1.2.3'")]
    public void Parse_BadUid_FailsNamingTheAttribute(string query) => Assert.Equal("StudyInstanceUID", Fails(query).Parameter);

    [Fact]
    public void Parse_UidListTooLong_Fails() =>
        Assert.Equal("StudyInstanceUID", Fails("StudyInstanceUID=" + string.Join('\\', Enumerable.Range(1, QidoQuery.MaxListLength + 1).Select(n => "1.2." + n))).Parameter);

    [Theory]
    [InlineData("Foo=1", "Foo")]
    [InlineData("tenant=hospital-b", "tenant")]
    [InlineData("patientname=x", "patientname")]
    [InlineData("FFFFFFFF=x", "FFFFFFFF")]
    public void Parse_UnknownAttribute_FailsNamingIt(string query, string name)
    {
        // S3.2: the tenant comes only from the caller's identity, so a "tenant" key is just an unknown attribute.
        var error = Fails(query);

        Assert.Equal(name, error.Parameter);
        Assert.Contains(name, error.Message);
    }

    [Theory]
    [InlineData("SOPInstanceUID=1.2", QueryLevel.Study, null, "SOPInstanceUID")]
    [InlineData("Modality=CT", QueryLevel.Study, null, "Modality")]
    [InlineData("Rows=512", QueryLevel.Instance, null, "Rows")]
    [InlineData("PatientName=Doe", QueryLevel.Series, "1.2.3", "PatientName")]
    [InlineData("00100010=Doe", QueryLevel.Instance, "1.2.3", "PatientName")]
    public void Parse_AttributeNotMatchableAtThisLevel_FailsNamingIt(string query, QueryLevel level, string? study, string name)
    {
        var error = Fails(query, level, study);

        Assert.Equal(name, error.Parameter);
        Assert.Contains("not supported for matching", error.Message);
    }

    [Fact]
    public void Parse_ParentLevelKeysWhenThePathLeavesThemOpen_AreAccepted()
    {
        Assert.Equal(3, Parse("PatientName=Doe&Modality=CT&SOPInstanceUID=1.2", QueryLevel.Instance).Matches.Count);
        Assert.Equal(2, Parse("Modality=CT&InstanceNumber=3", QueryLevel.Instance, study: "1.2.3").Matches.Count);
    }

    [Theory]
    [InlineData("PatientID=1&PatientID=2", "PatientID")]
    [InlineData("PatientID=1&00100020=2", "PatientID")]
    [InlineData("limit=1&limit=2", "limit")]
    [InlineData("offset=1&offset=2", "offset")]
    [InlineData("fuzzymatching=true&fuzzymatching=false", "fuzzymatching")]
    public void Parse_RepeatedParameter_FailsNamingIt_S9_3(string query, string name)
    {
        // S9.3 HTTP parameter pollution: a repeated key is refused, not resolved first- or last-wins.
        Assert.Equal(name, Fails(query).Parameter);
    }

    [Fact]
    public void Parse_IncludeField_CommaSeparatedRepeatedAndTags()
    {
        var query = Parse("includefield=StudyDescription,00081030&includefield=PatientAge");

        Assert.Equal([DicomTag.StudyDescription, DicomTag.PatientAge], query.IncludeFields);
        Assert.False(query.IncludeAllFields);
        Assert.True(Parse("includefield=all").IncludeAllFields);
    }

    [Fact]
    public void Parse_IncludeFieldUnknown_FailsNamingIt()
    {
        var error = Fails("includefield=StudyDescription,NoSuchThing");

        Assert.Equal("NoSuchThing", error.Parameter);
        Assert.Contains("NoSuchThing", error.Message);
    }

    [Theory]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=1.5", "limit")]
    [InlineData("offset=-5", "offset")]
    [InlineData("offset=99999999999", "offset")]
    [InlineData("fuzzymatching=yes", "fuzzymatching")]
    [InlineData("SeriesNumber=one", "SeriesNumber")]
    public void Parse_BadPagingOrFlagOrNumber_FailsNamingIt(string query, string name) =>
        Assert.Equal(name, Fails(query, QueryLevel.Series).Parameter);

    [Fact]
    public void Parse_LimitAboveMax_IsCappedAndSaysSo()
    {
        var query = Parse("limit=5000&offset=20&fuzzymatching=TRUE");

        Assert.Equal((QidoQuery.MaxLimit, true, 20, true), (query.Limit, query.LimitWasCapped, query.Offset, query.FuzzyMatching));
        Assert.False(Parse("limit=10").LimitWasCapped);
    }

    [Fact]
    public void Parse_OversizedOrControlCharacterValue_FailsNamingTheAttribute_S9_13()
    {
        Assert.Equal("PatientID", Fails("PatientID=" + new string('x', QidoQuery.MaxValueLength + 1)).Parameter);
        Assert.Equal("PatientID", Fails("PatientID=a\u0000b").Parameter);
    }

    [Fact]
    public void Parse_BadPathUid_FailsNamingIt() =>
        Assert.Equal("StudyInstanceUID", Fails("", QueryLevel.Series, study: "1.2.x").Parameter);

    [Fact]
    public void Parse_NoTenant_Throws() =>
        Assert.ThrowsAny<ArgumentException>(() => QidoQuery.Parse(" ", QueryLevel.Study, []));
}
