using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Edge.Spool;

namespace OrleansImaging.Api.Tests.Edge;

/// <summary>
/// The spool handing batches to several uploaders at once: each study in one batch at a time, every queued file in
/// at most one batch in flight, and after a restart every batch left in flight handed out again (to be resumed)
/// before a new one is built.
/// </summary>
public sealed class EdgeSpoolTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("imaging-edge-spool-").FullName;
    private readonly List<string> _log = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Open_NewOrOpenSpool_EndsOwnerOnly_S1_1()
    {
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var fresh = new EdgeSpool(Path.Combine(_root, "fresh"));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(fresh.Root));

        var open = Path.Combine(_root, "open");
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, (UnixFileMode)0b111_111_111);
        Assert.Equal(ownerOnly, File.GetUnixFileMode(new EdgeSpool(open).Root));
    }

    [Fact]
    public async Task NextBatchAsync_SixUploadersAtOnceOverThreeStudies_ThreeBatchesOfDistinctStudies_RestWaits()
    {
        var spool = new EdgeSpool(_root);
        var studies = Enumerable.Range(0, 3).Select(_ => SyntheticCt.Series(3)).ToList();
        await QueueAsync(spool, studies.SelectMany(s => s));

        var batches = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => spool.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None))));

        var handed = batches.OfType<SpoolBatch>().ToList();
        Assert.Equal(3, handed.Count);
        Assert.Equal(3, handed.Select(b => b.StudyInstanceUid).Distinct().Count());
        Assert.Equal(
            studies.SelectMany(s => s).Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal),
            handed.SelectMany(b => b.Members).Select(m => m.SopInstanceUid).Order(StringComparer.Ordinal));
        Assert.All(handed, b => Assert.Equal(studies.Single(s => s[0].StudyInstanceUid == b.StudyInstanceUid).Count, b.Members.Count));
    }

    [Fact]
    public async Task NextBatchAsync_MoreOfAStudyInFlightArrives_WaitsForThatBatch_ThenBuiltWithoutTheSentOnes()
    {
        var spool = new EdgeSpool(_root);
        var study = SyntheticCt.Series(4);
        await QueueAsync(spool, study.Take(2));
        var first = await spool.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None);
        Assert.NotNull(first);
        await QueueAsync(spool, study.Skip(2));

        var whileInFlight = await spool.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None);
        spool.Complete(first, new Dictionary<string, string>(), new HashSet<string>(), TimeProvider.System);
        var after = await spool.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None);

        Assert.Null(whileInFlight);
        Assert.NotNull(after);
        Assert.Equal(study.Skip(2).Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal), after.Members.Select(m => m.SopInstanceUid).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task NextBatchAsync_AfterRestartWithThreeBatchesInFlight_HandsOutEachOnceWithItsUploadUrl_ThenNewOnes()
    {
        var before = new EdgeSpool(_root);
        var studies = Enumerable.Range(0, 3).Select(_ => SyntheticCt.Series(2)).ToList();
        await QueueAsync(before, studies.SelectMany(s => s));
        var inFlight = new List<SpoolBatch>();
        for (var i = 0; i < 3; i++)
        {
            var batch = await before.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None);
            Assert.NotNull(batch);
            batch = batch with { Upload = $"https://cloud.example/uploads/{i}" };
            before.Save(batch);
            inFlight.Add(batch);
        }
        var late = SyntheticCt.Series(1);
        await QueueAsync(before, late);

        // A new process on the same directory (the old one was killed: nothing was completed or released).
        var after = new EdgeSpool(_root);
        var resumed = new List<SpoolBatch>();
        for (var i = 0; i < 3; i++)
            resumed.Add((await after.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None))!);
        var fourth = await after.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None);
        var fifth = await after.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None);

        Assert.Equal(inFlight.Select(b => (b.Id, b.Upload)).Order(), resumed.Select(b => (b.Id, b.Upload)).Order());
        Assert.NotNull(fourth);
        Assert.Equal(late[0].SopInstanceUid, Assert.Single(fourth.Members).SopInstanceUid);
        Assert.Null(fifth);
    }

    [Fact]
    public async Task Reload_DiscardedBatch_NullAndItsStudyFreeAgain()
    {
        var spool = new EdgeSpool(_root);
        var study = SyntheticCt.Series(2);
        await QueueAsync(spool, study);
        var batch = (await spool.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None))!;

        spool.Discard(batch);
        var again = await spool.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None);

        Assert.Null(spool.Reload(batch));
        Assert.NotNull(again);
        Assert.NotEqual(batch.Id, again.Id);
        Assert.Equal(2, again.Members.Count);
    }

    [Fact]
    public async Task RemoveStaleParts_ABatchAnEarlierVersionLeftAsACopiedBody_RemovedAndItsInstancesBatchedAgain()
    {
        var spool = new EdgeSpool(_root);
        var study = SyntheticCt.Series(2);
        await QueueAsync(spool, study);
        var old = (await spool.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None))!;
        await File.WriteAllBytesAsync(Path.Combine(spool.BatchDirectory, old.Id + ".mpr"), [1, 2, 3]); // the old layout

        var restarted = new EdgeSpool(_root);
        var removed = restarted.RemoveStaleParts();
        var again = await restarted.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None);

        Assert.Equal(1, removed);
        Assert.DoesNotContain(Directory.EnumerateFiles(restarted.BatchDirectory), f => Path.GetFileNameWithoutExtension(f) == old.Id);
        Assert.NotNull(again);
        Assert.NotEqual(old.Id, again.Id);
        Assert.Equal(study.Select(i => i.SopInstanceUid).Order(), again.Members.Select(m => m.SopInstanceUid).Order());
    }

    [Fact]
    public async Task OpenBody_AMemberSentAgainAfterTheBatchWasBuilt_RefusedSoTheBatchIsBuiltAgainWithTheNewFile()
    {
        var spool = new EdgeSpool(_root);
        var study = SyntheticCt.Series(2);
        await QueueAsync(spool, study);
        var batch = (await spool.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None))!;
        var replaced = spool.QueuedPath(study[1].SopInstanceUid);
        await File.WriteAllBytesAsync(replaced, study[1].Bytes); // the modality sent it again
        File.SetLastWriteTimeUtc(replaced, DateTime.UtcNow.AddMinutes(1));

        await using var body = spool.OpenBody(batch);
        Assert.Throws<OrleansImaging.Edge.Upload.UploadRefusedException>(() => body.CopyTo(Stream.Null));
        spool.Discard(batch);
        var again = (await spool.NextBatchAsync(200, long.MaxValue, Log, CancellationToken.None))!;
        await using var rebuilt = spool.OpenBody(again);
        rebuilt.CopyTo(Stream.Null);

        Assert.Equal(rebuilt.Length, again.Length);
        Assert.Equal(2, again.Members.Count);
    }

    private void Log(string line)
    {
        lock (_log)
            _log.Add(line);
    }

    private static async Task QueueAsync(EdgeSpool spool, IEnumerable<SyntheticInstance> instances)
    {
        foreach (var instance in instances)
            await File.WriteAllBytesAsync(spool.QueuedPath(instance.SopInstanceUid), instance.Bytes);
    }
}
