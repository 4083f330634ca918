using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace OrleansImaging.LoadTests.Ingest;

/// <summary>
/// The api as <c>./imaging start</c> runs it — the built <c>OrleansImaging.Api.dll</c> in its own process, a fresh
/// data directory, loopback only, free ports — started for one benchmark run and stopped by its process id.
/// </summary>
internal sealed class ImagingServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ImagingServerProcess(Process process, string dataDirectory, Uri baseAddress, StreamWriter log)
    {
        _process = process;
        DataDirectory = dataDirectory;
        BaseAddress = baseAddress;
        _log = log;
    }

    /// <summary>The data directory (deleted on dispose).</summary>
    public string DataDirectory { get; }

    /// <summary>Where the api listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The server's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The TLS certificate the instance generated; clients trust exactly this one.</summary>
    public X509Certificate2? Certificate { get; private set; }

    /// <summary>Starts the api and waits until <c>/healthz</c> answers 200.</summary>
    public static async Task<ImagingServerProcess> StartAsync(string apiDll, bool https, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        if (!File.Exists(apiDll))
            throw new InvalidOperationException($"{apiDll} does not exist: build the solution first (./imaging bench builds it).");
        // A fresh folder per run: this disk's ext4 punishes re-creating files in directories emptied minutes ago.
        var data = Directory.CreateTempSubdirectory("orleans-imaging-bench-ingest-").FullName;
        var port = FreePort();
        var baseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"{(https ? "https" : "http")}://127.0.0.1:{port}"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(apiDll);
        start.Environment["IMAGING_DATA"] = data;
        start.Environment["IMAGING_URLS"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["Imaging__SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var log = new StreamWriter(Path.Combine(data, "server.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ImagingServerProcess(process, data, baseAddress, log);
        try
        {
            await server.WaitHealthyAsync(timeout);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Creates a tenant and a read+write token through <c>/admin</c> with the instance's admin key.</summary>
    public async Task<string> CreateTenantAndTokenAsync(string tenantId)
    {
        var key = (await File.ReadAllTextAsync(Path.Combine(DataDirectory, "admin.key"))).Trim();
        using var client = CreateClient(maxConnections: 1);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        (await client.PostAsJsonAsync("/admin/tenants", new { tenantId, displayName = "Ingest benchmark" })).EnsureSuccessStatusCode();
        var response = await client.PostAsJsonAsync($"/admin/tenants/{tenantId}/tokens", new { scopes = new[] { "dicomweb:read", "dicomweb:write" } });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>A client for this instance (its own certificate trusted, nothing else).</summary>
    public HttpClient CreateClient(int maxConnections) =>
        IngestClient.Create(BaseAddress, maxConnections, Certificate);

    /// <summary>The server's peak resident set (VmHWM) so far, in bytes; null when /proc cannot tell.</summary>
    public long? PeakResidentBytes() => ProcStatus.PeakResidentBytes(_process.Id);

    /// <summary>The server's CPU time so far, user and kernel.</summary>
    public (TimeSpan User, TimeSpan Kernel) CpuTime()
    {
        _process.Refresh();
        return (_process.UserProcessorTime, _process.PrivilegedProcessorTime);
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var certificatePath = Path.Combine(DataDirectory, "tls", "server.crt");
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the api exited with {_process.ExitCode}; see {DataDirectory}/server.log");
            if (BaseAddress.Scheme == "https" && Certificate is null && File.Exists(certificatePath))
            {
                try
                {
                    Certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificatePath));
                }
                catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException)
                {
                    // Being written; the next round reads it whole.
                }
            }
            if (BaseAddress.Scheme == "http" || Certificate is not null)
            {
                using var client = CreateClient(maxConnections: 1);
                try
                {
                    using var response = await client.GetAsync("/healthz");
                    if (response.StatusCode == HttpStatusCode.OK)
                        return;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
            }
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"the api did not become healthy within {timeout.TotalSeconds:F0} s; see {DataDirectory}/server.log");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether <see cref="DisposeAsync"/> leaves the data directory in place.</summary>
    public bool KeepData { get; set; }

    /// <summary>Stops the server by its process id and deletes its data directory (unless <see cref="KeepData"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        lock (_log)
            _log.Dispose();
        Certificate?.Dispose();
        if (KeepData)
            return;
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner; the run's figures are already printed.
        }
    }
}

/// <summary>Reads a process's memory figures from <c>/proc/{pid}/status</c>.</summary>
internal static class ProcStatus
{
    /// <summary>VmHWM (peak resident set) in bytes, or null when not on Linux or the process is gone.</summary>
    public static long? PeakResidentBytes(int processId)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
