using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Uploads;
using OrleansImaging.Grains.Tests.Cluster;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Uploads;

/// <summary>The upload grain's rules: offsets, leases (the newest writer wins), owner-only access, bounded outcomes.</summary>
[Collection(ImagingClusterCollection.Name)]
public sealed class UploadGrainTests(ImagingClusterFixture fixture)
{
    private static readonly string Sha = new('a', 64);

    private IUploadGrain Upload(string tenant, string id) => fixture.Client.GetGrain<IUploadGrain>(GrainKeys.Upload(tenant, id));

    private static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Chunks_CommitInOrder_OffsetAdvances_CompleteIsReceived()
    {
        var grain = Upload(TenantA, NewId());
        using var _ = CallerContext.Use(Doctor());
        var created = await grain.CreateAsync(new NewUpload(100, Sha, "application/dicom", null, "a.dcm"));
        Assert.Equal(UploadStatus.Receiving, created.Status);

        var first = await grain.BeginChunkAsync(0);
        Assert.StartsWith($"{TenantA}/uploads/", first.BlobKey, StringComparison.Ordinal);
        Assert.Equal(40, (await grain.CommitChunkAsync(first.LeaseId, 40)).Offset);
        var second = await grain.BeginChunkAsync(40);
        var done = await grain.CommitChunkAsync(second.LeaseId, 60);

        Assert.Equal(100, done.Offset);
        Assert.Equal(UploadStatus.Received, done.Status);
        Assert.Equal([0L, 40L], (await grain.GetChunksAsync()).Select(c => c.Offset));
        await Assert.ThrowsAsync<ConflictException>(() => grain.BeginChunkAsync(100));
    }

    [Fact]
    public async Task Lease_SupersededByANewerWriter_OlderCommitRefused_NewerCounts()
    {
        var grain = Upload(TenantA, NewId());
        using var _ = CallerContext.Use(Doctor());
        await grain.CreateAsync(new NewUpload(100, Sha, "application/dicom", null, null));

        var cutConnection = await grain.BeginChunkAsync(0);
        var reconnected = await grain.BeginChunkAsync(0);
        await grain.CommitChunkAsync(reconnected.LeaseId, 30);

        await Assert.ThrowsAsync<ConflictException>(() => grain.CommitChunkAsync(cutConnection.LeaseId, 50));
        Assert.NotEqual(cutConnection.BlobKey, reconnected.BlobKey); // they never wrote into the same blob
        Assert.Equal(30, (await grain.GetAsync()).Offset);
    }

    [Fact]
    public async Task Commit_PastDeclaredLength_Refused_AndOffsetMismatch_Conflict()
    {
        var grain = Upload(TenantA, NewId());
        using var _ = CallerContext.Use(Doctor());
        await grain.CreateAsync(new NewUpload(10, Sha, "application/dicom", null, null));

        await Assert.ThrowsAsync<ConflictException>(() => grain.BeginChunkAsync(5));
        var lease = await grain.BeginChunkAsync(0);
        await Assert.ThrowsAsync<ConflictException>(() => grain.CommitChunkAsync(lease.LeaseId, 11));
    }

    [Fact]
    public async Task Outcome_RecordedOnce_ASecondCompletionKeepsTheFirst()
    {
        var grain = Upload(TenantA, NewId());
        using var _ = CallerContext.Use(Doctor());
        await grain.CreateAsync(new NewUpload(10, Sha, "application/dicom", null, null));
        await Assert.ThrowsAsync<ConflictException>(() => grain.RecordOutcomeAsync(new UploadOutcome(200, 1, [])));
        var lease = await grain.BeginChunkAsync(0);
        await grain.CommitChunkAsync(lease.LeaseId, 10);

        await grain.RecordOutcomeAsync(new UploadOutcome(200, 1, []));
        var second = await grain.RecordOutcomeAsync(new UploadOutcome(409, 0, [new UploadFailure("1.2.3", 0x0111)]));

        Assert.Equal(UploadStatus.Ingested, second.Status);
        Assert.Equal(200, second.Outcome!.StowStatus);
    }

    [Fact]
    public async Task Access_OtherTenantOtherCallerReadOnly_AllNotFound_S3_2()
    {
        var id = NewId();
        using (CallerContext.Use(Doctor()))
            await Upload(TenantA, id).CreateAsync(new NewUpload(10, Sha, "application/dicom", null, null));
        var sameTenantOtherPerson = new Caller(CallerKind.User, "dr-2", TenantA, CallerRole.Doctor, [Scopes.DicomwebRead, Scopes.DicomwebWrite]);

        foreach (var intruder in new[] { Doctor(TenantB), sameTenantOtherPerson, ReadOnlyToken(), Operator() })
        {
            using var _ = CallerContext.Use(intruder);
            await Assert.ThrowsAsync<NotFoundException>(() => Upload(TenantA, id).GetAsync());
            await Assert.ThrowsAsync<NotFoundException>(() => Upload(TenantA, id).BeginChunkAsync(0));
            await Assert.ThrowsAsync<NotFoundException>(() => Upload(TenantA, id).DeleteAsync());
        }
        using (CallerContext.Use(ReadOnlyToken()))
            await Assert.ThrowsAsync<ForbiddenException>(() => Upload(TenantA, NewId()).CreateAsync(new NewUpload(10, Sha, "application/dicom", null, null)));
        using (CallerContext.Use(Doctor(TenantB)))
            await Assert.ThrowsAsync<NotFoundException>(() => Upload(TenantA, NewId()).CreateAsync(new NewUpload(10, Sha, "application/dicom", null, null)));
    }

    [Theory]
    [InlineData(0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "application/dicom", null)]
    [InlineData(10, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "application/dicom", null)]
    [InlineData(10, "abc", "application/dicom", null)]
    [InlineData(10, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", " ", null)]
    [InlineData(10, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "application/dicom", "not-a-uid")]
    public async Task Create_BadDeclaration_InvalidRequest(long length, string sha, string contentType, string? study)
    {
        using var _ = CallerContext.Use(Doctor());
        await Assert.ThrowsAsync<InvalidRequestException>(() => Upload(TenantA, NewId()).CreateAsync(new NewUpload(length, sha, contentType, study, null)));
    }

    [Fact]
    public async Task Delete_ReturnsChunks_ThenTheUploadIsGone()
    {
        var grain = Upload(TenantA, NewId());
        using var _ = CallerContext.Use(Doctor());
        await grain.CreateAsync(new NewUpload(10, Sha, "application/dicom", null, null));
        var lease = await grain.BeginChunkAsync(0);
        await grain.CommitChunkAsync(lease.LeaseId, 4);

        var chunks = await grain.DeleteAsync();

        Assert.Equal(lease.BlobKey, Assert.Single(chunks).BlobKey);
        await Assert.ThrowsAsync<NotFoundException>(() => grain.GetAsync());
    }
}
