using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OrleansImaging.Api.Tests.Hosting;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Network;
using OrleansImaging.Edge.Spool;

namespace OrleansImaging.Api.Tests.Edge;

/// <summary>
/// One api process for the edge tests, reached through a loopback TCP forwarder on a fixed port: the api can be
/// killed and started again on the same data directory (on a new port) while the edges keep their --cloud URL.
/// </summary>
public sealed class EdgeApiFixture : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-edge-api-").FullName;

    public ApiProcess Api { get; private set; } = null!;

    public TcpForwarder Forwarder { get; } = new();

    /// <summary>The cloud URL an edge is given: the forwarder's port, the api's certificate.</summary>
    public Uri Cloud => new($"https://127.0.0.1:{Forwarder.Port}/");

    public async Task InitializeAsync()
    {
        Api = await ApiProcess.StartAsync(_data);
        Forwarder.Target = Api.BaseAddress.Port;
    }

    /// <summary>SIGKILLs the api; the forwarder then refuses connections (the cloud is down).</summary>
    public async Task KillApiAsync()
    {
        Forwarder.Target = 0;
        await Api.KillAsync();
        await Api.DisposeAsync();
    }

    /// <summary>Starts the api again on the same data directory and points the forwarder at it.</summary>
    public async Task RestartApiAsync()
    {
        Api = await ApiProcess.StartAsync(_data);
        Forwarder.Target = Api.BaseAddress.Port;
    }

    public async Task DisposeAsync()
    {
        await Forwarder.DisposeAsync();
        await Api.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}

/// <summary>
/// Forwards loopback TCP connections to <see cref="Target"/> (0: refuse), bytes as they are (TLS passes through).
/// It can cut every open connection as a network failure does (a reset, on both sides), on demand
/// (<see cref="CutAll"/>) or once some more bytes have gone upstream (<see cref="CutAfter"/>).
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<TcpClient, TcpClient> _open = new();
    private long _upstreamBytes;
    private long _cutAt = long.MaxValue;
    private TaskCompletionSource<int> _cut = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TcpForwarder()
    {
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Target { get; set; }

    /// <summary>Bytes forwarded from clients to the target so far.</summary>
    public long UpstreamBytes => Interlocked.Read(ref _upstreamBytes);

    /// <summary>
    /// Arms a cut: once <paramref name="bytes"/> more have gone upstream, every open connection is reset. The task
    /// ends with how many connections were cut.
    /// </summary>
    public Task<int> CutAfter(long bytes)
    {
        var cut = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _cut, cut);
        Interlocked.Exchange(ref _cutAt, UpstreamBytes + bytes);
        return cut.Task;
    }

    /// <summary>Resets every open connection now (RST to both sides: linger on with a zero timeout, then close); returns how many.</summary>
    public int CutAll()
    {
        var cut = 0;
        foreach (var (client, upstream) in _open)
        {
            if (_open.TryRemove(client, out _))
            {
                Reset(client);
                Reset(upstream);
                cut++;
            }
        }
        return cut;
    }

    private static void Reset(TcpClient connection)
    {
        try
        {
            connection.Client.LingerState = new LingerOption(true, 0);
            connection.Client.Close();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            // Already gone.
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = ForwardAsync(client, Target);
        }
    }

    private async Task ForwardAsync(TcpClient client, int target)
    {
        using (client)
        {
            if (target == 0)
                return;
            using var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, target, _stop.Token);
                _open[client] = upstream;
                var a = UpstreamAsync(client.GetStream(), upstream.GetStream());
                var b = upstream.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                await Task.WhenAny(a, b);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Either side went away: closing both is the forwarding of that.
            }
            finally
            {
                _open.TryRemove(client, out _);
            }
        }
    }

    // Client to target, counting bytes, cutting everything once an armed count is reached.
    private async Task UpstreamAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            var total = Interlocked.Add(ref _upstreamBytes, read);
            var cutAt = Interlocked.Read(ref _cutAt);
            if (total >= cutAt && Interlocked.CompareExchange(ref _cutAt, long.MaxValue, cutAt) == cutAt)
                Volatile.Read(ref _cut).TrySetResult(CutAll());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>dcmtk tools, waits on the spool, and cloud look-ups for the edge tests.</summary>
