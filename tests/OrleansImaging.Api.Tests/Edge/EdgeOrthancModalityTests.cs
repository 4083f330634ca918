using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Edge.Spool;

namespace OrleansImaging.Api.Tests.Edge;

/// <summary>
/// A hospital PACS as the sender: Orthanc (Debian) configured with the edge as a DICOM modality pushes a study to it
/// through its REST API (<c>/modalities/{id}/store</c>, Orthanc acting as C-STORE SCU), and the study reaches the cloud.
/// </summary>
public sealed class EdgeOrthancModalityTests(EdgeApiFixture fixture) : IClassFixture<EdgeApiFixture>, IDisposable
{
    private const string OrthancAe = "HOSPITALPACS";
    private readonly string _work = Directory.CreateTempSubdirectory("imaging-edge-orthanc-").FullName;
    private readonly ConcurrentQueue<string> _log = new();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task OrthancStoresAStudyToTheEdge_EveryInstanceReachesTheCloudWithItsDataSet()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-orthanc", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = fixture.Api.CreateClient(token);
        await using var edge = EdgeService.Start(new EdgeOptions
        {
            Cloud = fixture.Cloud,
            Token = token,
            CaCertificate = fixture.Api.CertificatePath,
            Port = 0,
            Spool = Path.Combine(_work, "spool"),
            AllowedCallingAeTitles = new HashSet<string>(StringComparer.Ordinal) { OrthancAe },
            MaxBackoff = TimeSpan.FromSeconds(2),
            SettleDelay = TimeSpan.FromMilliseconds(200),
        }, _log.Enqueue);
        var sources = new List<byte[]> { await File.ReadAllBytesAsync(PydicomCorpus.TestFile("CT_small.dcm")), await File.ReadAllBytesAsync(PydicomCorpus.TestFile("MR_small.dcm")) };
        sources.AddRange(SyntheticCt.Series(2).Select(i => i.Bytes));
        var (orthanc, rest) = await StartOrthancAsync(edge.LocalEndPoint.Port);
        try
        {
            var ids = new JsonArray();
            foreach (var source in sources)
            {
                using var added = await rest.PostAsync("instances", new ByteArrayContent(source));
                Assert.Equal(HttpStatusCode.OK, added.StatusCode);
                ids.Add(JsonNode.Parse(await added.Content.ReadAsStringAsync())!["ID"]!.GetValue<string>());
            }

            using var store = await rest.PostAsync("modalities/edge/store",
                new StringContent(new JsonObject { ["Resources"] = ids, ["Synchronous"] = true }.ToJsonString(), Encoding.UTF8, "application/json"));

            Assert.True(store.StatusCode == HttpStatusCode.OK, await store.Content.ReadAsStringAsync() + "\n" + string.Join('\n', _log));
        }
        finally
        {
            rest.Dispose();
            orthanc.Kill();
            await orthanc.WaitForExitAsync();
        }
        await EdgeTestTools.WaitUntilAsync(() => Task.FromResult(EdgeStatus.Read(edge.Spool.Root, TimeProvider.System) is { Queued: 0 } status && status.Done == sources.Count),
            TimeSpan.FromSeconds(90), () => $"{EdgeStatus.Read(edge.Spool.Root, TimeProvider.System)}\n{string.Join('\n', _log)}");
        Assert.Equal(sources.Count, await EdgeTestTools.CountInstancesAsync(http));
        foreach (var source in sources)
        {
            // Orthanc re-encodes what it sends (its own File Meta, group lengths): the same elements and values arrive.
            var stored = await EdgeTestTools.RetrieveAsync(http, source);
            Assert.Equal(await EdgeTestTools.DumpDataSetAsync(source), await EdgeTestTools.DumpDataSetAsync(stored));
        }
    }

    private async Task<(Process Orthanc, HttpClient Client)> StartOrthancAsync(int edgePort)
    {
        var httpPort = ApiFactory.FreePort();
        var config = new JsonObject
        {
            ["Name"] = "Hospital PACS (test)",
            ["StorageDirectory"] = Path.Combine(_work, "orthanc", "storage"),
            ["IndexDirectory"] = Path.Combine(_work, "orthanc", "index"),
            ["HttpPort"] = httpPort,
            ["DicomAet"] = OrthancAe,
            // Orthanc 1.10 has no bind-address option; its SCP is not needed to send, so it stays off.
            ["DicomServerEnabled"] = false,
            ["DicomPort"] = ApiFactory.FreePort(),
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["SaveJobs"] = false,
            ["Plugins"] = new JsonArray(),
            ["DicomModalities"] = new JsonObject { ["edge"] = new JsonArray("EDGE", "127.0.0.1", edgePort) },
        };
        Directory.CreateDirectory(Path.Combine(_work, "orthanc"));
        var path = Path.Combine(_work, "orthanc", "orthanc.json");
        await File.WriteAllTextAsync(path, config.ToJsonString());
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/Orthanc") ? "/usr/sbin/Orthanc" : "Orthanc") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue("orthanc: " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue("orthanc: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var rest = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromMinutes(2) };
        await EdgeTestTools.WaitUntilAsync(async () =>
        {
            try
            {
                using var system = await rest.GetAsync("system");
                return system.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), () => "Orthanc did not start:\n" + string.Join('\n', _log));
        return (process, rest);
    }
}
