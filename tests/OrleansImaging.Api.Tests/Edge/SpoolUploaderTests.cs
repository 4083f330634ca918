using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Edge.Spool;

namespace OrleansImaging.Api.Tests.Edge;

/// <summary>
/// The edge's uploader against the real api process behind <see cref="TcpForwarder"/>: several studies upload at
/// once (several batches in flight), and a network cut in the middle of a PATCH resumes from the offset the cloud
/// committed (issue 6 item 6). Both end with every instance in the cloud exactly once with identical data sets.
/// </summary>
public sealed partial class SpoolUploaderTests(EdgeApiFixture fixture) : IClassFixture<EdgeApiFixture>, IDisposable
{
    private static readonly TimeSpan UploadTimeout = TimeSpan.FromSeconds(90);
    private readonly string _work = Directory.CreateTempSubdirectory("imaging-uploader-work-").FullName;
    private readonly ConcurrentQueue<string> _log = new();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Run_FourStudiesThroughFourAssociations_SeveralBatchesInFlight_EveryInstanceOnceIdentical()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("uploader-parallel", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = fixture.Api.CreateClient(token);
        // Four studies of four 128 KiB slices; 2 MiB in all through a 1 MB/s cap: each batch takes long enough to
        // overlap the others.
        var studies = Enumerable.Range(0, 4).Select(_ => SyntheticCt.Series(4, size: 256)).ToList();
        var files = new List<IReadOnlyList<string>>();
        foreach (var study in studies)
            files.Add(await WriteAsync(study));
        await using var edge = StartEdge(token, "parallel", options => options with { Parallel = 4, BytesPerSecond = 1_000_000 });
        var mostInStatus = 0;
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                mostInStatus = Math.Max(mostInStatus, edge.Uploader.Status.Batches?.Count ?? 0);
                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);

