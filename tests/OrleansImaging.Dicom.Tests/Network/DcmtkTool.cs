using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansImaging.Dicom.Tests.Network;

/// <summary>Runs dcmtk's network tools (echoscu, storescu, storescp) as real peers.</summary>
internal static partial class DcmtkTool
{
    public sealed record Result(int ExitCode, string Output);

    /// <summary>Runs a tool to its end (killed after <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static async Task<Result> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        using var process = Start(tool, arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{tool} did not finish in time: {await stdout}{await stderr}");
        }
        return new Result(process.ExitCode, await stdout + await stderr);
    }

    public static Process Start(string tool, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"'{tool}' could not be run ({ex.Message}). Install it: apt-get install dcmtk.", ex);
        }
    }

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The bytes of a Part 10 file after its File Meta Information.</summary>
    public static async Task<byte[]> DataSetBytesAsync(string path)
    {
        var layout = await OrleansImaging.Dicom.Network.DicomPart10Layout.ReadAsync(path, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(path);
        return bytes[(int)layout.DataSetOffset..];
    }

    /// <summary>
    /// dcmdump of the data set only, normalized for re-encoding by a sender (storescu re-encodes what it read): no meta
    /// header, no group lengths, no length comments, sequences and items without their length form, no delimitation
    /// items, no trailing padding (fffc,fffc). Values, VRs and structure are compared.
    /// </summary>
    public static async Task<string> DumpDataSetAsync(string path)
    {
        var result = await RunAsync("dcmdump", ["-q", "-dc", "+L", path]);
        Assert.Equal(0, result.ExitCode);
        var text = new StringBuilder();
        foreach (var raw in result.Output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("(0002,", StringComparison.Ordinal) || line.StartsWith("(fffc,fffc)", StringComparison.Ordinal)
                || line.StartsWith("(fffe,e00d)", StringComparison.Ordinal) || line.StartsWith("(fffe,e0dd)", StringComparison.Ordinal)
                || line.Contains("GroupLength", StringComparison.Ordinal))
                continue;
            var hash = line.LastIndexOf('#');
            if (hash > 0)
                line = line[..hash].TrimEnd();
            line = LengthForm().Replace(line, "($1)");
            text.AppendLine(line);
        }
        return text.ToString();
    }

    [GeneratedRegex(@"\((Sequence|Item) with (?:explicit|undefined) length #=\d+\)")]
    private static partial Regex LengthForm();
}

/// <summary>A DICOM server on a free loopback port storing into a fresh temporary folder, with its log kept.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly List<string> _log = [];

    /// <summary>Starts a server; <paramref name="configure"/> builds the options from the log sink (default: AE title EDGE).</summary>
    public TestServer(Func<Action<string>, Dicom.Network.DicomServerOptions>? configure = null, Dicom.Network.IDicomStoreHandler? handler = null)
    {
        Folder = Directory.CreateTempSubdirectory("dimse-").FullName;
        Files = new Dicom.Network.DicomFileStoreHandler(Folder);
        Action<string> log = message =>
        {
            lock (_log)
                _log.Add(message);
        };
        Options = configure?.Invoke(log) ?? new Dicom.Network.DicomServerOptions { AeTitle = "EDGE", Log = log };
        Server = new Dicom.Network.DicomServer(Options, handler ?? Files);
        Server.Start(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public Dicom.Network.DicomServer Server { get; }

    public Dicom.Network.DicomServerOptions Options { get; }

    public Dicom.Network.DicomFileStoreHandler Files { get; }

    public string Folder { get; }

    public int Port => Server.LocalEndPoint!.Port;

    public string PortText => DcmtkTool.Text(Port);

    public string[] Log
    {
        get
        {
            lock (_log)
                return [.. _log];
        }
    }

    /// <summary>Waits (on the server's own state, polling briefly) until no association is open.</summary>
    public async Task WaitIdleAsync()
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (Server.ActiveAssociations > 0)
        {
            Assert.True(DateTime.UtcNow < until, "An association stayed open.");
            await Task.Delay(20);
        }
    }

    /// <summary>A normal C-ECHO from echoscu, proving the listener still serves.</summary>
    public async Task AssertEchoWorksAsync()
    {
        var echo = await DcmtkTool.RunAsync("echoscu", ["-aet", "TESTSCU", "-aec", Options.AeTitle, "-to", "10", "127.0.0.1", PortText]);
        Assert.True(echo.ExitCode == 0, echo.Output);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
