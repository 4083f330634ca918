using OrleansImaging.Dicom;
using OrleansImaging.Grains.Index;
using static OrleansImaging.Grains.Tests.Index.IndexTestData;

namespace OrleansImaging.Grains.Tests.Index;

/// <summary>Each matching key and their combinations, against a real SQLite file.</summary>
public sealed class SqliteQueryIndexMatchingTests : IndexTestBase
{
    // Five studies of tenant A with different patients, dates, modalities and physicians.
    private async Task SeedAsync()
    {
        await Index.UpsertAsync([
            Instance(TenantA, "1.1.1", "1.1.1.1", "1.1.1.1.1", h => h
                .AddOrUpdate(DicomTag.PatientName, "Doe^Jane").AddOrUpdate(DicomTag.PatientID, "PAT-1")
                .AddOrUpdate(DicomTag.StudyDate, "20240101").AddOrUpdate(DicomTag.StudyTime, "080000").AddOrUpdate(DicomTag.AccessionNumber, "A100")),
            Instance(TenantA, "1.1.1", "1.1.1.2", "1.1.1.2.1", h => h
                .AddOrUpdate(DicomTag.PatientName, "Doe^Jane").AddOrUpdate(DicomTag.PatientID, "PAT-1")
                .AddOrUpdate(DicomTag.StudyDate, "20240101").AddOrUpdate(DicomTag.StudyTime, "080000").AddOrUpdate(DicomTag.AccessionNumber, "A100")
                .AddOrUpdate(DicomTag.Modality, "SR").AddOrUpdate(DicomTag.SeriesNumber, "2")),
            Instance(TenantA, "1.1.2", "1.1.2.1", "1.1.2.1.1", h => h
                .AddOrUpdate(DicomTag.PatientName, "DOE^JOHN").AddOrUpdate(DicomTag.PatientID, "PAT-2")
                .AddOrUpdate(DicomTag.StudyDate, "20240615").AddOrUpdate(DicomTag.StudyTime, "143000").AddOrUpdate(DicomTag.AccessionNumber, "A200")
                .AddOrUpdate(DicomTag.Modality, "MR").AddOrUpdate(DicomTag.ReferringPhysicianName, "House^Gregory")),
            Instance(TenantA, "1.1.3", "1.1.3.1", "1.1.3.1.1", h => h
                .AddOrUpdate(DicomTag.SpecificCharacterSet, "ISO_IR 192")
                .AddOrUpdate(DicomTag.PatientName, "Wang^XiaoDong=王^小东").AddOrUpdate(DicomTag.PatientID, "PAT-3")
                .AddOrUpdate(DicomTag.StudyDate, "20241231").AddOrUpdate(DicomTag.AccessionNumber, "A_3%").AddOrUpdate(DicomTag.StudyID, "S[3]")
                .AddOrUpdate(DicomTag.ReferringPhysicianName, "Li^Na=李^娜")),
            Instance(TenantA, "1.1.4", "1.1.4.1", "1.1.4.1.1", h => h
                .AddOrUpdate(DicomTag.PatientName, "Smith^Anna").AddOrUpdate(DicomTag.PatientID, "' OR 1=1 --")
                .AddOrUpdate(DicomTag.StudyDate, "20230505").AddOrUpdate(DicomTag.AccessionNumber, "AXB3Y")),
        ]);
    }

