using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;
using OrleansImaging.Edge.Spool;

namespace OrleansImaging.Api.Tests.Edge;

/// <summary>
/// The hospital edge (`./imaging edge start`) against the real api process, with dcmtk's storescu and echoscu as the
/// modality: instances reach the cloud with identical data sets, unknown calling AEs are refused, the cloud being
/// down loses nothing, an edge SIGKILLed while receiving and while uploading delivers every acknowledged instance
/// exactly once, and an instance the cloud refuses ends in failed/ with its reason.
/// </summary>
public sealed class EdgeServiceTests(EdgeApiFixture fixture) : IClassFixture<EdgeApiFixture>, IDisposable
{
    private static readonly TimeSpan UploadTimeout = TimeSpan.FromSeconds(90);
    private readonly string _work = Directory.CreateTempSubdirectory("imaging-edge-work-").FullName;
    private readonly ConcurrentQueue<string> _log = new();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Start_StorescuSendsCorpusAndSyntheticCt_DataSetsArriveIdentical_StatusShowsDone()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-store", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = fixture.Api.CreateClient(token);
        var sources = new List<string> { PydicomCorpus.TestFile("CT_small.dcm"), PydicomCorpus.TestFile("MR_small.dcm") };
        sources.AddRange(await WriteAsync(SyntheticCt.Series(3)));
        await using var edge = StartEdge(token, "store", allow: ["MODALITY"]);

