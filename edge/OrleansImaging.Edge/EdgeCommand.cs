using System.Globalization;
using System.Net;
using OrleansImaging.Edge.Spool;

namespace OrleansImaging.Edge;

/// <summary><c>./imaging edge start|status</c>: the hospital edge (DIMSE receiver, durable spool, uploader to the cloud).</summary>
internal static class EdgeCommand
{
    public const string Usage = """
        usage: ./imaging edge start --cloud <url> --token <token> [options]
               ./imaging edge status [--spool <dir>]
          --token-file <file>   read the token from a file (IMAGING_TOKEN in the environment works too)
          --cacert <file>       trust exactly this certificate for the cloud (a self-signed instance's data/tls/server.crt)
          --ae <title>          our AE title (default EDGE)
          --port <n>            the DIMSE port (default 11112)
          --bind <address>      the address to listen on (default 127.0.0.1; 0.0.0.0 for the hospital network)
          --spool <dir>         where received instances wait for the cloud (default ./edge-spool)
          --allow AE1,AE2       a local allow-list instead of the cloud's, for sites without the cloud list; '*' allows every one
          --allow-file <file>   the same, one AE title a line (# comments)
          --device-refresh <s>  how often the cloud's device list is fetched again, in seconds (default 60)
          --limit-mbps <n>      upload bandwidth cap in megabits per second, shared by all batches (default none)
          --parallel <n>        batches (each of a different study) uploading at once, 1-16 (default 3)
          --tls-cert <pfx>      DICOM over TLS with this certificate and key (password in IMAGING_EDGE_TLS_PASSWORD)
        Without --allow or --allow-file the edge accepts the devices registered for the hospital in the cloud
        (./imaging admin device add): fetched at start and every minute, kept in the spool's devices.json for a
        start while the cloud is unreachable; before a list was ever fetched every association is refused.
        """;

    /// <summary>Runs <c>edge start</c> or <c>edge status</c>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        switch (args)
        {
            case ["status", .. var rest]:
                var spool = rest is ["--spool", var dir] ? dir : rest.Length == 0 ? "edge-spool" : null;
                if (spool is null)
                    break;
                if (!Directory.Exists(spool))
                {
                    Console.Error.WriteLine($"No spool at '{Path.GetFullPath(spool)}' (give --spool <dir>).");
                    return 1;
                }
                EdgeStatus.Print(EdgeStatus.Read(spool, TimeProvider.System), Console.Out);
                Console.Out.WriteLine(DeviceAllowList.Describe(DeviceAllowList.ReadFromSpool(spool), TimeProvider.System.GetUtcNow()));
                return 0;
            case ["start", .. var rest]:
                if (Parse(rest, out var error) is not { } options)
                {
                    Console.Error.WriteLine(error);
                    Console.Error.WriteLine(Usage);
                    return 2;
                }
                return await StartAsync(options, cancellationToken);
        }
        Console.Error.WriteLine(Usage);
        return 2;
    }

    private static async Task<int> StartAsync(EdgeOptions options, CancellationToken cancellationToken)
    {
        EdgeService service;
        try
        {
            service = EdgeService.Start(options, Log);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            var what = ex is System.Security.Cryptography.CryptographicException ? "a certificate (--cacert, --tls-cert) cannot be read (a wrong password in IMAGING_EDGE_TLS_PASSWORD, or not PEM/DER/PKCS#12)" : ex.Message;
            Console.Error.WriteLine($"The edge could not start: {what}");
            return 1;
        }
        await using (service)
        {
            Log($"edge: {options.AeTitle} listening on {service.LocalEndPoint}, spool {service.Spool.Root}, uploading to {options.Cloud}");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Log("edge: stopping; everything received is in the spool and is sent on the next start");
            }
        }
        return 0;
    }

    private static void Log(string line)
    {
        lock (Console.Out)
            Console.Out.WriteLine(line);
    }

    /// <summary>The options of <c>edge start</c>, or null with <paramref name="error"/> saying what is wrong.</summary>
    internal static EdgeOptions? Parse(string[] args, out string error)
    {
        var shared = new Upload.CloudArguments();
        string? spool = null, tls = null, ae = null;
        int port = 11112, parallel = 3;
        var bind = IPAddress.Loopback;
        HashSet<string>? allowed = new(StringComparer.Ordinal);
        var local = false;
        var deviceRefresh = TimeSpan.FromSeconds(60);
        error = "";
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                if (shared.TryTake(args[i], Next))
                    continue;
                switch (args[i])
                {
                    case "--ae": ae = Next(); break;
                    case "--port": port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--bind": bind = IPAddress.Parse(Next()); break;
                    case "--spool": spool = Next(); break;
                    case "--tls-cert": tls = Next(); break;
                    case "--parallel": parallel = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--allow": allowed = AddAll(allowed, Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); local = true; break;
                    case "--allow-file":
                        allowed = AddAll(allowed, File.ReadAllLines(Next()).Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0));
                        local = true;
                        break;
                    case "--device-refresh":
                        var seconds = double.Parse(Next(), CultureInfo.InvariantCulture);
                        if (!(seconds is >= 0.1 and <= 86_400))
                            throw new FormatException("--device-refresh is 0.1 to 86400 seconds.");
                        deviceRefresh = TimeSpan.FromSeconds(seconds);
                        break;
                    default: error = $"Unknown option {args[i]}."; return null;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or IOException or UnauthorizedAccessException)
            {
                error = ex.Message;
                return null;
            }
        }
        if (shared.Validate(out error) is not { } cloudUri)
            return null;
        if (port is < 0 or > 65535)
        {
            error = "--port is 0–65535.";
            return null;
        }
        if (parallel is < 1 or > 16)
        {
            error = "--parallel is 1–16.";
            return null;
        }
        foreach (var (flag, path) in new[] { ("--cacert", shared.CaCertificate), ("--tls-cert", tls) })
        {
            if (path is not null && !File.Exists(path))
            {
                error = $"{flag} '{path}': no such file.";
                return null;
            }
        }
        if (ae is not null && (ae.Length is 0 or > 16 || ae.Any(c => c is < ' ' or > '~' or '\\')))
        {
            error = $"--ae '{ae}' must be 1 to 16 printable ASCII characters without a backslash.";
            return null;
        }
        return new EdgeOptions
        {
            Cloud = cloudUri,
            Token = shared.Token!,
            CaCertificate = shared.CaCertificate,
            AeTitle = ae ?? "EDGE",
            Bind = bind,
            Port = port,
            Spool = spool ?? "edge-spool",
            AllowedCallingAeTitles = allowed,
            DeviceListFromCloud = !local,
            DeviceRefreshInterval = deviceRefresh,
            BytesPerSecond = shared.LimitMbps is { } mbps ? (long)(mbps * 1_000_000 / 8) : null,
            TlsCertificate = tls,
            Parallel = parallel,
        };
    }

    // '*' anywhere in the list allows everyone (null); otherwise the titles are added.
    private static HashSet<string>? AddAll(HashSet<string>? allowed, IEnumerable<string> titles)
    {
        if (allowed is null)
            return null;
        foreach (var title in titles)
        {
            if (title == "*")
                return null;
            allowed.Add(title);
        }
        return allowed;
    }
}