    [Theory]
    [InlineData("PatientID=PAT-2", "1.1.2")]
    [InlineData("00100020=PAT-2", "1.1.2")]
    [InlineData("PatientID=PAT-*", "1.1.3 1.1.2 1.1.1")]
    [InlineData("PatientID=pat-2", "")]
    [InlineData("AccessionNumber=A200", "1.1.2")]
    [InlineData("AccessionNumber=A?00", "1.1.2 1.1.1")]
    [InlineData("StudyID=S[3]", "1.1.3")]
    [InlineData("StudyID=S[*", "1.1.3")]
    [InlineData("StudyInstanceUID=1.1.4", "1.1.4")]
    [InlineData(@"StudyInstanceUID=1.1.4\1.1.1\9.9.9", "1.1.1 1.1.4")]
    [InlineData("ModalitiesInStudy=SR", "1.1.1")]
    [InlineData(@"ModalitiesInStudy=MR\SR", "1.1.2 1.1.1")]
    [InlineData("ModalitiesInStudy=C*", "1.1.3 1.1.1 1.1.4")]
    [InlineData("ReferringPhysicianName=house^gregory", "1.1.2")]
    [InlineData("ReferringPhysicianName=李*", "1.1.3")]
    [InlineData("PatientSex=F", "1.1.3 1.1.2 1.1.1 1.1.4")]
    [InlineData("PatientBirthDate=19700101", "1.1.3 1.1.2 1.1.1 1.1.4")]
    public async Task QueryAsync_StudyKey_MatchesExactly(string query, string expected)
    {
        await SeedAsync();

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), await StudyUidsAsync(query));
    }

    [Theory]
    [InlineData("PatientName=Doe^Jane", "1.1.1")]
    [InlineData("PatientName=doe^jane", "1.1.1")]
    [InlineData("PatientName=DOE^JANE^^^", "1.1.1")]
    [InlineData("PatientName=doe*", "1.1.2 1.1.1")]
    [InlineData("PatientName=D?E^J*", "1.1.2 1.1.1")]
    [InlineData("PatientName=*^J?NE", "1.1.1")]
    [InlineData("PatientName=Doe", "")]
    [InlineData("PatientName=王*", "1.1.3")]
    [InlineData("PatientName=王^小东", "1.1.3")]
    [InlineData("PatientName=王^?东", "1.1.3")]
    [InlineData("PatientName=*小东", "1.1.3")]
    [InlineData("PatientName=wang^xiao*", "1.1.3")]
    [InlineData("PatientName=Wang^XiaoDong=王^小东", "1.1.3")]
    [InlineData("PatientName=Wang*=王*", "1.1.3")]
    [InlineData("PatientName=Wang^XiaoDong=李*", "")]
    public async Task QueryAsync_PatientName_CaseInsensitiveWildcardsOnAnyGroup(string query, string expected)
    {
        await SeedAsync();

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), await StudyUidsAsync(query));
    }

    [Theory]
    [InlineData("PatientName=doe", "1.1.2 1.1.1")]
    [InlineData("PatientName=jan", "1.1.1")]
    [InlineData("PatientName=xiao", "1.1.3")]
    [InlineData("PatientName=小", "1.1.3")]
    [InlineData("PatientName=oe", "")]
    [InlineData("ReferringPhysicianName=greg", "1.1.2")]
    public async Task QueryAsync_FuzzyMatching_PersonNameMatchesAComponentPrefix(string query, string expected)
    {
        await SeedAsync();

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), await StudyUidsAsync(query + "&fuzzymatching=true"));
    }

    [Theory]
    [InlineData("StudyDate=20240101", "1.1.1")]
    [InlineData("StudyDate=20240101-20240615", "1.1.2 1.1.1")]
    [InlineData("StudyDate=20240102-20240614", "")]
    [InlineData("StudyDate=-20240101", "1.1.1 1.1.4")]
    [InlineData("StudyDate=20240615-", "1.1.3 1.1.2")]
    [InlineData("StudyTime=0800", "1.1.1")]
    [InlineData("StudyTime=14-", "1.1.2")]
    [InlineData("StudyTime=-09", "1.1.1")]
    [InlineData("StudyDate=20240101-&StudyTime=10-15", "1.1.3 1.1.2")]
    public async Task QueryAsync_DateAndTimeRanges_IncludeBothEndsAndNeverMatchEmptyValues(string query, string expected)
    {
        await SeedAsync();

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), await StudyUidsAsync(query));
    }

    [Theory]
    [InlineData("PatientName=doe*&StudyDate=20240601-&ModalitiesInStudy=MR", "1.1.2")]
    [InlineData("PatientName=doe*&StudyDate=20240601-&ModalitiesInStudy=CT", "")]
    [InlineData("PatientID=PAT-1&AccessionNumber=A100&StudyInstanceUID=1.1.1&ReferringPhysicianName=Referring^Doctor", "1.1.1")]
    [InlineData("PatientID=PAT-1&AccessionNumber=A200", "")]
    public async Task QueryAsync_Combinations_AllKeysMustMatch(string query, string expected)
    {
        await SeedAsync();

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), await StudyUidsAsync(query));
    }

    [Theory]
    [InlineData("AccessionNumber=A_3%", "1.1.3")]
    [InlineData("AccessionNumber=A_*", "1.1.3")]
    [InlineData("AccessionNumber=A%25*", "")]
    [InlineData("AccessionNumber=AXB3Y", "1.1.4")]
    [InlineData("AccessionNumber=A_B3Y", "")]
    [InlineData("AccessionNumber=%25", "")]
    [InlineData("PatientName=%25", "")]
    [InlineData("PatientName=_*", "")]
    public async Task QueryAsync_PercentAndUnderscore_AreLiteralNotWildcards(string query, string expected)
    {
        await SeedAsync();

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), await StudyUidsAsync(query));
    }

    [Theory]
    [InlineData("PatientID=' OR 1=1 --", "1.1.4")]
    [InlineData("PatientID=x' OR '1'='1", "")]
    [InlineData("PatientName=x') OR 1=1 --", "")]
    [InlineData("AccessionNumber=A100'; DROP TABLE studies; --", "")]
    [InlineData("StudyDescription=*' UNION SELECT * FROM studies --", "")]
    [InlineData("PatientName=*\" OR \"\"=\"", "")]
    public async Task QueryAsync_SqlInjectionInValues_IsMatchedLiterally_S9_4(string query, string expected)
    {
        // S9.4 SQL injection: values only ever reach SQLite as parameters, so these match as text.
        await SeedAsync();

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), await StudyUidsAsync(query));
        Assert.Equal(4, (await StudyUidsAsync("")).Length);
    }

    [Fact]
    public async Task QueryAsync_SeriesKeys_MatchSeriesInAndAcrossStudies()
    {
        await SeedAsync();

        async Task<string[]> SeriesAsync(string query, string? study = null) =>
            (await Index.QueryAsync(Query(QueryLevel.Series, query, study: study))).Matches.Select(m => m.Get<string>(DicomTag.SeriesInstanceUID)).ToArray();

        Assert.Equal(["1.1.1.2"], await SeriesAsync("Modality=SR"));
        Assert.Equal(["1.1.1.2"], await SeriesAsync("SeriesNumber=2"));
        Assert.Equal(["1.1.1.1", "1.1.1.2"], await SeriesAsync("", study: "1.1.1"));
        Assert.Equal(["1.1.1.2"], await SeriesAsync(@"Modality=SR\MR", study: "1.1.1"));
        Assert.Equal(["1.1.2.1"], await SeriesAsync("SeriesInstanceUID=1.1.2.1"));
        Assert.Equal(["1.1.2.1"], await SeriesAsync("PatientID=PAT-2"));
        Assert.Equal(["1.1.3.1", "1.1.2.1", "1.1.1.1", "1.1.1.2"], await SeriesAsync("StudyDate=20240101-"));
        Assert.Empty(await SeriesAsync("", study: "9.9.9"));
    }

    [Fact]
    public async Task QueryAsync_InstanceKeys_MatchInstancesNestedOrNot()
    {
        await SeedAsync();
        await Index.UpsertAsync(Series(TenantA, "1.1.1", "1.1.1.1", 5, h => h.AddOrUpdate(DicomTag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.4")));

        async Task<string[]> InstancesAsync(string query, string? study = null, string? series = null) =>
            (await Index.QueryAsync(Query(QueryLevel.Instance, query, study: study, series: series))).Matches.Select(m => m.Get<string>(DicomTag.SOPInstanceUID)).ToArray();

        Assert.Equal(["1.1.1.1.3"], await InstancesAsync("InstanceNumber=3", study: "1.1.1", series: "1.1.1.1"));
        Assert.Equal(["1.1.1.1.2", "1.1.1.1.4"], await InstancesAsync(@"SOPInstanceUID=1.1.1.1.4\1.1.1.1.2", study: "1.1.1"));
        Assert.Equal(["1.1.1.1.1", "1.1.1.1.2", "1.1.1.1.3", "1.1.1.1.4", "1.1.1.1.5"], await InstancesAsync("SOPClassUID=1.2.840.10008.5.1.4.1.1.4"));
        Assert.Equal(["1.1.1.2.1"], await InstancesAsync("Modality=SR", study: "1.1.1"));
        Assert.Equal(["1.1.2.1.1"], await InstancesAsync("PatientName=doe^john"));
        Assert.Empty(await InstancesAsync("", study: "1.1.2", series: "1.1.1.1"));
    }
}
