using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using Xunit.Abstractions;

namespace OrleansImaging.Api.Tests.Durability;

/// <summary>
/// STOW-RS promises that a success response means the object and its catalogue entry are durable. This kills the api
/// with SIGKILL — no shutdown code runs — while clients are storing, restarts it on the same IMAGING_DATA, and checks the
/// promise from the outside: every acknowledged instance is listed and comes back byte-identical, and nothing is listed
/// that cannot be retrieved.
/// </summary>
public sealed class SigkillDurabilityTests(ITestOutputHelper output) : IDisposable
{
    private const int Studies = 10;
    private const int InstancesPerStudy = 20;
    private const int InstancesPerRequest = 4;
    private const int Clients = 3;
    private const int Sigkill = 9;
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-sigkill-").FullName;

    [Fact]
    public async Task Sigkill_WhileStowRequestsAreInFlight_EveryAcknowledgedInstanceSurvivesAndEveryListedOneIsRetrievable()
    {
        var generated = Enumerable.Range(0, Studies)
            .SelectMany(_ => SyntheticCt.Series(InstancesPerStudy, "DURABILITY^TEST"))
            .ToDictionary(i => i.SopInstanceUid, StringComparer.Ordinal);
        var acknowledged = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        string token;
        await using (var first = await ApiProcess.StartAsync(_data))
        {
            token = await first.CreateTenantAndTokenAsync("durability", Scopes.DicomwebRead, Scopes.DicomwebWrite);
            await StoreUntilKilledAsync(first, token, generated, acknowledged, killAfterAcknowledged: 40);
        }
        // A second kill later, with most of the data in; then a round that stores the rest and ends with a SIGKILL too
        // (disposing kills), once idle. Every start first checks what the ones before it acknowledged.
        foreach (var killAfter in new int?[] { 120, null })
        {
            await using var api = await ApiProcess.StartAsync(_data);
            await VerifyAsync(api, token, generated, acknowledged);
            if (killAfter is { } threshold)
                await StoreUntilKilledAsync(api, token, generated, acknowledged, threshold);
            else
                await StoreAllAsync(api, token, generated, acknowledged);
        }
        await using (var last = await ApiProcess.StartAsync(_data))
        {
            await VerifyAsync(last, token, generated, acknowledged);
            Assert.Equal(generated.Count, acknowledged.Count);
        }
    }

    /// <summary>
    /// Sends the instances not yet acknowledged from <see cref="Clients"/> concurrent clients, a few per request, plus one
    /// request that stalls half-way through a part (so at least one request is certainly in flight, with a partial part
    /// on the server), and SIGKILLs the api once <paramref name="killAfterAcknowledged"/> instances are acknowledged.
    /// </summary>
    private async Task StoreUntilKilledAsync(ApiProcess api, string token, IReadOnlyDictionary<string, SyntheticInstance> generated,
        ConcurrentDictionary<string, bool> acknowledged, int killAfterAcknowledged)
    {
        var batches = Batches(generated, acknowledged);
        var stalledBatch = batches.Dequeue(); // sent by the staller, never acknowledged in this round
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var inFlight = 0;
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var queue = new ConcurrentQueue<SyntheticInstance[]>(batches);

        using var stallClient = api.CreateClient(token);
        var stalled = new StallingContent(MultipartRelated.Content(stalledBatch.Select(i => i.Bytes)), stop.Token);
        var staller = stallClient.PostAsync("dicomweb/studies", stalled, CancellationToken.None);

        var workers = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            using var client = api.CreateClient(token);
            var dicomweb = new DicomwebTestClient(client);
            while (!stop.IsCancellationRequested && queue.TryDequeue(out var batch))
            {
                Interlocked.Increment(ref inFlight);
                try
                {
                    var outcome = await dicomweb.StoreAsync(batch.Select(i => i.Bytes), stop.Token);
                    statuses.Add(outcome.Status);
                    foreach (var sop in outcome.Referenced)
                        acknowledged[sop] = true;
                    if (acknowledged.Count >= killAfterAcknowledged)
                        enough.TrySetResult();
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
                {
                    // The kill cut this request: none of its instances was acknowledged.
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }
        })).ToArray();

        await stalled.Stalled.WaitAsync(TimeSpan.FromMinutes(2));
        await enough.Task.WaitAsync(TimeSpan.FromMinutes(3));
        var inFlightAtKill = Volatile.Read(ref inFlight) + 1; // the workers' requests and the stalled one
        var exitCode = await api.KillAsync();
        stop.Cancel();
        await Task.WhenAll(workers);
        await Assert.ThrowsAnyAsync<Exception>(() => staller);

