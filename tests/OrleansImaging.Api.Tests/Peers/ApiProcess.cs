using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using OrleansImaging.Api.Tests.Hosting;

namespace OrleansImaging.Api.Tests.Peers;

/// <summary>
/// The api as <c>./imaging start</c> runs it: its own process on a loopback HTTPS port with the certificate it generates
/// into the data directory, for peers that need a real socket (Orthanc) and for killing it. Disposing kills the process
/// (by its id) and waits for it; the data directory belongs to the caller, so a restart can reuse it.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120); // two shared cores: a cold start can be slow
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log;
    private X509Certificate2? _certificate;

    private ApiProcess(Process process, ConcurrentQueue<string> log, string dataDirectory, Uri baseAddress)
    {
        _process = process;
        _log = log;
        DataDirectory = dataDirectory;
        BaseAddress = baseAddress;
    }

    /// <summary>The instance's IMAGING_DATA.</summary>
    public string DataDirectory { get; }

    /// <summary>Where it listens, e.g. <c>https://127.0.0.1:43121/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The public certificate the instance serves, as written to <c>$IMAGING_DATA/tls/server.crt</c>.</summary>
    public string CertificatePath => Path.Combine(DataDirectory, "tls", "server.crt");

    /// <summary>The process id (what a kill is aimed at).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Everything the process printed so far (stdout and stderr), for failure messages.</summary>
    public string Log => string.Join('\n', _log);

    /// <summary>
    /// Starts the api on <paramref name="dataDirectory"/> with fresh loopback ports (HTTPS, silo, gateway) and returns once
    /// it printed its listening line and <c>/healthz</c> answers 200 over TLS that trusts exactly its certificate.
    /// </summary>
    public static async Task<ApiProcess> StartAsync(string dataDirectory)
    {
        var baseAddress = new Uri($"https://127.0.0.1:{ApiFactory.FreePort()}/");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ApiProcessTests.ApiPath());
        start.Environment["IMAGING_DATA"] = dataDirectory;
        start.Environment["IMAGING_URLS"] = baseAddress.GetLeftPart(UriPartial.Authority);
        start.Environment["Imaging__SiloPort"] = ApiFactory.FreePort().ToString(CultureInfo.InvariantCulture);
        var log = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            log.Enqueue(e.Data);
            if (e.Data.StartsWith("OrleansImaging listening on", StringComparison.Ordinal))
                listening.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                log.Enqueue(e.Data);
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The api exited before it was ready."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, log, dataDirectory, baseAddress);
        try
        {
            await listening.Task.WaitAsync(StartTimeout);
            await api.WaitHealthyAsync();
            return api;
        }
        catch (Exception ex)
        {
            await api.DisposeAsync();
            throw new InvalidOperationException($"The api did not start: {ex.Message}\n{api.Log}", ex);
        }
    }

    /// <summary>A client of this instance that trusts exactly its certificate (as <c>curl --cacert</c> would).</summary>
    public HttpClient CreateClient(string? bearer = null)
    {
        _certificate ??= X509CertificateLoader.LoadCertificateFromFile(CertificatePath);
        var pinned = _certificate.Thumbprint;
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == pinned },
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        if (bearer is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>Creates <paramref name="tenantId"/> and a token with <paramref name="scopes"/> through <c>/admin</c>, with the key the instance wrote.</summary>
    public async Task<string> CreateTenantAndTokenAsync(string tenantId, params string[] scopes)
    {
        var key = (await File.ReadAllTextAsync(Path.Combine(DataDirectory, OrleansImaging.Api.Hosting.AdminKey.FileName))).Trim();
        using var admin = CreateClient(key);
        var tenant = await admin.PostAsJsonAsync("admin/tenants", new { tenantId, displayName = "Peer " + tenantId });
        Assert.Equal(HttpStatusCode.OK, tenant.StatusCode);
        var token = await admin.PostAsJsonAsync($"admin/tenants/{tenantId}/tokens", new { scopes });
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        using var body = JsonDocument.Parse(await token.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>
    /// SIGKILL: <see cref="Process.Kill()"/> on Linux sends SIGKILL, so no shutdown code of the api runs. Returns the exit
    /// code, which .NET reports as 128 + the signal (137).
    /// </summary>
    public async Task<int> KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: false); // `dotnet x.dll` runs the app in this very process
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }
        _process.Dispose();
        _certificate?.Dispose();
    }

    private async Task WaitHealthyAsync()
    {
        using var client = CreateClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException) when (deadline.Elapsed < StartTimeout)
            {
            }
            if (deadline.Elapsed > StartTimeout || _process.HasExited)
                throw new TimeoutException("/healthz never answered 200.");
            await Task.Delay(100); // polling a process we do not control: there is no signal to wait on
        }
    }
}
