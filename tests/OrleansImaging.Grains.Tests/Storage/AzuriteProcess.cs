using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrleansImaging.Grains.Tests.Storage;

/// <summary>
/// A private Azurite blob service on a free loopback port with its own data folder, killed by its PID on dispose.
/// Shared (as a linked file) by the Azurite test fixture and <c>./imaging bench blobs</c>.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's well-known development account (public, documented by Microsoft; not a secret).
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string InstallHint = "install it with `npm install -g azurite@3.35.0` (`./imaging test` does this)";

    private readonly Process _process;
    private readonly string _location;
    private readonly Queue<string> _lastOutput;

    private AzuriteProcess(Process process, int port, string location, Queue<string> lastOutput)
    {
        _process = process;
        Port = port;
        _location = location;
        _lastOutput = lastOutput;
    }

    public int Port { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{Port}/{AccountName};";

    public static async Task<AzuriteProcess> StartAsync(TimeSpan timeout)
    {
        var executable = FindOnPath("azurite-blob")
            ?? throw new InvalidOperationException($"azurite-blob was not found on PATH: {InstallHint}.");
        var port = FreeLoopbackPort();
        var location = Directory.CreateTempSubdirectory("azurite-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // --disableTelemetry always: without it Azurite tries to reach an outside telemetry host.
        foreach (var argument in new[]
                 {
                     "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--location", location, "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent",
                 })
            start.ArgumentList.Add(argument);

        var lastOutput = new Queue<string>();
        var process = new Process { StartInfo = start };
        void Keep(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (lastOutput)
            {
                lastOutput.Enqueue(e.Data);
                if (lastOutput.Count > 20)
                    lastOutput.Dequeue();
            }
        }
        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        if (!process.Start())
            throw new InvalidOperationException($"azurite-blob ({executable}) did not start: {InstallHint}.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteProcess(process, port, location, lastOutput);

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync().ConfigureAwait(false);
                var output = azurite.LastOutput();
                await azurite.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"azurite-blob exited with code {process.ExitCode} before listening on port {port}: {output}");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                return azurite;
            }
            catch (SocketException) when (deadline.Elapsed < timeout)
            {
                // Not listening yet: node takes a moment to load Azurite.
                await Task.Delay(50).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                var output = azurite.LastOutput();
                await azurite.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"azurite-blob did not answer on 127.0.0.1:{port} within {timeout.TotalSeconds:0} s: {output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string LastOutput()
    {
        lock (_lastOutput)
            return _lastOutput.Count == 0 ? "(no output)" : string.Join(" | ", _lastOutput);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
