using Microsoft.Data.Sqlite;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Json;
using OrleansImaging.Grains.Index;
using static OrleansImaging.Grains.Tests.Index.IndexTestData;

namespace OrleansImaging.Grains.Tests.Index;

/// <summary>Tenancy, idempotence, aggregates, result attributes and paging, against a real SQLite file.</summary>
public sealed class SqliteQueryIndexTests : IndexTestBase
{
    [Fact]
    public async Task QueryAsync_SameUidsInTwoTenants_EachTenantSeesOnlyItsOwn_S3_2_S7_4()
    {
        // S3.2 horizontal escalation / S7.4 direct object references: hospital B knowing (or guessing)
        // A's UIDs, even holding the very same UIDs, finds only its own rows at every level.
        await Index.UpsertAsync([.. Series(TenantA, "1.2.3", "1.2.3.1", 3, h => h.AddOrUpdate(DicomTag.PatientName, "Alpha^Ann"))]);
        await Index.UpsertAsync([.. Series(TenantB, "1.2.3", "1.2.3.1", 2, h => h.AddOrUpdate(DicomTag.PatientName, "Beta^Bob"))]);

        foreach (var (tenant, name, count) in new[] { (TenantA, "Alpha^Ann", 3), (TenantB, "Beta^Bob", 2) })
        {
            var studies = (await Index.QueryAsync(Query(QueryLevel.Study, "StudyInstanceUID=1.2.3", tenant))).Matches;
            var study = Assert.Single(studies);
            Assert.Equal(name, study.Get<string>(DicomTag.PatientName));
            Assert.Equal(count, study.Get<int>(DicomTag.NumberOfStudyRelatedInstances));
            Assert.Equal(count, (await Index.QueryAsync(Query(QueryLevel.Instance, "", tenant, study: "1.2.3", series: "1.2.3.1"))).Matches.Count);
            Assert.Equal(count, (await Index.QueryAsync(Query(QueryLevel.Instance, "SOPInstanceUID=1.2.3.1.1\\1.2.3.1.2\\1.2.3.1.3", tenant))).Matches.Count);
            Assert.Single((await Index.QueryAsync(Query(QueryLevel.Series, "PatientName=*", tenant))).Matches);
        }
        Assert.Empty(await StudyUidsAsync("PatientName=Beta*", TenantA));
        Assert.Empty(await StudyUidsAsync("", "hospital-c"));
    }

    [Fact]
    public async Task DeleteStudyAsync_OneTenant_LeavesTheOtherTenantsStudy_S3_2()
    {
        await Index.UpsertAsync([.. Series(TenantA, "1.2.3", "1.2.3.1", 2), .. Series(TenantB, "1.2.3", "1.2.3.1", 2)]);

        Assert.True(await Index.DeleteStudyAsync(TenantB, "1.2.3"));

        Assert.Empty(await StudyUidsAsync("", TenantB));
        Assert.Empty((await Index.QueryAsync(Query(QueryLevel.Instance, "", TenantB))).Matches);
        Assert.Equal(["1.2.3"], await StudyUidsAsync("", TenantA));
        Assert.Equal(2, (await Index.QueryAsync(Query(QueryLevel.Instance, "", TenantA))).Matches.Count);
        Assert.False(await Index.DeleteStudyAsync(TenantB, "1.2.3"));
    }