internal static class EdgeTestTools
{
    /// <summary>Waits until the spool has nothing queued and <paramref name="count"/> instances confirmed by the cloud.</summary>
    public static Task WaitDoneAsync(string spool, int count, TimeSpan timeout, Func<string> log) =>
        WaitUntilAsync(() => Task.FromResult(EdgeStatus.Read(spool, TimeProvider.System) is { Queued: 0 } status && status.Done == count), timeout,
            () => $"status {EdgeStatus.Read(spool, TimeProvider.System)}\n{log()}");

    /// <summary>Writes each instance to <c>{folder}/{SOP Instance UID}.dcm</c> for storescu; returns the paths in order.</summary>
    public static async Task<List<string>> WriteFilesAsync(string folder, IEnumerable<Peers.SyntheticInstance> instances)
    {
        var paths = new List<string>();
        foreach (var instance in instances)
        {
            var path = Path.Combine(folder, instance.SopInstanceUid + ".dcm");
            await File.WriteAllBytesAsync(path, instance.Bytes);
            paths.Add(path);
        }
        return paths;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"'{tool}' could not be run ({ex.Message}). Install it: apt-get install dcmtk.", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
    }

    /// <summary>Polls <paramref name="condition"/> (a spool or a process we do not signal from) until true or the time is up.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> whatFailed)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
                Assert.Fail($"Timed out after {timeout.TotalSeconds:F0} s: {whatFailed()}");
            await Task.Delay(200);
        }
    }

    public static async Task<int> CountInstancesAsync(HttpClient http)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync("dicomweb/instances?limit=1000"));
        return json.RootElement.GetArrayLength();
    }

    /// <summary>The data set bytes (after the File Meta Information) of a Part 10 object.</summary>
    public static async Task<byte[]> DataSetBytesAsync(byte[] part10)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, part10);
            var layout = await DicomPart10Layout.ReadAsync(path, CancellationToken.None);
            return part10[(int)layout.DataSetOffset..];
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The instance as the cloud holds it (WADO-RS), Part 10 bytes.</summary>
    public static async Task<byte[]> RetrieveAsync(HttpClient http, byte[] original)
    {
        var file = DicomFile.Parse(original);
        var url = $"dicomweb/studies/{file.Dataset.Get<string>(DicomTag.StudyInstanceUID)}/series/{file.Dataset.Get<string>(DicomTag.SeriesInstanceUID)}/instances/{file.Dataset.Get<string>(DicomTag.SOPInstanceUID)}";
        using var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parts = MultipartRelated.Parse(response.Content.Headers.ContentType!.ToString(), await response.Content.ReadAsByteArrayAsync());
        return Assert.Single(parts).Body;
    }

    /// <summary>
    /// dcmdump of the data set of a Part 10 object, without what a sender may re-encode (storescu writes the data set
    /// again from what it parsed): no meta group, group lengths, length comments, item delimiters or trailing padding.
    /// Tags, VRs, values and structure are compared.
    /// </summary>
    public static async Task<string> DumpDataSetAsync(byte[] part10)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, part10);
            var (exitCode, output) = await RunAsync("dcmdump", "-q", "-dc", "+L", path);
            Assert.Equal(0, exitCode);
            var text = new System.Text.StringBuilder();
            foreach (var raw in output.Split('\n'))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("(0002,", StringComparison.Ordinal) || line.StartsWith("(fffc,fffc)", StringComparison.Ordinal)
                    || line.StartsWith("(fffe,e00d)", StringComparison.Ordinal) || line.StartsWith("(fffe,e0dd)", StringComparison.Ordinal)
                    || line.Contains("GroupLength", StringComparison.Ordinal))
                    continue;
                var comment = line.LastIndexOf('#');
                if (comment > 0)
                    line = line[..comment].TrimEnd();
                text.AppendLine(System.Text.RegularExpressions.Regex.Replace(line, @"\((Sequence|Item) with (?:explicit|undefined) length #=\d+\)", "($1)"));
            }
            return text.ToString();
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The edge's dll (the project's own output, with its runtimeconfig), to run as a child process.</summary>
    public static string EdgeDllPath()
    {
        var api = ApiProcessTests.ApiPath();
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(api)!, "..", "..", "..", ".."));
        return Path.Combine(root, "edge", "OrleansImaging.Edge", "bin", "Release", "net10.0", "OrleansImaging.Edge.dll");
    }
}
