using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansImaging.Api.Tests.Peers;

/// <summary>
/// A private Orthanc (Debian's <c>orthanc</c> 1.10 with <c>orthanc-dicomweb</c> 1.7) for one test: its own JSON config,
/// storage and index in a temporary directory, free loopback ports, the DICOMweb plugin with one remote server, and
/// nothing shared with a system Orthanc the package may have started on 4242/8042. Disposing kills exactly this process
/// (by its id) and deletes the directory.
/// </summary>
public sealed class OrthancProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log;
    private readonly string _directory;

    private OrthancProcess(Process process, ConcurrentQueue<string> log, string directory, int httpPort)
    {
        _process = process;
        _log = log;
        _directory = directory;
        Rest = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>Orthanc's REST API (plain HTTP on loopback; remote access refused).</summary>
    public HttpClient Rest { get; }

    /// <summary>What Orthanc logged so far, for failure messages.</summary>
    public string Log => string.Join('\n', _log);

    /// <summary>
    /// Starts Orthanc with a DICOMweb server entry <paramref name="serverName"/> for <paramref name="dicomwebRoot"/>, sending
    /// <c>Authorization: Bearer <paramref name="bearer"/></c> and trusting only <paramref name="caCertificatePath"/> for TLS.
    /// </summary>
    public static async Task<OrthancProcess> StartAsync(string serverName, Uri dicomwebRoot, string bearer, string caCertificatePath)
    {
        var executable = File.Exists("/usr/sbin/Orthanc") ? "/usr/sbin/Orthanc" : "Orthanc"; // /usr/sbin is not on every PATH
        var plugin = await DicomwebPluginPathAsync();
        var directory = Directory.CreateTempSubdirectory("imaging-orthanc-").FullName;
        var httpPort = ApiFactory.FreePort();
        var config = new JsonObject
        {
            ["Name"] = "OrleansImaging peer test",
            ["StorageDirectory"] = Path.Combine(directory, "storage"),
            ["IndexDirectory"] = Path.Combine(directory, "index"),
            ["HttpPort"] = httpPort,
            ["DicomPort"] = ApiFactory.FreePort(),
            // Orthanc 1.10 has no bind-address option: its listeners take every interface. The DICOM listener is not
            // needed here, so it stays off; HTTP answers loopback only (RemoteAccessAllowed false).
            ["DicomServerEnabled"] = false,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["HttpsVerifyPeers"] = true,
            ["HttpsCACertificates"] = caCertificatePath,
            ["SaveJobs"] = false,
            ["Plugins"] = new JsonArray(plugin),
            ["DicomWeb"] = new JsonObject
            {
                ["Enable"] = true,
                ["Root"] = "/dicom-web/",
                ["EnableWado"] = false,
                ["Servers"] = new JsonObject
                {
                    [serverName] = new JsonObject
                    {
                        ["Url"] = dicomwebRoot.ToString(),
                        ["HttpHeaders"] = new JsonObject { ["Authorization"] = "Bearer " + bearer },
                    },
                },
            },
        };
        var configPath = Path.Combine(directory, "orthanc.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(configPath, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds a bearer token

        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(configPath);
        var log = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException("Orthanc is not installed: ./imaging test installs it (apt packages orthanc, orthanc-dicomweb).", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var orthanc = new OrthancProcess(process, log, directory, httpPort);
        try
        {
            await orthanc.WaitReadyAsync();
            return orthanc;
        }
        catch (Exception ex)
        {
            await orthanc.DisposeAsync();
            throw new InvalidOperationException($"Orthanc did not start: {ex.Message}\n{orthanc.Log}", ex);
        }
    }

    /// <summary>POSTs <paramref name="body"/> as JSON and returns the parsed answer; fails with Orthanc's log otherwise.</summary>
    public async Task<JsonNode> PostJsonAsync(string path, object body)
    {
        using var response = await Rest.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"));
        return await ReadAsync(response, path);
    }

    /// <summary>POSTs <paramref name="body"/> as JSON and returns the status and body, whatever they are.</summary>
    public async Task<(HttpStatusCode Status, string Body)> TryPostJsonAsync(string path, object body)
    {
        using var response = await Rest.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>POSTs raw bytes (e.g. a DICOM file to <c>instances</c>) and returns the parsed answer.</summary>
    public async Task<JsonNode> PostBytesAsync(string path, byte[] body)
    {
        using var response = await Rest.PostAsync(path, new ByteArrayContent(body));
        return await ReadAsync(response, path);
    }

    /// <summary>GETs <paramref name="path"/> as bytes (e.g. <c>instances/{id}/file</c>, the stored file).</summary>
    public async Task<byte[]> GetBytesAsync(string path)
    {
        using var response = await Rest.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"Orthanc {path}: {(int)response.StatusCode}\n--- Orthanc log ---\n{Log}");
        return body;
    }

    /// <summary>DELETEs <paramref name="path"/> (e.g. <c>studies/{id}</c>).</summary>
    public async Task DeleteAsync(string path)
    {
        using var response = await Rest.DeleteAsync(path);
        await ReadAsync(response, path);
    }

    /// <summary>GETs <paramref name="path"/> as JSON.</summary>
    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Rest.GetAsync(path);
        return await ReadAsync(response, path);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(); // its data is thrown away below: no need for a graceful stop
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        _process.Dispose();
        Rest.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<JsonNode> ReadAsync(HttpResponseMessage response, string path)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Orthanc {path}: {(int)response.StatusCode} {text}\n--- Orthanc log ---\n{Log}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The plugin's shared library as the package installed it (<c>dpkg -L orthanc-dicomweb</c>).</summary>
    private static async Task<string> DicomwebPluginPathAsync()
    {
        var start = new ProcessStartInfo("dpkg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add("orthanc-dicomweb");
        using var dpkg = Process.Start(start)!;
        var output = await dpkg.StandardOutput.ReadToEndAsync();
        await dpkg.StandardError.ReadToEndAsync();
        await dpkg.WaitForExitAsync();
        // The package ships the versioned library and a symlink to it in Orthanc's plugin folder; either loads.
        return output.Split('\n').FirstOrDefault(l => l.EndsWith("/libOrthancDicomWeb.so", StringComparison.Ordinal) && File.Exists(l))
            ?? throw new InvalidOperationException("The orthanc-dicomweb package is not installed: ./imaging test installs it.");
    }

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
            catch (HttpRequestException) when (elapsed.Elapsed < StartTimeout && !_process.HasExited)
            {
            }
            if (elapsed.Elapsed > StartTimeout || _process.HasExited)
                throw new TimeoutException("GET /system never answered 200.");
            await Task.Delay(100); // an external process: no signal to wait on but its port
        }
    }
}