    [Fact]
    public async Task QueryAsync_EmptyTenant_IsRefusedNotAllTenants_S3_2()
    {
        await Index.UpsertAsync(Series(TenantA, "1.2.3", "1.2.3.1", 1));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Index.QueryAsync(new QidoQuery { TenantId = "", Level = QueryLevel.Study }));
    }

    [Fact]
    public async Task UpsertAsync_SameInstancesAgain_CountsUnchangedAndAttributesReplaced()
    {
        var batch = Series(TenantA, "1.2.3", "1.2.3.1", 4);
        await Index.UpsertAsync(batch);
        await Index.UpsertAsync(batch);
        await Index.UpsertAsync([batch[0], batch[0], Instance(TenantA, "1.2.3", "1.2.3.1", "1.2.3.1.2", h => h.AddOrUpdate(DicomTag.PatientName, "Renamed^Patient"))]);

        var study = Assert.Single((await Index.QueryAsync(Query(QueryLevel.Study))).Matches);
        Assert.Equal((1, 4), (study.Get<int>(DicomTag.NumberOfStudyRelatedSeries), study.Get<int>(DicomTag.NumberOfStudyRelatedInstances)));
        Assert.Equal("Renamed^Patient", study.Get<string>(DicomTag.PatientName));
        var series = Assert.Single((await Index.QueryAsync(Query(QueryLevel.Series))).Matches);
        Assert.Equal(4, series.Get<int>(DicomTag.NumberOfSeriesRelatedInstances));
        Assert.Equal(4, (await Index.QueryAsync(Query(QueryLevel.Instance))).Matches.Count);
    }

    [Fact]
    public async Task UpsertAsync_SeveralBatches_AggregatesCountSeriesInstancesAndModalities()
    {
        await Index.UpsertAsync(Series(TenantA, "1.2.3", "1.2.3.1", 3));
        await Index.UpsertAsync(Series(TenantA, "1.2.3", "1.2.3.2", 2, h => h.AddOrUpdate(DicomTag.Modality, "SR")));
        await Index.UpsertAsync([.. Series(TenantA, "1.2.3", "1.2.3.3", 5, h => h.AddOrUpdate(DicomTag.Modality, "CT")), .. Series(TenantA, "1.2.4", "1.2.4.1", 1, h => h.AddOrUpdate(DicomTag.Modality, "MR"))]);
        await Index.UpsertAsync(Series(TenantA, "1.2.3", "1.2.3.4", 1, h => h.AddOrUpdate(DicomTag.Modality, "PR")));

        var study = (await Index.QueryAsync(Query(QueryLevel.Study, "StudyInstanceUID=1.2.3"))).Matches.Single();
        Assert.Equal(4, study.Get<int>(DicomTag.NumberOfStudyRelatedSeries));
        Assert.Equal(11, study.Get<int>(DicomTag.NumberOfStudyRelatedInstances));
        Assert.Equal(["CT", "PR", "SR"], study.GetValues<string>(DicomTag.ModalitiesInStudy));
        var series = (await Index.QueryAsync(Query(QueryLevel.Series, "", study: "1.2.3"))).Matches;
        Assert.Equal([3, 2, 5, 1], series.Select(s => s.Get<int>(DicomTag.NumberOfSeriesRelatedInstances)));
        Assert.Equal(["MR"], (await Index.QueryAsync(Query(QueryLevel.Study, "StudyInstanceUID=1.2.4"))).Matches.Single().GetValues<string>(DicomTag.ModalitiesInStudy));
    }

    [Fact]
    public async Task UpsertAsync_InstanceMovedToAnotherSeries_CountsFollowAndEmptySeriesAndStudyGo()
    {
        await Index.UpsertAsync([.. Series(TenantA, "1.2.3", "1.2.3.1", 2), Instance(TenantA, "1.2.5", "1.2.5.1", "1.2.5.1.1")]);

        // A corrected header puts an instance in another study's series: it counts there only.
        await Index.UpsertAsync([Instance(TenantA, "1.2.3", "1.2.3.2", "1.2.5.1.1", h => h.AddOrUpdate(DicomTag.Modality, "MR"))]);

        Assert.Equal(["1.2.3"], await StudyUidsAsync(""));
        var study = (await Index.QueryAsync(Query(QueryLevel.Study))).Matches.Single();
        Assert.Equal((2, 3), (study.Get<int>(DicomTag.NumberOfStudyRelatedSeries), study.Get<int>(DicomTag.NumberOfStudyRelatedInstances)));
        Assert.Equal(["CT", "MR"], study.GetValues<string>(DicomTag.ModalitiesInStudy));
    }

    [Fact]
    public async Task QueryAsync_EachLevel_ReturnsThePs318RequiredAttributes()
    {
        await Index.UpsertAsync(Series(TenantA, "1.2.3", "1.2.3.1", 2, h => h
            .AddOrUpdate(DicomTag.PerformedProcedureStepStartDate, "20240315").AddOrUpdate(DicomTag.PerformedProcedureStepStartTime, "1000")
            .AddOrUpdate(DicomTag.NumberOfFrames, "1")));

        var study = (await Index.QueryAsync(Query(QueryLevel.Study))).Matches.Single();
        Assert.Equal(
            [DicomTag.StudyDate, DicomTag.StudyTime, DicomTag.AccessionNumber, DicomTag.ModalitiesInStudy, DicomTag.ReferringPhysicianName,
             DicomTag.PatientName, DicomTag.PatientID, DicomTag.PatientBirthDate, DicomTag.PatientSex, DicomTag.StudyInstanceUID,
             DicomTag.StudyID, DicomTag.NumberOfStudyRelatedSeries, DicomTag.NumberOfStudyRelatedInstances],
            study.Select(a => a.Tag));

        var series = (await Index.QueryAsync(Query(QueryLevel.Series, "", study: "1.2.3"))).Matches.Single();
        Assert.Equal(
            [DicomTag.Modality, DicomTag.SeriesDescription, DicomTag.StudyInstanceUID, DicomTag.SeriesInstanceUID,
             DicomTag.SeriesNumber, DicomTag.NumberOfSeriesRelatedInstances, DicomTag.PerformedProcedureStepStartDate,
             DicomTag.PerformedProcedureStepStartTime],
            series.Select(a => a.Tag));

        var instance = (await Index.QueryAsync(Query(QueryLevel.Instance, "", study: "1.2.3", series: "1.2.3.1"))).Matches[0];
        Assert.Equal(
            [DicomTag.SOPClassUID, DicomTag.SOPInstanceUID, DicomTag.StudyInstanceUID, DicomTag.SeriesInstanceUID,
             DicomTag.InstanceNumber, DicomTag.NumberOfFrames, DicomTag.Rows, DicomTag.Columns, DicomTag.BitsAllocated],
            instance.Select(a => a.Tag));
        Assert.Equal((512, 16, "1.2.3.1.1"), (instance.Get<int>(DicomTag.Rows), instance.Get<int>(DicomTag.BitsAllocated), instance.Get<string>(DicomTag.SOPInstanceUID)));
    }

    [Fact]
    public async Task QueryAsync_SeriesAcrossStudies_CarriesItsStudysAttributes()
    {
        await Index.UpsertAsync(Series(TenantA, "1.2.3", "1.2.3.1", 2));

        var series = (await Index.QueryAsync(Query(QueryLevel.Series))).Matches.Single();

        Assert.True(series.Contains(DicomTag.PatientName));
        Assert.Equal(2, series.Get<int>(DicomTag.NumberOfStudyRelatedInstances));
        Assert.Equal(2, series.Get<int>(DicomTag.NumberOfSeriesRelatedInstances));
    }

    [Fact]
    public async Task QueryAsync_IncludeField_AddsStoredAttributesOnly()
    {
        await Index.UpsertAsync(Series(TenantA, "1.2.3", "1.2.3.1", 1, h => h
            .AddOrUpdate(DicomTag.PatientAge, "054Y").AddOrUpdate(DicomTag.ImageType, "ORIGINAL", "PRIMARY")));

        var study = (await Index.QueryAsync(Query(QueryLevel.Study, "includefield=StudyDescription,00101010&includefield=ImageType"))).Matches.Single();
        Assert.Equal("CT CHEST", study.Get<string>(DicomTag.StudyDescription));
        Assert.Equal("054Y", study.Get<string>(DicomTag.PatientAge));
        Assert.False(study.Contains(DicomTag.ImageType));

        var all = (await Index.QueryAsync(Query(QueryLevel.Instance, "includefield=all", study: "1.2.3"))).Matches.Single();
        Assert.Equal(["ORIGINAL", "PRIMARY"], all.GetValues<string>(DicomTag.ImageType));
        Assert.Equal("CT", all.Get<string>(DicomTag.Modality));
        Assert.False(all.Contains(DicomTag.PixelData));
        Assert.False(all.Contains(DicomTag.PatientAge));
    }

    [Fact]
    public async Task QueryAsync_LimitAndOffset_PagesInAStableOrderWithoutOverlap()
    {
        // Same date and time everywhere: only the UID tie-break orders the studies.
        for (var batch = 0; batch < 5; batch++)
            await Index.UpsertAsync(Enumerable.Range(0, 5).Select(n => Instance(TenantA, $"1.2.{batch * 5 + n + 10}", $"1.2.{batch * 5 + n + 10}.1", $"1.2.{batch * 5 + n + 10}.1.1")).ToArray());
        var all = await StudyUidsAsync("");

        var pages = new List<string>();
        for (var offset = 0; offset < 25; offset += 7)
        {
            var page = await Index.QueryAsync(Query(QueryLevel.Study, $"limit=7&offset={offset}"));
            pages.AddRange(page.Matches.Select(m => m.Get<string>(DicomTag.StudyInstanceUID)));
            Assert.Equal(offset + 7 < 25, page.HasMore);
        }

        Assert.Equal(25, all.Length);
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Equal(all, pages);
        Assert.Equal(all, await StudyUidsAsync(""));
        Assert.Empty((await Index.QueryAsync(Query(QueryLevel.Study, "offset=25"))).Matches);
    }

    [Fact]
    public async Task QueryAsync_ChineseNamesFromGb18030_MatchAndComeBackAsUtf8Json()
    {
        await Index.UpsertAsync([Instance(TenantA, "1.2.3", "1.2.3.1", "1.2.3.1.1", h => h
            .AddOrUpdate(DicomTag.SpecificCharacterSet, "GB18030")
            .AddOrUpdate(DicomTag.PatientName, "Wang^XiaoDong=王^小东")
            .AddOrUpdate(DicomTag.StudyDescription, "胸部CT"))]);

        var study = (await Index.QueryAsync(Query(QueryLevel.Study, "PatientName=王*&includefield=StudyDescription"))).Matches.Single();

        Assert.Equal("ISO_IR 192", study.Get<string>(DicomTag.SpecificCharacterSet));
        Assert.Equal("Wang^XiaoDong=王^小东", study.Get<string>(DicomTag.PatientName));
        var json = DicomJson.Serialize(study);
        Assert.Contains("\"Ideographic\":\"王^小东\"", json);
        Assert.Contains("胸部CT", json);
    }

    [Fact]
    public async Task UpsertAsync_AfterReopen_DataAndSchemaAreKeptInWalMode()
    {
        await Index.UpsertAsync(Series(TenantA, "1.2.3", "1.2.3.1", 2));

        using var reopened = new SqliteQueryIndex(new SqliteQueryIndexOptions { DataDirectory = Folder });
        await reopened.UpsertAsync(Series(TenantA, "1.2.3", "1.2.3.1", 3));

        var study = (await reopened.QueryAsync(Query(QueryLevel.Study))).Matches.Single();
        Assert.Equal(3, study.Get<int>(DicomTag.NumberOfStudyRelatedInstances));
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(Folder, "query-index.sqlite")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task UpsertAsync_ConcurrentBatches_AllCounted()
    {
        var batches = Enumerable.Range(0, 20).Select(b => Enumerable.Range(1, 10).Select(n => Instance(TenantA, "1.2.3", $"1.2.3.{b % 4}", $"1.2.3.{b % 4}.{b}{n:D2}")).ToArray());

        await Task.WhenAll(batches.Select(batch => Task.Run(() => Index.UpsertAsync(batch))));

        var study = (await Index.QueryAsync(Query(QueryLevel.Study))).Matches.Single();
        Assert.Equal((4, 200), (study.Get<int>(DicomTag.NumberOfStudyRelatedSeries), study.Get<int>(DicomTag.NumberOfStudyRelatedInstances)));
    }

    [Fact]
    public async Task UpsertAsync_InstanceWithoutUids_RefusesTheWholeBatch()
    {
        var bad = Instance(TenantA, "1.2.3", "1.2.3.1", "1.2.3.1.9") with { SopInstanceUid = "" };

        await Assert.ThrowsAsync<QueryIndexException>(() => Index.UpsertAsync([.. Series(TenantA, "1.2.3", "1.2.3.1", 2), bad]));

        Assert.Empty(await StudyUidsAsync(""));
    }

    [Fact]
    public async Task UpsertAsync_Cancelled_WritesNothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Index.UpsertAsync(Series(TenantA, "1.2.3", "1.2.3.1", 2), cancelled.Token));

        Assert.Empty(await StudyUidsAsync(""));
    }
}
