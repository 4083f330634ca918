using System.Net;
using System.Security.Cryptography.X509Certificates;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Edge.Spool;

/// <summary>What <c>./imaging edge start</c> was asked to do.</summary>
internal sealed record EdgeOptions
{
    /// <summary>The cloud's base URL (with a trailing slash).</summary>
    public required Uri Cloud { get; init; }

    /// <summary>The bearer token (a tenant token with dicomweb:write).</summary>
    public required string Token { get; init; }

    /// <summary>Trust exactly this certificate (a self-signed cloud), as <c>--cacert</c>.</summary>
    public string? CaCertificate { get; init; }

    /// <summary>Our AE title.</summary>
    /// <value>EDGE.</value>
    public string AeTitle { get; init; } = "EDGE";

    /// <summary>The address the SCP binds.</summary>
    /// <value>127.0.0.1: a hospital network is opened on purpose (<c>--bind</c>), not by default.</value>
    public IPAddress Bind { get; init; } = IPAddress.Loopback;

    /// <summary>The DIMSE port (0 = any free port).</summary>
    /// <value>11112.</value>
    public int Port { get; init; } = 11112;

    /// <summary>The spool directory.</summary>
    /// <value>./edge-spool.</value>
    public string Spool { get; init; } = "edge-spool";

    /// <summary>
    /// The calling AE titles allowed when <see cref="DeviceListFromCloud"/> is false; null allows every one
    /// (<c>--allow '*'</c>), empty refuses every one.
    /// </summary>
    /// <value>Empty.</value>
    public IReadOnlySet<string>? AllowedCallingAeTitles { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Whether the allow-list is the hospital's devices registered in the cloud (<see cref="DeviceAllowList"/>) rather
    /// than <see cref="AllowedCallingAeTitles"/>. The command line's default when neither <c>--allow</c> nor
    /// <c>--allow-file</c> is given.
    /// </summary>
    /// <value>False (the command line sets it).</value>
    public bool DeviceListFromCloud { get; init; }

    /// <summary>How often the cloud's device list is fetched again.</summary>
    /// <value>60 seconds.</value>
    public TimeSpan DeviceRefreshInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The upload bandwidth cap in bytes per second.</summary>
    /// <value>Null: none.</value>
    public long? BytesPerSecond { get; init; }

    /// <summary>DICOM over TLS: the server certificate with its key (PKCS#12).</summary>
    /// <value>Null: plain TCP.</value>
    public string? TlsCertificate { get; init; }

    /// <summary>The most instances in one batch.</summary>
    /// <value>200.</value>
    public int BatchMaxInstances { get; init; } = 200;

    /// <summary>The most bytes in one batch (one instance larger than this travels alone).</summary>
    /// <value>64 MiB.</value>
    public long BatchMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How many batches (each of a different study) upload at once, 1–16 (<c>--parallel</c>).</summary>
    /// <value>3.</value>
    public int Parallel { get; init; } = 3;

    /// <summary>The PATCH size.</summary>
    /// <value>8 MiB.</value>
    public int ChunkBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>The longest wait between two attempts while the cloud is unreachable.</summary>
    /// <value>60 seconds.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the uploader waits after a receive before batching, so a study's instances travel together.</summary>
    /// <value>500 ms.</value>
    public TimeSpan SettleDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The clock for backoff and status times.</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// The hospital edge: a C-STORE SCP that answers success only once the instance is durable in the spool, and an
/// uploader draining the spool to the cloud, in one process. Disposing stops both; the spool keeps everything.
/// </summary>
internal sealed class EdgeService : IAsyncDisposable
{
    private readonly DicomServer _server;
    private readonly CancellationTokenSource _stopping = new();
    private Task _uploading = Task.CompletedTask;
    private Task _refreshingDevices = Task.CompletedTask;
    private readonly HttpClient _http;
    private readonly X509Certificate2? _tls;

    private readonly SpoolStoreHandler _store;

    private EdgeService(DicomServer server, SpoolStoreHandler store, HttpClient http, X509Certificate2? tls, SpoolUploader uploader, EdgeSpool spool, DeviceAllowList devices)
    {
        _server = server;
        _store = store;
        _http = http;
        _tls = tls;
        Uploader = uploader;
        Spool = spool;
        Devices = devices;
    }

    /// <summary>The bound DIMSE address (with the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => _server.LocalEndPoint!;

    /// <summary>The uploader (its live status).</summary>
    public SpoolUploader Uploader { get; }

    /// <summary>The spool.</summary>
    public EdgeSpool Spool { get; }

    /// <summary>The calling AE titles accepted (the cloud's device list or the local one).</summary>
    public DeviceAllowList Devices { get; }

    /// <summary>Opens the spool, binds the SCP and starts the uploader.</summary>
    public static EdgeService Start(EdgeOptions options, Action<string> log)
    {
        // Certificates first: a bad one stops the start before anything is logged as running.
        var tls = options.TlsCertificate is { } pfx ? X509CertificateLoader.LoadPkcs12FromFile(pfx, Environment.GetEnvironmentVariable("IMAGING_EDGE_TLS_PASSWORD")) : null;
        var spool = new EdgeSpool(options.Spool);
        if (spool.RemoveStaleParts() is > 0 and var stale)
            log($"edge: removed {stale} partial file(s) of receives or batches cut short (never acknowledged)");
        HttpClient http;
        try
        {
            http = CreateHttpClient(options);
        }
        catch
        {
            tls?.Dispose();
            throw;
        }
        var uploader = new SpoolUploader(spool, http, options, log);
        DeviceAllowList devices;
        try
        {
            devices = CreateAllowList(options, spool, http, log);
        }
        catch
        {
            http.Dispose();
            tls?.Dispose();
            throw;
        }
        var store = new SpoolStoreHandler(spool, uploader.Nudge);
        var server = new DicomServer(new DicomServerOptions
        {
            AeTitle = options.AeTitle,
            IsCallingAeAllowed = devices.IsAllowed,
            TlsCertificate = tls,
            Log = log,
        }, store);
        try
        {
            server.Start(new IPEndPoint(options.Bind, options.Port));
        }
        catch
        {
            store.Dispose();
            http.Dispose();
            tls?.Dispose();
            throw;
        }
        var service = new EdgeService(server, store, http, tls, uploader, spool, devices);
        service._uploading = Task.Run(() => uploader.RunAsync(service._stopping.Token));
        service._refreshingDevices = Task.Run(() => devices.RunAsync(options.DeviceRefreshInterval, service._stopping.Token));
        return service;
    }

    /// <summary>Ends when the uploader ends (on dispose); lets a command wait on the service.</summary>
    public Task Completion => _uploading;

    /// <summary>Stops receiving (open associations are aborted: their unacknowledged instances are the sender's), then the uploader.</summary>
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _store.Dispose();
        await _stopping.CancelAsync();
        await _uploading;
        await _refreshingDevices;
        _stopping.Dispose();
        _http.Dispose();
        _tls?.Dispose();
    }

    private static DeviceAllowList CreateAllowList(EdgeOptions options, EdgeSpool spool, HttpClient http, Action<string> log)
    {
        if (options.DeviceListFromCloud)
            return DeviceAllowList.FromCloudList(spool.Root, http, options.Clock, log);
        var allowed = options.AllowedCallingAeTitles;
        if (allowed is null)
            log("edge: --allow '*': every calling AE title is accepted");
        else if (allowed.Count == 0)
            log("edge: WARNING: the allow-list is empty, so every association is refused; register the devices in the cloud (./imaging admin device add) or give --allow AE1,AE2 or --allow-file");
        else
            log($"edge: calling AE titles allowed (local list, not the cloud's): {string.Join(", ", allowed.Order(StringComparer.Ordinal))}");
        return DeviceAllowList.FromLocalList(spool.Root, allowed, options.Clock, log);
    }

    private static HttpClient CreateHttpClient(EdgeOptions options) =>
        Upload.CloudHttpClient.Create(options.Cloud, options.Token, options.CaCertificate);
}