        var stores = await Task.WhenAll(files.Select(study => EdgeTestTools.RunAsync("storescu", ["-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), .. study])));

        Assert.All(stores, store => Assert.True(store.ExitCode == 0, store.Output));
        await WaitDoneAsync(edge.Spool.Root, 16);
        await watching.CancelAsync();
        await watcher;
        Assert.Equal(16, await EdgeTestTools.CountInstancesAsync(http));
        foreach (var instance in studies.SelectMany(s => s))
        {
            var stored = await EdgeTestTools.RetrieveAsync(http, instance.Bytes);
            Assert.Equal(SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(instance.Bytes)), SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(stored)));
        }
        // "edge: batch … started; 3 batch(es) in flight": more than one at some moment, never more than asked for.
        var inFlight = _log.Select(l => InFlightLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(inFlight);
        Assert.True(inFlight.Max() > 1, $"Never more than one batch in flight:\n{Log()}");
        Assert.True(inFlight.Max() <= 4, Log());
        Assert.True(mostInStatus > 1, $"The status never showed more than one batch in flight ({mostInStatus}).");
        // Every instance confirmed once, every batch of one study, the four studies all there.
        var done = (await File.ReadAllLinesAsync(edge.Spool.DoneLog)).Select(l => l.Split(' ')).ToList();
        Assert.Equal(16, done.Count);
        Assert.Equal(16, done.Select(p => p[1]).Distinct().Count());
        Assert.All(done.GroupBy(p => p[3]), batch => Assert.Single(batch.Select(p => p[2]).Distinct()));
        Assert.Equal(4, done.Select(p => p[2]).Distinct().Count());
        // status.json is rewritten every second: it soon shows nothing in flight.
        await EdgeTestTools.WaitUntilAsync(() => Task.FromResult(EdgeStatus.Read(edge.Spool.Root, TimeProvider.System) is { Running: true, Queued: 0, Uploading: null }), TimeSpan.FromSeconds(10), Log);
    }

    [Fact]
    public async Task Run_NetworkCutInTheMiddleOfAPatch_ResumesFromTheCommittedOffset_EveryInstanceOnceIdentical()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("uploader-cut", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = fixture.Api.CreateClient(token);
        // One study of eight 128 KiB slices: one ~1 MiB batch sent as 64 KiB PATCHes.
        var instances = SyntheticCt.Series(8, size: 256);
        var files = await WriteAsync(instances);
        await using var edge = StartEdge(token, "cut", options => options with { ChunkBytes = 64 * 1024, SettleDelay = TimeSpan.FromSeconds(1) });
        // 400 kB on: a handful of PATCHes are committed, and the read that crosses the mark is inside one (the
        // forwarder reads 16 KiB at a time, which TLS records and HTTP headers keep off the chunk boundaries).
        var cut = fixture.Forwarder.CutAfter(400_000);

        var store = await EdgeTestTools.RunAsync("storescu", ["-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), .. files]);

        Assert.True(store.ExitCode == 0, store.Output);
        Assert.True(await cut.WaitAsync(UploadTimeout) > 0, "The forwarder cut no connection.");
        await WaitDoneAsync(edge.Spool.Root, 8);
        // "upload /uploads/…: resuming at byte 393216 of 1056789 (committed by the cloud)": not from the start.
        var resumed = _log.Select(l => ResumedLine().Match(l)).Where(m => m.Success).ToList();
        Assert.True(resumed.Count > 0, $"The upload never resumed:\n{Log()}");
        Assert.All(resumed, m =>
        {
            var offset = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var length = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.InRange(offset, 1, length - 1);
        });
        Assert.Equal(8, await EdgeTestTools.CountInstancesAsync(http));
        foreach (var instance in instances)
        {
            var stored = await EdgeTestTools.RetrieveAsync(http, instance.Bytes);
            Assert.Equal(SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(instance.Bytes)), SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(stored)));
        }
        var done = (await File.ReadAllLinesAsync(edge.Spool.DoneLog)).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(8, done.Count);
        Assert.Equal(8, done.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Run_EdgeSigkilledWithThreeBatchesInFlight_RestartResumesEachUpload_EveryInstanceOnce()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("uploader-kill", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        var studies = Enumerable.Range(0, 3).Select(_ => SyntheticCt.Series(3, size: 256)).ToList();
        var files = new List<IReadOnlyList<string>>();
        foreach (var study in studies)
            files.Add(await WriteAsync(study));
        var spool = Path.Combine(_work, "kill-spool");
        var manifests = Path.Combine(spool, "batches");

        // A slow link (default --parallel 3): each batch's upload is created and saved, its bytes trickle.
        var first = await EdgeProcess.StartAsync(fixture, token, spool, limitMbps: 0.05);
        List<string> leftInFlight;
        try
        {
            var stores = await Task.WhenAll(files.Select(study => EdgeTestTools.RunAsync("storescu", ["-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", first.Port, .. study])));
            Assert.All(stores, store => Assert.True(store.ExitCode == 0, store.Output));
            await EdgeTestTools.WaitUntilAsync(
                () => Task.FromResult(Directory.EnumerateFiles(manifests, "*.json").Count(f => File.ReadAllText(f).Contains("\"Upload\":\"http", StringComparison.Ordinal)) == 3),
                UploadTimeout, () => first.Log);
        }
        finally
        {
            await first.KillAsync();
        }
        leftInFlight = [.. Directory.EnumerateFiles(manifests, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>()];
        var killed = EdgeStatus.Read(spool, TimeProvider.System);
        Assert.False(killed.Running);
        Assert.Equal(3, killed.Uploading?.Batches?.Count);
        Assert.Equal(9, killed.Queued);
        var printed = new StringWriter();
        EdgeStatus.Print(killed, printed);
        Assert.Contains("3 batch(es) in flight", printed.ToString(), StringComparison.Ordinal);

        var second = await EdgeProcess.StartAsync(fixture, token, spool, limitMbps: null);
        try
        {
            await WaitDoneAsync(spool, 9);
        }
        finally
        {
            await second.KillAsync();
        }
        using var http = fixture.Api.CreateClient(token);
        Assert.Equal(9, await EdgeTestTools.CountInstancesAsync(http));
        foreach (var instance in studies.SelectMany(s => s))
        {
            var stored = await EdgeTestTools.RetrieveAsync(http, instance.Bytes);
            Assert.Equal(SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(instance.Bytes)), SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(stored)));
        }
        // The three uploads were resumed (their batches confirmed), not built again from the queue.
        var doneBatches = (await File.ReadAllLinesAsync(Path.Combine(spool, "done.log"))).Select(l => l.Split(' ')[3]).ToHashSet(StringComparer.Ordinal);
        Assert.Subset(doneBatches, leftInFlight.ToHashSet(StringComparer.Ordinal));
        Assert.Empty(Directory.EnumerateFiles(manifests));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    [InlineData("x")]
    public void Parse_ParallelOutOfRange_NullWithAReason(string parallel)
    {
        Assert.Null(OrleansImaging.Edge.EdgeCommand.Parse(["--cloud", "https://x/", "--token", "t", "--parallel", parallel], out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Parse_Parallel_TakenOrThreeByDefault()
    {
        Assert.Equal(16, OrleansImaging.Edge.EdgeCommand.Parse(["--cloud", "https://x/", "--token", "t", "--parallel", "16"], out _)!.Parallel);
        Assert.Equal(3, OrleansImaging.Edge.EdgeCommand.Parse(["--cloud", "https://x/", "--token", "t"], out _)!.Parallel);
    }

    [GeneratedRegex(@"^edge: batch \S+ .*started; (\d+) batch\(es\) in flight$")]
    private static partial Regex InFlightLine();

    [GeneratedRegex(@"resuming at byte (\d+) of (\d+)")]
    private static partial Regex ResumedLine();

    private EdgeService StartEdge(string token, string name, Func<EdgeOptions, EdgeOptions> configure) =>
        EdgeService.Start(configure(new EdgeOptions
        {
            Cloud = fixture.Cloud,
            Token = token,
            CaCertificate = fixture.Api.CertificatePath,
            Port = 0,
            Spool = Path.Combine(_work, name + "-spool"),
            AllowedCallingAeTitles = new HashSet<string>(["MODALITY"], StringComparer.Ordinal),
            MaxBackoff = TimeSpan.FromSeconds(2),
            SettleDelay = TimeSpan.FromMilliseconds(200),
        }), _log.Enqueue);

    private static string Port(EdgeService edge) => edge.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture);

    private string Log() => string.Join('\n', _log);

    private Task WaitDoneAsync(string spool, int count) => EdgeTestTools.WaitDoneAsync(spool, count, UploadTimeout, Log);

    private Task<List<string>> WriteAsync(IEnumerable<SyntheticInstance> instances) => EdgeTestTools.WriteFilesAsync(_work, instances);
}