        output.WriteLine($"SIGKILL after {acknowledged.Count} acknowledged, {inFlightAtKill} requests in flight");
        Assert.Equal(128 + Sigkill, exitCode); // .NET reports death by signal as 128 + signal: SIGKILL, not a graceful stop
        Assert.DoesNotContain("Application is shutting down", api.Log, StringComparison.Ordinal);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.DoesNotContain(stalledBatch, i => acknowledged.ContainsKey(i.SopInstanceUid));
    }

    /// <summary>Sends every instance not yet acknowledged and expects 200 for each request (a resend of a stored object is kept, not refused).</summary>
    private static async Task StoreAllAsync(ApiProcess api, string token, IReadOnlyDictionary<string, SyntheticInstance> generated,
        ConcurrentDictionary<string, bool> acknowledged)
    {
        var queue = new ConcurrentQueue<SyntheticInstance[]>(Batches(generated, acknowledged));
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            using var client = api.CreateClient(token);
            var dicomweb = new DicomwebTestClient(client);
            while (queue.TryDequeue(out var batch))
            {
                var outcome = await dicomweb.StoreAsync(batch.Select(i => i.Bytes));
                Assert.Equal(HttpStatusCode.OK, outcome.Status);
                foreach (var sop in outcome.Referenced)
                    acknowledged[sop] = true;
            }
        })));
    }

    /// <summary>Every acknowledged instance is listed by QIDO-RS; every listed instance comes back byte-identical through WADO-RS.</summary>
    private static async Task VerifyAsync(ApiProcess api, string token, IReadOnlyDictionary<string, SyntheticInstance> generated,
        ConcurrentDictionary<string, bool> acknowledged)
    {
        using var client = api.CreateClient(token);
        var dicomweb = new DicomwebTestClient(client);
        var listed = await dicomweb.SearchInstancesAsync();
        var listedSops = listed.Select(l => l.SopInstanceUid).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(listed.Count, listedSops.Count); // no instance listed twice
        var missing = acknowledged.Keys.Where(sop => !listedSops.Contains(sop)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged instances are not listed after the restart, e.g. {missing.FirstOrDefault()}");
        foreach (var instance in listed)
        {
            Assert.True(generated.TryGetValue(instance.SopInstanceUid, out var sent), $"listed {instance.SopInstanceUid}, which nobody sent");
            Assert.Equal(sent.StudyInstanceUid, instance.StudyInstanceUid);
            Assert.Equal(sent.SeriesInstanceUid, instance.SeriesInstanceUid);
            var back = await dicomweb.RetrieveInstanceAsync(instance.StudyInstanceUid, instance.SeriesInstanceUid, instance.SopInstanceUid);
            Assert.True(SHA256.HashData(sent.Bytes).AsSpan().SequenceEqual(SHA256.HashData(back)), $"{instance.SopInstanceUid} came back different");
        }
    }

    /// <summary>The instances not yet acknowledged, a few of one study per request.</summary>
    private static Queue<SyntheticInstance[]> Batches(IReadOnlyDictionary<string, SyntheticInstance> generated, ConcurrentDictionary<string, bool> acknowledged) =>
        new(generated.Values
            .Where(i => !acknowledged.ContainsKey(i.SopInstanceUid))
            .GroupBy(i => i.StudyInstanceUid)
            .SelectMany(study => study.Chunk(InstancesPerRequest)));

    public void Dispose() => Directory.Delete(_data, recursive: true);

    /// <summary>
    /// A request body that sends its first part whole and then half of the next, signals, and waits until cancelled: a
    /// STOW-RS request the server is certainly in the middle of when the kill comes. Its length is not announced, so it
    /// goes chunked, like Orthanc's.
    /// </summary>
    private sealed class StallingContent : HttpContent
    {
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly MultipartContent _inner;
        private readonly CancellationToken _release;

        public StallingContent(MultipartContent inner, CancellationToken release)
        {
            _inner = inner;
            _release = release;
            Headers.ContentType = inner.Headers.ContentType; // with its boundary
        }

        public Task Stalled => _stalled.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var body = await _inner.ReadAsByteArrayAsync();
            // Past the first part and into the second: the server has one object to write and one it is reading.
            var cut = body.Length * 3 / 8;
            await stream.WriteAsync(body.AsMemory(0, cut));
            await stream.FlushAsync();
            _stalled.TrySetResult();
            await Task.Delay(Timeout.Infinite, _release);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