        var store = await EdgeTestTools.RunAsync("storescu", ["-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), .. sources]);

        Assert.True(store.ExitCode == 0, store.Output);
        await WaitDoneAsync(edge.Spool.Root, sources.Count);
        Assert.Equal(sources.Count, await EdgeTestTools.CountInstancesAsync(http));
        foreach (var source in sources)
        {
            var original = await File.ReadAllBytesAsync(source);
            var stored = await EdgeTestTools.RetrieveAsync(http, original);
            if (source.StartsWith(_work, StringComparison.Ordinal))
            {
                // Our synthetic files are written as storescu writes them: the data set bytes pass through unchanged.
                Assert.Equal(SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(original)), SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(stored)));
            }
            else
            {
                // storescu re-encodes what it parsed (group lengths, padding): the same elements and values must arrive.
                Assert.Equal(await EdgeTestTools.DumpDataSetAsync(original), await EdgeTestTools.DumpDataSetAsync(stored));
            }
        }
        var status = EdgeStatus.Read(edge.Spool.Root, TimeProvider.System);
        Assert.True(status.Running);
        Assert.Equal(0, status.Queued);
        Assert.Equal(sources.Count, status.Done);
        Assert.Empty(status.Failed);
        Assert.Empty(Directory.EnumerateFiles(edge.Spool.BatchDirectory));
        // Batches are by study: no batch in the done log carries two studies.
        var batches = (await File.ReadAllLinesAsync(edge.Spool.DoneLog)).Select(l => l.Split(' ')).GroupBy(p => p[3]);
        Assert.All(batches, batch => Assert.Single(batch.Select(p => p[2]).Distinct()));
        Assert.Equal(3, batches.SelectMany(b => b.Select(p => p[2])).Distinct().Count());
    }

    [Fact]
    public async Task Start_FourParallelAssociations_EveryInstanceArrivesOnce_DataSetsIdentical()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-parallel", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = fixture.Api.CreateClient(token);
        var series = Enumerable.Range(0, 4).Select(_ => SyntheticCt.Series(3)).ToList();
        var files = new List<IReadOnlyList<string>>();
        foreach (var instances in series)
            files.Add([.. await WriteAsync(instances)]);
        await using var edge = StartEdge(token, "parallel", allow: ["MODALITY"]);

        var stores = await Task.WhenAll(files.Select(share => EdgeTestTools.RunAsync("storescu", ["-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), .. share])));

        Assert.All(stores, store => Assert.True(store.ExitCode == 0, store.Output));
        await WaitDoneAsync(edge.Spool.Root, 12);
        Assert.Equal(12, await EdgeTestTools.CountInstancesAsync(http));
        foreach (var instance in series.SelectMany(s => s))
        {
            var stored = await EdgeTestTools.RetrieveAsync(http, instance.Bytes);
            Assert.Equal(SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(instance.Bytes)), SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(stored)));
        }
    }

    [Fact]
    public async Task Start_SameInstanceSentAgainAfterUpload_ConfirmedAsAlreadyStored_StoredOnce()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-repeat", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = fixture.Api.CreateClient(token);
        var file = (await WriteAsync(SyntheticCt.Series(1)))[0];
        await using var edge = StartEdge(token, "repeat", allow: ["MODALITY"]);

        var first = await EdgeTestTools.RunAsync("storescu", "-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), file, file);
        Assert.True(first.ExitCode == 0, first.Output);
        await WaitDoneAsync(edge.Spool.Root, 1);
        var again = await EdgeTestTools.RunAsync("storescu", "-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), file);
        Assert.True(again.ExitCode == 0, again.Output);
        await EdgeTestTools.WaitUntilAsync(() => Task.FromResult(EdgeStatus.Read(edge.Spool.Root, TimeProvider.System) is { Queued: 0 } && _log.Any(l => l.Contains("(1 already there)", StringComparison.Ordinal))), UploadTimeout, Log);

        Assert.Equal(1, EdgeStatus.Read(edge.Spool.Root, TimeProvider.System).Done);
        Assert.Equal(1, await EdgeTestTools.CountInstancesAsync(http));
    }

    [Fact]
    public async Task Start_WithTlsCertificate_StorescuOverTls_ArrivesInTheCloud_PlainTcpRefused()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-tls", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = fixture.Api.CreateClient(token);
        var pfx = Path.Combine(_work, "edge.pfx");
        using (var key = RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=edge", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx));
        }
        var file = (await WriteAsync(SyntheticCt.Series(1)))[0];
        await using var edge = StartEdge(token, "tls", allow: ["MODALITY"], tlsCertificate: pfx);

        var plain = await EdgeTestTools.RunAsync("echoscu", "-to", "5", "-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge));
        var store = await EdgeTestTools.RunAsync("storescu", "+tla", "-ic", "-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), file);

        Assert.NotEqual(0, plain.ExitCode);
        Assert.True(store.ExitCode == 0, store.Output);
        await WaitDoneAsync(edge.Spool.Root, 1);
        Assert.Equal(1, await EdgeTestTools.CountInstancesAsync(http));
    }

    [Fact]
    public async Task Start_TokenTheCloudRefuses_InstancesStayQueued_StatusSaysWhy()
    {
        await using var edge = StartEdge("oit_" + new string('0', 32) + "_" + new string('A', 43), "bad-token", allow: ["MODALITY"]);

        var store = await EdgeTestTools.RunAsync("storescu", "-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), PydicomCorpus.TestFile("CT_small.dcm"));

        Assert.True(store.ExitCode == 0, store.Output);
        await EdgeTestTools.WaitUntilAsync(() => Task.FromResult(EdgeStatus.Read(edge.Spool.Root, TimeProvider.System).LastError?.Contains("401", StringComparison.Ordinal) == true), UploadTimeout, Log);
        var status = EdgeStatus.Read(edge.Spool.Root, TimeProvider.System);
        Assert.Equal(1, status.Queued);
        Assert.Equal(0, status.Done);
        Assert.Empty(status.Failed);
    }

    [Fact]
    public async Task Start_CallingAeNotOnTheAllowList_AssociationRefused_NothingQueued()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-allow", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        await using var edge = StartEdge(token, "allow", allow: ["MODALITY"]);
        await using var nobody = StartEdge(token, "nobody", allow: []);

        var stranger = await EdgeTestTools.RunAsync("echoscu", "-aet", "STRANGER", "-aec", "EDGE", "127.0.0.1", Port(edge));
        var strangerStore = await EdgeTestTools.RunAsync("storescu", "-aet", "STRANGER", "-aec", "EDGE", "127.0.0.1", Port(edge), PydicomCorpus.TestFile("CT_small.dcm"));
        var known = await EdgeTestTools.RunAsync("echoscu", "-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge));
        var emptyList = await EdgeTestTools.RunAsync("echoscu", "-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(nobody));

        Assert.NotEqual(0, stranger.ExitCode);
        Assert.Contains("Rejected", stranger.Output, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(0, strangerStore.ExitCode);
        Assert.True(known.ExitCode == 0, known.Output);
        Assert.NotEqual(0, emptyList.ExitCode);
        Assert.Contains(_log, line => line.Contains("allow-list is empty", StringComparison.Ordinal));
        Assert.Equal(0, EdgeStatus.Read(edge.Spool.Root, TimeProvider.System).Queued);
    }

    [Fact]
    public async Task Start_CloudDownWhileReceiving_InstancesWaitInTheSpool_UploadedOnceWhenItReturns()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-down", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        var instances = SyntheticCt.Series(4);
        var files = await WriteAsync(instances);
        await using var edge = StartEdge(token, "down", allow: ["MODALITY"]);
        await fixture.KillApiAsync();
        try
        {
            var store = await EdgeTestTools.RunAsync("storescu", ["-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), .. files]);
            Assert.True(store.ExitCode == 0, store.Output);
            await EdgeTestTools.WaitUntilAsync(() => Task.FromResult(EdgeStatus.Read(edge.Spool.Root, TimeProvider.System).LastError is not null), UploadTimeout, Log);
            var waiting = EdgeStatus.Read(edge.Spool.Root, TimeProvider.System);
            Assert.Equal(4, waiting.Queued);
            Assert.Equal(0, waiting.Done);
        }
        finally
        {
            await fixture.RestartApiAsync();
        }

        await WaitDoneAsync(edge.Spool.Root, 4);
        using var http = fixture.Api.CreateClient(token);
        Assert.Equal(4, await EdgeTestTools.CountInstancesAsync(http));
        foreach (var instance in instances)
            Assert.Equal(SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(instance.Bytes)), SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(await EdgeTestTools.RetrieveAsync(http, instance.Bytes))));
        Assert.Equal(0, EdgeStatus.Read(edge.Spool.Root, TimeProvider.System).Queued);
    }

    [Fact]
    public async Task Start_EdgeSigkilledAfterAcknowledgingAndWhileUploading_EveryInstanceReachesTheCloudExactlyOnce()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-kill", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        var instances = SyntheticCt.Series(6);
        var files = await WriteAsync(instances);
        var spool = Path.Combine(_work, "kill-spool");

        // 1. Killed right after storescu heard success for every instance.
        var first = await EdgeProcess.StartAsync(fixture, token, spool, limitMbps: null);
        var store = await EdgeTestTools.RunAsync("storescu", ["-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", first.Port, .. files]);
        await first.KillAsync();
        Assert.True(store.ExitCode == 0, store.Output);

        // 2. Killed while a batch is in flight (a slow link: the batch is created, its bytes trickle).
        var second = await EdgeProcess.StartAsync(fixture, token, spool, limitMbps: 0.05);
        try
        {
            await EdgeTestTools.WaitUntilAsync(
                () => Task.FromResult(Directory.EnumerateFiles(Path.Combine(spool, "batches"), "*.json").Any(f => File.ReadAllText(f).Contains("\"Upload\":\"http", StringComparison.Ordinal))),
                UploadTimeout, () => second.Log);
        }
        finally
        {
            await second.KillAsync();
        }
        // Its status.json is seconds old, but its process is gone: status reads the spool's files.
        var killed = EdgeStatus.Read(spool, TimeProvider.System);
        Assert.False(killed.Running);
        Assert.NotNull(killed.Uploading);
        Assert.True(killed.Queued > 0);
        var printed = new StringWriter();
        EdgeStatus.Print(killed, printed);
        Assert.Contains("resumed on the next start", printed.ToString(), StringComparison.Ordinal);

        // 3. A normal restart drains everything.
        var third = await EdgeProcess.StartAsync(fixture, token, spool, limitMbps: null);
        try
        {
            await WaitDoneAsync(spool, 6, () => third.Log);
        }
        finally
        {
            await third.KillAsync();
        }
        using var http = fixture.Api.CreateClient(token);
        Assert.Equal(6, await EdgeTestTools.CountInstancesAsync(http));
        foreach (var instance in instances)
            Assert.Equal(SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(instance.Bytes)), SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(await EdgeTestTools.RetrieveAsync(http, instance.Bytes))));
        Assert.Empty(EdgeSpool.Queued(Path.Combine(spool, "queue")));
    }

    [Fact]
    public async Task Start_InstanceWithoutSeriesInstanceUid_CloudRefusesIt_MovedToFailedWithReason_OthersDone()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-refused", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        var series = SyntheticCt.Series(2);
        var broken = DicomFile.Parse(series[0].Bytes);
        broken.Dataset.Remove(DicomTag.SeriesInstanceUID);
        var brokenPath = Path.Combine(_work, "broken.dcm");
        await broken.SaveAsync(brokenPath);
        var good = (await WriteAsync([series[1]]))[0];
        await using var edge = StartEdge(token, "refused", allow: ["MODALITY"]);

        var store = await EdgeTestTools.RunAsync("storescu", "-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), brokenPath, good);

        Assert.True(store.ExitCode == 0, store.Output);
        await EdgeTestTools.WaitUntilAsync(() => Task.FromResult(EdgeStatus.Read(edge.Spool.Root, TimeProvider.System) is { Queued: 0, Done: 1, Failed.Count: 1 }), UploadTimeout, Log);
        var status = EdgeStatus.Read(edge.Spool.Root, TimeProvider.System);
        var (sop, reason) = Assert.Single(status.Failed);
        Assert.Equal(series[0].SopInstanceUid, sop);
        Assert.Contains("does not match", reason, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(edge.Spool.FailedDirectory, sop + ".dcm")));
        var printed = new StringWriter();
        EdgeStatus.Print(status, printed);
        Assert.Contains(sop + ": ", printed.ToString(), StringComparison.Ordinal);
        using var http = fixture.Api.CreateClient(token);
        Assert.Equal(1, await EdgeTestTools.CountInstancesAsync(http));
    }

    [Theory]
    [InlineData("")]
    [InlineData("--cloud https://x/")]
    [InlineData("--cloud ftp://x/ --token t")]
    [InlineData("--cloud https://x/ --token t --port 70000")]
    [InlineData("--cloud https://x/ --token t --port x")]
    [InlineData("--cloud https://x/ --token t --bind nowhere")]
    [InlineData("--cloud https://x/ --token t --ae THIS_AE_TITLE_IS_TOO_LONG")]
    [InlineData("--cloud https://x/ --token t --limit-mbps 0")]
    [InlineData("--cloud https://x/ --token t --bogus")]
    [InlineData("--cloud https://x/ --token t --allow-file /nonexistent/devices")]
    [InlineData("--cloud https://x/ --token t --tls-cert /nonexistent/edge.pfx")]
    [InlineData("--cloud https://x/ --token t --cacert /nonexistent/server.crt")]
    public void Parse_BadArguments_NullWithAReason(string commandLine)
    {
        var previous = Environment.GetEnvironmentVariable("IMAGING_TOKEN");
        Environment.SetEnvironmentVariable("IMAGING_TOKEN", null);
        try
        {
            Assert.Null(OrleansImaging.Edge.EdgeCommand.Parse(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries), out var error));
            Assert.False(string.IsNullOrWhiteSpace(error));
        }
        finally
        {
            Environment.SetEnvironmentVariable("IMAGING_TOKEN", previous);
        }
    }

    [Fact]
    public void Parse_AllowStar_AcceptsEveryone_AllowListCombinesFlagAndFile()
    {
        var devices = Path.Combine(_work, "devices");
        File.WriteAllText(devices, "CT1 # the CT in room 3\n\nMR1\n");

        var everyone = OrleansImaging.Edge.EdgeCommand.Parse(["--cloud", "https://x/", "--token", "t", "--allow", "*"], out _);
        var listed = OrleansImaging.Edge.EdgeCommand.Parse(["--cloud", "https://x/", "--token", "t", "--allow", "US1, US2", "--allow-file", devices], out _);
        var none = OrleansImaging.Edge.EdgeCommand.Parse(["--cloud", "https://x/", "--token", "t"], out _);

        Assert.Null(everyone!.AllowedCallingAeTitles);
        Assert.Equal(["CT1", "MR1", "US1", "US2"], listed!.AllowedCallingAeTitles!.Order(StringComparer.Ordinal));
        Assert.Empty(none!.AllowedCallingAeTitles!);
        Assert.Equal(System.Net.IPAddress.Loopback, none.Bind);
    }

    private EdgeService StartEdge(string token, string name, IReadOnlyCollection<string> allow, string? tlsCertificate = null) =>
        EdgeService.Start(new EdgeOptions
        {
            Cloud = fixture.Cloud,
            Token = token,
            CaCertificate = fixture.Api.CertificatePath,
            Port = 0,
            Spool = Path.Combine(_work, name + "-spool"),
            AllowedCallingAeTitles = allow.ToHashSet(StringComparer.Ordinal),
            MaxBackoff = TimeSpan.FromSeconds(2),
            SettleDelay = TimeSpan.FromMilliseconds(200),
            TlsCertificate = tlsCertificate,
        }, _log.Enqueue);

    private static string Port(EdgeService edge) => edge.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture);

    private string Log() => string.Join('\n', _log);

    private Task WaitDoneAsync(string spool, int count, Func<string>? log = null) => EdgeTestTools.WaitDoneAsync(spool, count, UploadTimeout, log ?? Log);

    private Task<List<string>> WriteAsync(IEnumerable<SyntheticInstance> instances) => EdgeTestTools.WriteFilesAsync(_work, instances);
}

