using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

/// <summary>Our requestor sends to a private Orthanc (Debian's 1.10) DICOM listener; the instances arrive intact.</summary>
public sealed class OrthancPeerTests
{
    private static readonly string[] CorpusFiles = ["CT_small.dcm", "JPEG2000.dcm", "SC_rgb_rle.dcm", "JPGExtended.dcm"];

    [Fact]
    public async Task StoreFileAsync_ToOrthanc_InstancesArriveWithTheSameDataSets()
    {
        await using var orthanc = await PrivateOrthanc.StartAsync();
        string[] paths = [.. CorpusFiles.Select(TestCorpus.TestFile)];
        var proposals = await DicomPresentationContextProposal.ForFilesAsync(paths, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await using (var association = await DicomClientAssociation.ConnectAsync("127.0.0.1", orthanc.DicomPort, new DicomClientOptions { CallingAeTitle = "TESTSCU", CalledAeTitle = "ORTHANC" }, proposals, timeout.Token))
        {
            Assert.Equal(DicomStatus.Success, (await association.EchoAsync(timeout.Token)).Status);
            foreach (var path in paths)
            {
                var response = await association.StoreFileAsync(path, timeout.Token);
                Assert.True(response.Status == DicomStatus.Success, $"{Path.GetFileName(path)}: 0x{response.Status:X4}\n{orthanc.Log}");
            }
            await association.ReleaseAsync(timeout.Token);
        }

        var ids = (await orthanc.GetJsonAsync("instances")).AsArray().Select(n => n!.GetValue<string>()).ToArray();
        Assert.Equal(paths.Length, ids.Length);
        var scratch = Directory.CreateTempSubdirectory("orthanc-out-").FullName;
        try
        {
            var stored = new Dictionary<string, string>();
            foreach (var id in ids)
            {
                var file = Path.Combine(scratch, id + ".dcm");
                await File.WriteAllBytesAsync(file, await orthanc.Rest.GetByteArrayAsync($"instances/{id}/file"));
                stored[(await DicomPart10Layout.ReadAsync(file, CancellationToken.None)).SopInstanceUid] = file;
            }
            foreach (var path in paths)
            {
                var layout = await DicomPart10Layout.ReadAsync(path, CancellationToken.None);
                var copy = stored[layout.SopInstanceUid];
                Assert.Equal(layout.TransferSyntax, (await DicomPart10Layout.ReadAsync(copy, CancellationToken.None)).TransferSyntax);
                Assert.Equal(await DcmtkTool.DumpDataSetAsync(path), await DcmtkTool.DumpDataSetAsync(copy));
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Orthanc with its own config and storage in a temporary folder, on free loopback ports; killed by its id.</summary>
    private sealed class PrivateOrthanc : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _directory;
        private readonly List<string> _log;

        private PrivateOrthanc(Process process, string directory, List<string> log, int httpPort, int dicomPort)
        {
            _process = process;
            _directory = directory;
            _log = log;
            DicomPort = dicomPort;
            Rest = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
        }

        public HttpClient Rest { get; }

        public int DicomPort { get; }

        public string Log
        {
            get
            {
                lock (_log)
                    return string.Join('\n', _log);
            }
        }

        public static async Task<PrivateOrthanc> StartAsync()
        {
            var directory = Directory.CreateTempSubdirectory("dimse-orthanc-").FullName;
            var (httpPort, dicomPort) = (DcmtkTool.FreePort(), DcmtkTool.FreePort());
            var config = new JsonObject
            {
                ["Name"] = "OrleansImaging DIMSE peer test",
                ["StorageDirectory"] = Path.Combine(directory, "storage"),
                ["IndexDirectory"] = Path.Combine(directory, "index"),
                ["HttpPort"] = httpPort,
                ["DicomPort"] = dicomPort,
                ["DicomAet"] = "ORTHANC",
                ["DicomServerEnabled"] = true,
                ["RemoteAccessAllowed"] = false,
                ["AuthenticationEnabled"] = false,
                ["SaveJobs"] = false,
                ["Plugins"] = new JsonArray(),
            };
            var configPath = Path.Combine(directory, "orthanc.json");
            await File.WriteAllTextAsync(configPath, config.ToJsonString());
            var start = new ProcessStartInfo(File.Exists("/usr/sbin/Orthanc") ? "/usr/sbin/Orthanc" : "Orthanc")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(configPath);
            var log = new List<string>();
            var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => Add(log, e.Data);
            process.ErrorDataReceived += (_, e) => Add(log, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var orthanc = new PrivateOrthanc(process, directory, log, httpPort, dicomPort);
            try
            {
                await orthanc.WaitReadyAsync();
                return orthanc;
            }
            catch
            {
                await orthanc.DisposeAsync();
                throw;
            }
        }

        private static void Add(List<string> log, string? line)
        {
            if (line is null)
                return;
            lock (log)
                log.Add(line);
        }

        public async Task<JsonNode> GetJsonAsync(string path) => JsonNode.Parse(await Rest.GetStringAsync(path))!;

        private async Task WaitReadyAsync()
        {
            var elapsed = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var response = await Rest.GetAsync("system");
                    if (response.StatusCode == HttpStatusCode.OK)
                        return;
                }
                catch (HttpRequestException) when (elapsed.Elapsed < TimeSpan.FromSeconds(60) && !_process.HasExited)
                {
                }
                Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(60) && !_process.HasExited, "Orthanc did not start:\n" + Log);
                await Task.Delay(100); // an external process: its port is the only signal
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
                _process.Kill();
            await _process.WaitForExitAsync();
            _process.Dispose();
            Rest.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
