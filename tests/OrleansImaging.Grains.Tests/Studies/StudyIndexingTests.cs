using System.Text;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom;
using OrleansImaging.Grains.Index;
using OrleansImaging.Grains.Tests.Cluster;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Studies;

/// <summary>The study grain feeds the query index: what it acknowledges, QIDO finds.</summary>
[Collection(ImagingClusterCollection.Name)]
public sealed class StudyIndexingTests(ImagingClusterFixture fixture)
{
    private IStudyGrain Study(string tenant, string study) => fixture.Client.GetGrain<IStudyGrain>(GrainKeys.Study(tenant, study));

    [Fact]
    public async Task AddInstancesAsync_Stored_IsFoundByStudyQueryWithCounts()
    {
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();

        await Study(TenantA, studyUid).AddInstancesAsync([.. Enumerable.Range(1, 3).Select(n => TestInstances.Make(TenantA, studyUid, studyUid + ".1", n))]);
        await Study(TenantA, studyUid).AddInstancesAsync([TestInstances.Make(TenantA, studyUid, studyUid + ".2", 1)]);

        var study = Assert.Single(await QueryStudiesAsync(TenantA, studyUid));
        Assert.Equal(4, study.Get<int>(DicomTag.NumberOfStudyRelatedInstances));
        Assert.Equal(2, study.Get<int>(DicomTag.NumberOfStudyRelatedSeries));
        Assert.Empty(await QueryStudiesAsync(TenantB, studyUid)); // S3.2: another hospital's index rows are not ours
    }

    [Fact]
    public async Task AddInstancesAsync_AlreadyStoredResent_IndexUnchanged()
    {
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();
        var instance = TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1);

        await Study(TenantA, studyUid).AddInstancesAsync([instance]);
        await Study(TenantA, studyUid).AddInstancesAsync([instance]);

        Assert.Equal(1, Assert.Single(await QueryStudiesAsync(TenantA, studyUid)).Get<int>(DicomTag.NumberOfStudyRelatedInstances));
    }

    [Fact]
    public async Task AddInstancesAsync_MetadataOfAnotherStudy_RefusedAndNotIndexed()
    {
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();
        var otherStudy = TestInstances.NewStudyUid();
        var honest = TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1);
        var lying = honest with
        {
            SopInstanceUid = studyUid + ".1.2",
            MetadataJson = TestInstances.Metadata(otherStudy, studyUid + ".1", studyUid + ".1.2", 2),
        };

        var outcome = Assert.Single(await Study(TenantA, studyUid).AddInstancesAsync([lying]));

        Assert.Equal(InstanceStatus.Refused, outcome.Status);
        Assert.Contains("Study Instance UID", outcome.Reason, StringComparison.Ordinal);
        Assert.Empty(await QueryStudiesAsync(TenantA, otherStudy));
        Assert.Empty(await QueryStudiesAsync(TenantA, studyUid));
    }

    [Fact]
    public async Task AddInstancesAsync_MetadataNotJson_Refused()
    {
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();
        var broken = TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1) with { MetadataJson = Encoding.UTF8.GetBytes("{\"00100010\": 5}") };

        var outcome = Assert.Single(await Study(TenantA, studyUid).AddInstancesAsync([broken]));

        Assert.Equal(InstanceStatus.Refused, outcome.Status);
    }

    private async Task<IReadOnlyList<DicomDataset>> QueryStudiesAsync(string tenant, string studyUid)
    {
        using var index = new SqliteQueryIndex(new SqliteQueryIndexOptions { DataDirectory = fixture.DataDirectory });
        var query = QidoQuery.Parse(tenant, QueryLevel.Study, [new("StudyInstanceUID", studyUid)]);
        return (await index.QueryAsync(query, CancellationToken.None)).Matches;
    }
}
