using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using OrleansImaging.Api.Tests.Hosting;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom.Network;
using OrleansImaging.Edge.Spool;

namespace OrleansImaging.Api.Tests.Edge;

/// <summary>
/// The edge's calling-AE allow-list from the devices registered in the cloud (issue 6 item 2): devices registered with
/// the real <c>./imaging admin device</c> script against the real api process, dcmtk's storescu and echoscu as the
/// modalities. A registered AE is accepted, anything else refused; a removal, a host mismatch, a token that may not read
/// the list and an edge restarted while the cloud is down each behave as <c>docs/edge.md</c> says.
/// </summary>
public sealed class EdgeDeviceTests(EdgeApiFixture fixture) : IClassFixture<EdgeApiFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _work = Directory.CreateTempSubdirectory("imaging-edge-devices-").FullName;
    private readonly ConcurrentQueue<string> _log = new();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact] // S7.2: only the hospital's registered devices get an association
    public async Task Start_CloudList_RegisteredAeStoresToTheCloud_UnregisteredAeRefusedNothingQueued_S7_2()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-dev-store", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        var added = await AdminAsync("device", "add", "--tenant", "edge-dev-store", "--ae", "MODALITY", "--name", "CT room 3", "--modality", "CT");
        Assert.Equal("device MODALITY (CT room 3, CT, from any address) registered in tenant edge-dev-store", LastLine(added));
        Assert.Equal("1 device(s) registered in tenant edge-dev-store", LastLine(await AdminAsync("device", "list", "--tenant", "edge-dev-store")));
        await using var edge = StartEdge(token, "store");
        await WaitForListAsync(edge, count: 1);

        var stranger = await EdgeTestTools.RunAsync("echoscu", "-aet", "STRANGER", "-aec", "EDGE", "127.0.0.1", Port(edge));
        var strangerStore = await EdgeTestTools.RunAsync("storescu", "-aet", "STRANGER", "-aec", "EDGE", "127.0.0.1", Port(edge), PydicomCorpus.TestFile("CT_small.dcm"));
        var queuedAfterStranger = EdgeSpool.Queued(Path.Combine(edge.Spool.Root, "queue")).Count();
        var store = await EdgeTestTools.RunAsync("storescu", "-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", Port(edge), PydicomCorpus.TestFile("CT_small.dcm"));

        Assert.NotEqual(0, stranger.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", stranger.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, strangerStore.ExitCode);
        Assert.Equal(0, queuedAfterStranger);
        Assert.True(store.ExitCode == 0, store.Output);
        await WaitDoneAsync(edge, 1);
        using var http = fixture.Api.CreateClient(token);
        Assert.Equal(1, await EdgeTestTools.CountInstancesAsync(http));
        Assert.Single(File.ReadAllLines(edge.Spool.DoneLog));
        Assert.Contains(_log, line => line.Contains("calling AE 'STRANGER' at 127.0.0.1 refused: not a device registered in the cloud", StringComparison.Ordinal));
        var status = await EdgeTestTools.RunAsync("dotnet", EdgeTestTools.EdgeDllPath(), "edge", "status", "--spool", edge.Spool.Root);
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Matches(@"\ndevices:   1 device\(s\) from the cloud \(tenant edge-dev-store\), last refreshed \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(\d+ s ago\)\n", status.Output);
    }

    [Fact] // S7.2: a device removed in the cloud loses its access at the edge's next refresh
    public async Task Start_DeviceRemovedInTheCloud_RefusedAfterTheRefresh_S7_2()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-dev-remove", Scopes.DicomwebWrite);
        await AdminAsync("device", "add", "--tenant", "edge-dev-remove", "--ae", "CT1", "--name", "CT");
        await AdminAsync("device", "add", "--tenant", "edge-dev-remove", "--ae", "MR1", "--name", "MR");
        await using var edge = StartEdge(token, "remove");
        await WaitForListAsync(edge, count: 2);
        var before = await EchoAsync(edge, "CT1");

        Assert.Equal("device CT1 removed from tenant edge-dev-remove", LastLine(await AdminAsync("device", "remove", "--tenant", "edge-dev-remove", "--ae", "CT1")));
        await WaitForListAsync(edge, count: 1);
        var after = await EchoAsync(edge, "CT1");
        var other = await EchoAsync(edge, "MR1");

        Assert.True(before.ExitCode == 0, before.Output);
        Assert.NotEqual(0, after.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", after.Output, StringComparison.Ordinal);
        Assert.True(other.ExitCode == 0, other.Output);
        Assert.Empty(EdgeSpool.Queued(Path.Combine(edge.Spool.Root, "queue")));
    }

    [Fact] // S3.2, S7.2: a device registered for a host is refused from any other address, and the refusal says where it came from
    public async Task Start_RegisteredHostMismatch_Refused_RightHostAccepted_S3_2()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-dev-host", Scopes.DicomwebWrite);
        await AdminAsync("device", "add", "--tenant", "edge-dev-host", "--ae", "CT1", "--name", "CT", "--host", "10.9.8.7");
        await AdminAsync("device", "add", "--tenant", "edge-dev-host", "--ae", "MR1", "--name", "MR", "--host", "127.0.0.1");
        await using var edge = StartEdge(token, "host");
        await WaitForListAsync(edge, count: 2);

        var elsewhere = await EchoAsync(edge, "CT1");
        var here = await EchoAsync(edge, "MR1");

        Assert.NotEqual(0, elsewhere.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", elsewhere.Output, StringComparison.Ordinal);
        Assert.True(here.ExitCode == 0, here.Output);
        Assert.Contains(_log, line => line.Contains("calling AE 'CT1' at 127.0.0.1 refused: device 'CT1' is registered for host 10.9.8.7", StringComparison.Ordinal));
    }

    [Fact] // S3.1: a read-only token may not read the device list, so an edge holding one accepts nobody
    public async Task Start_ReadOnlyToken_ListRefused403_EveryAssociationRefused_S3_1()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-dev-readonly", Scopes.DicomwebRead);
        await AdminAsync("device", "add", "--tenant", "edge-dev-readonly", "--ae", "CT1", "--name", "CT");
        await using var edge = StartEdge(token, "readonly");
        await EdgeTestTools.WaitUntilAsync(() => Task.FromResult(edge.Devices.Current.LastError is not null), Timeout, Log);

        var echo = await EchoAsync(edge, "CT1");

        Assert.Contains("(403)", edge.Devices.Current.LastError, StringComparison.Ordinal);
        Assert.Null(edge.Devices.Current.Devices);
        Assert.NotEqual(0, echo.ExitCode);
        Assert.Contains(_log, line => line.Contains("calling AE 'CT1' at 127.0.0.1 refused: no device list has been fetched from the cloud yet", StringComparison.Ordinal));
    }

    [Fact] // The cloud down at a restart: the last list fetched (devices.json) still admits the hospital's devices; a new spool admits nobody
    public async Task Start_RestartedWhileTheCloudIsDown_DevicesJsonStillAcceptsTheDevice_NewSpoolRefusesEveryone()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-dev-down", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        await AdminAsync("device", "add", "--tenant", "edge-dev-down", "--ae", "CT1", "--name", "CT");
        await using (var first = StartEdge(token, "down"))
        {
            await WaitForListAsync(first, count: 1);
        }
        var saved = await File.ReadAllTextAsync(Path.Combine(_work, "down-spool", DeviceAllowList.FileName));
        Assert.Contains("\"aeTitle\":\"CT1\"", saved, StringComparison.Ordinal);

        await fixture.KillApiAsync();
        try
        {
            await using var restarted = StartEdge(token, "down");
            await using var fresh = StartEdge(token, "fresh");
            Assert.Equal(["CT1"], restarted.Devices.Current.Devices!.Select(d => d.AeTitle));
            await EdgeTestTools.WaitUntilAsync(() => Task.FromResult(restarted.Devices.Current.LastError is not null && fresh.Devices.Current.LastError is not null), Timeout, Log);

            var store = await EdgeTestTools.RunAsync("storescu", "-aet", "CT1", "-aec", "EDGE", "127.0.0.1", Port(restarted), PydicomCorpus.TestFile("CT_small.dcm"));
            var refused = await EchoAsync(fresh, "CT1");

            Assert.True(store.ExitCode == 0, store.Output);
            Assert.Single(EdgeSpool.Queued(Path.Combine(restarted.Spool.Root, "queue")));
            Assert.Equal(["CT1"], restarted.Devices.Current.Devices!.Select(d => d.AeTitle));
            Assert.StartsWith("the cloud is unreachable", restarted.Devices.Current.LastError, StringComparison.Ordinal);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("Calling AE Title Not Recognized", refused.Output, StringComparison.Ordinal);
            Assert.Null(fresh.Devices.Current.Devices);
            var status = DeviceAllowList.Describe(DeviceAllowList.ReadFromSpool(restarted.Spool.Root), DateTimeOffset.UtcNow);
            Assert.Contains("devices:   1 device(s) from the cloud (tenant edge-dev-down)", status, StringComparison.Ordinal);
            Assert.Contains("\ndevice list error: the cloud is unreachable", status, StringComparison.Ordinal);

            await fixture.RestartApiAsync();
            await WaitDoneAsync(restarted, 1);
            await EdgeTestTools.WaitUntilAsync(() => Task.FromResult(restarted.Devices.Current.LastError is null), Timeout, Log);
        }
        finally
        {
            if (fixture.Forwarder.Target == 0)
                await fixture.RestartApiAsync(); // the next test needs the cloud whatever failed here
        }
        using var http = fixture.Api.CreateClient(token);
        Assert.Equal(1, await EdgeTestTools.CountInstancesAsync(http));
    }

    [Theory]
    [InlineData("ABCDEFGHIJKLMNOPQ", "long")]
    [InlineData("CT\\1", "backslash")]
    [InlineData("", "empty")]
    [InlineData("   ", "spaces")]
    [InlineData("CT\u00011", "control")]
    public async Task AdminDeviceAdd_BadAeTitle_Exits1WithTheRule_NothingRegistered(string aeTitle, string what)
    {
        var tenant = "edge-dev-bad-" + what;
        await fixture.Api.CreateTenantAndTokenAsync(tenant, Scopes.DicomwebWrite);

        var result = await RunAdminAsync("device", "add", "--tenant", tenant, "--ae", aeTitle, "--name", "Bad");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("refused (400)", result.Error, StringComparison.Ordinal);
        Assert.Contains("AE title is 1–16 printable ASCII characters", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
        Assert.Equal("0 device(s) registered in tenant " + tenant, LastLine(await AdminAsync("device", "list", "--tenant", tenant)));
    }

    [Fact]
    public void Parse_NoAllowFlags_TheCloudsList_AllowFlagsALocalOverride()
    {
        var cloud = OrleansImaging.Edge.EdgeCommand.Parse(["--cloud", "https://x/", "--token", "t", "--device-refresh", "0.5"], out _);
        var local = OrleansImaging.Edge.EdgeCommand.Parse(["--cloud", "https://x/", "--token", "t", "--allow", "CT1"], out _);
        var everyone = OrleansImaging.Edge.EdgeCommand.Parse(["--cloud", "https://x/", "--token", "t", "--allow", "*"], out _);
        var bad = OrleansImaging.Edge.EdgeCommand.Parse(["--cloud", "https://x/", "--token", "t", "--device-refresh", "0"], out var error);

        Assert.True(cloud!.DeviceListFromCloud);
        Assert.Equal(TimeSpan.FromSeconds(0.5), cloud.DeviceRefreshInterval);
        Assert.False(local!.DeviceListFromCloud);
        Assert.False(everyone!.DeviceListFromCloud);
        Assert.Null(bad);
        Assert.Equal("--device-refresh is 0.1 to 86400 seconds.", error);
    }

    [Fact]
    public void FromCloudList_DevicesJsonByHand_EntriesWithoutAeAdmitNobody_HostComparedAsAnAddress()
    {
        var spool = Directory.CreateDirectory(Path.Combine(_work, "by-hand")).FullName;
        File.WriteAllText(Path.Combine(spool, DeviceAllowList.FileName),
            """{"source":"cloud","tenantId":"t","fetchedAt":"2026-01-01T00:00:00+00:00","devices":[{"aeTitle":null},{"aeTitle":"CT1","host":"10.0.0.1"},{"aeTitle":"MR1"}]}""");
        using var http = new HttpClient { BaseAddress = new Uri("https://127.0.0.1:1/") };
        var devices = DeviceAllowList.FromCloudList(spool, http, TimeProvider.System, _log.Enqueue);

        Assert.True(devices.IsAllowed(new DicomAssociationPeer("CT1", "EDGE", new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.1"), 4000))));
        Assert.False(devices.IsAllowed(new DicomAssociationPeer("CT1", "EDGE", new IPEndPoint(IPAddress.Parse("10.0.0.2"), 4000))));
        Assert.False(devices.IsAllowed(new DicomAssociationPeer("CT1", "EDGE", null)));
        Assert.True(devices.IsAllowed(new DicomAssociationPeer("MR1", "EDGE", new IPEndPoint(IPAddress.Loopback, 4000))));
        Assert.False(devices.IsAllowed(new DicomAssociationPeer("", "EDGE", new IPEndPoint(IPAddress.Loopback, 4000))));
        Assert.False(devices.IsAllowed(new DicomAssociationPeer("mr1", "EDGE", new IPEndPoint(IPAddress.Loopback, 4000))));
        Assert.Contains(_log, line => line.Contains("calling AE 'CT1' at an unknown address refused", StringComparison.Ordinal));

        File.WriteAllText(Path.Combine(spool, DeviceAllowList.FileName), "not json");
        var garbled = DeviceAllowList.FromCloudList(spool, http, TimeProvider.System, _log.Enqueue);
        Assert.False(garbled.IsAllowed(new DicomAssociationPeer("MR1", "EDGE", new IPEndPoint(IPAddress.Loopback, 4000))));
        Assert.Null(garbled.Current.Devices);
    }

    private EdgeService StartEdge(string token, string name) =>
        EdgeService.Start(new EdgeOptions
        {
            Cloud = fixture.Cloud,
            Token = token,
            CaCertificate = fixture.Api.CertificatePath,
            Port = 0,
            Spool = Path.Combine(_work, name + "-spool"),
            DeviceListFromCloud = true,
            DeviceRefreshInterval = TimeSpan.FromMilliseconds(300),
            MaxBackoff = TimeSpan.FromSeconds(2),
            SettleDelay = TimeSpan.FromMilliseconds(200),
        }, _log.Enqueue);

    private Task WaitForListAsync(EdgeService edge, int count) =>
        EdgeTestTools.WaitUntilAsync(() => Task.FromResult(edge.Devices.Current.Devices?.Count == count), Timeout,
            () => $"devices {edge.Devices.Current}\n{Log()}");

    private Task WaitDoneAsync(EdgeService edge, int count) => EdgeTestTools.WaitDoneAsync(edge.Spool.Root, count, Timeout, Log);

    private static Task<(int ExitCode, string Output)> EchoAsync(EdgeService edge, string callingAe) =>
        EdgeTestTools.RunAsync("echoscu", "-to", "10", "-aet", callingAe, "-aec", "EDGE", "127.0.0.1", Port(edge));

    private static string Port(EdgeService edge) => edge.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture);

    private string Log() => string.Join('\n', _log);

    private static string LastLine(string output) => output.TrimEnd('\n').Split('\n')[^1];

    private async Task<string> AdminAsync(params string[] args)
    {
        var result = await RunAdminAsync(args);
        Assert.True(result.ExitCode == 0, $"./imaging admin {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}");
        return result.Output;
    }

    /// <summary>The real <c>./imaging admin …</c> against the fixture's api (its data directory holds the admin key).</summary>
    private async Task<(int ExitCode, string Output, string Error)> RunAdminAsync(params string[] args)
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ApiProcessTests.ApiPath())!, "..", "..", "..", ".."));
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "imaging"));
        start.ArgumentList.Add("admin");
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["IMAGING_DATA"] = fixture.Api.DataDirectory;
        start.Environment["IMAGING_URLS"] = fixture.Api.BaseAddress.GetLeftPart(UriPartial.Authority);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