/// <summary>The edge as its own process (`dotnet OrleansImaging.Edge.dll edge start …`), to be SIGKILLed.</summary>
internal sealed class EdgeProcess
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log;

    private EdgeProcess(Process process, ConcurrentQueue<string> log, string port)
    {
        _process = process;
        _log = log;
        Port = port;
    }

    public string Port { get; }

    public string Log => string.Join('\n', _log);

    public static async Task<EdgeProcess> StartAsync(EdgeApiFixture fixture, string token, string spool, double? limitMbps)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { EdgeTestTools.EdgeDllPath(), "edge", "start", "--cloud", fixture.Cloud.AbsoluteUri, "--cacert", fixture.Api.CertificatePath, "--port", "0", "--spool", spool, "--allow", "MODALITY" })
            start.ArgumentList.Add(argument);
        if (limitMbps is { } mbps)
        {
            start.ArgumentList.Add("--limit-mbps");
            start.ArgumentList.Add(mbps.ToString(CultureInfo.InvariantCulture));
        }
        start.Environment["IMAGING_TOKEN"] = token; // not on the command line
        var log = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            log.Enqueue(e.Data);
            // "edge: EDGE listening on 127.0.0.1:40123, spool …"
            var at = e.Data.IndexOf(" listening on ", StringComparison.Ordinal);
            if (at >= 0)
                listening.TrySetResult(e.Data[(at + 14)..].Split(',')[0].Split(':')[^1]);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                log.Enqueue(e.Data);
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The edge exited before it listened:\n" + string.Join('\n', log)));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return new EdgeProcess(process, log, port);
    }

    /// <summary>SIGKILL (Process.Kill on Linux): no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
