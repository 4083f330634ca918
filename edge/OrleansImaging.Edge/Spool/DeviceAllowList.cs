using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Edge.Spool;

/// <summary>A device the edge accepts associations from, as the cloud sends it (<c>GET /edge/devices</c>).</summary>
/// <param name="AeTitle">Its calling AE title (no leading or trailing spaces).</param>
/// <param name="DisplayName">What people call it.</param>
/// <param name="Modality">The modality it produces, if registered.</param>
/// <param name="Host">The IP address it must connect from, or null for any.</param>
internal sealed record EdgeDevice(string AeTitle, string? DisplayName = null, string? Modality = null, string? Host = null);

/// <summary>
/// What <c>devices.json</c> (the cloud's list) or <c>devices-local.json</c> (an <c>--allow</c> list) in the spool holds;
/// <c>./imaging edge status</c> reads it.
/// </summary>
/// <param name="Source">"cloud", "--allow" or "--allow '*'".</param>
/// <param name="TenantId">The tenant the cloud list is of.</param>
/// <param name="FetchedAt">When the list was last fetched from the cloud (null: never, or a local list).</param>
/// <param name="LastAttemptAt">When the edge last asked the cloud.</param>
/// <param name="LastError">Why the last attempt failed, while it is failing.</param>
/// <param name="Devices">The devices; null before any list was fetched, or for <c>--allow '*'</c>.</param>
internal sealed record DeviceListFile(string Source, string? TenantId, DateTimeOffset? FetchedAt, DateTimeOffset? LastAttemptAt, string? LastError, IReadOnlyList<EdgeDevice>? Devices);

/// <summary>
/// The calling AE titles the edge accepts. By default the hospital's devices registered in the cloud: fetched at start
/// and every <see cref="EdgeOptions.DeviceRefreshInterval"/>, kept in the spool's <c>devices.json</c> so an edge
/// restarted while the cloud is unreachable keeps the last list it had; before any list was ever fetched every
/// association is refused. <c>--allow</c>/<c>--allow-file</c> replace it with a fixed local list.
/// </summary>
internal sealed class DeviceAllowList
{
    /// <summary>The cloud's list in the spool.</summary>
    public const string FileName = "devices.json";

    /// <summary>The local list's record in the spool (status only; the flags are the truth).</summary>
    public const string LocalFileName = "devices-local.json";

    private const string CloudSource = "cloud";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly string _file;
    private readonly HttpClient? _http;
    private readonly TimeProvider _clock;
    private readonly Action<string> _log;
    private readonly object _gate = new();
    private DeviceListFile _list;
    private Dictionary<string, EdgeDevice>? _byAeTitle;

    private DeviceAllowList(string file, HttpClient? http, TimeProvider clock, Action<string> log, DeviceListFile list)
    {
        _file = file;
        _http = http;
        _clock = clock;
        _log = log;
        _list = list;
        _byAeTitle = Index(list.Devices);
    }

    /// <summary>Whether the list comes from the cloud (and is refreshed).</summary>
    public bool FromCloud => _http is not null;

    /// <summary>The list as it stands.</summary>
    public DeviceListFile Current
    {
        get
        {
            lock (_gate)
                return _list;
        }
    }

    /// <summary>
    /// The cloud's list, starting from the spool's <c>devices.json</c> if an earlier run fetched one (an edge restarted
    /// while the cloud is down keeps accepting its devices). <see cref="RunAsync"/> then keeps it fresh.
    /// </summary>
    public static DeviceAllowList FromCloudList(string spoolRoot, HttpClient http, TimeProvider clock, Action<string> log)
    {
        var file = Path.Combine(spoolRoot, FileName);
        // A local list of an earlier run no longer applies; the status must not show it.
        File.Delete(Path.Combine(spoolRoot, LocalFileName));
        var saved = Read(file) is { Source: CloudSource } kept ? kept : new DeviceListFile(CloudSource, null, null, null, null, null);
        if (saved.Devices is { } devices)
            log(string.Create(CultureInfo.InvariantCulture, $"edge: {devices.Count} device(s) from the cloud list fetched {saved.FetchedAt:u} (devices.json), until the cloud answers"));
        else
            log("edge: no device list from the cloud yet: every association is refused until the first one arrives");
        return new DeviceAllowList(file, http, clock, log, saved);
    }

    /// <summary>
    /// A fixed local list (<c>--allow</c>, <c>--allow-file</c>): <paramref name="aeTitles"/>, or every calling AE title
    /// when null. Recorded in the spool for <c>./imaging edge status</c>; the cloud's <c>devices.json</c> is kept for a
    /// later start without the flags.
    /// </summary>
    public static DeviceAllowList FromLocalList(string spoolRoot, IReadOnlySet<string>? aeTitles, TimeProvider clock, Action<string> log)
    {
        var list = new DeviceListFile(aeTitles is null ? "--allow '*'" : "--allow", null, null, null, null,
            aeTitles?.Order(StringComparer.Ordinal).Select(title => new EdgeDevice(title)).ToList());
        var file = Path.Combine(spoolRoot, LocalFileName);
        DirectorySync.WriteAllBytes(file, JsonSerializer.SerializeToUtf8Bytes(list, Json));
        return new DeviceAllowList(file, null, clock, log, list);
    }

    /// <summary>
    /// Whether the association <paramref name="peer"/> asks for may go on: its calling AE title is on the list and, for a
    /// device registered with a host, it connects from that address. A refusal is logged with the peer's address.
    /// </summary>
    public bool IsAllowed(DicomAssociationPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        Dictionary<string, EdgeDevice>? devices;
        DeviceListFile list;
        lock (_gate)
        {
            devices = _byAeTitle;
            list = _list;
        }
        var from = Address(peer.RemoteEndPoint);
        string? why;
        if (devices is null)
        {
            why = list.Source == CloudSource ? "no device list has been fetched from the cloud yet" : null;
        }
        else if (!devices.TryGetValue(peer.CallingAeTitle, out var device))
        {
            why = list.Source == CloudSource ? "not a device registered in the cloud" : "not on the --allow list";
        }
        else if (device.Host is { } host && !SameAddress(host, from))
        {
            why = $"device '{device.AeTitle}' is registered for host {host}";
        }
        else
        {
            why = null;
        }
        if (why is null)
            return true;
        _log($"edge: association from calling AE '{peer.CallingAeTitle}' at {from?.ToString() ?? "an unknown address"} refused: {why}");
        return false;
    }

    /// <summary>Asks the cloud for the list every <paramref name="interval"/> until <paramref name="cancellationToken"/> fires (a cloud list only).</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        if (_http is null)
            return;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever went wrong, the next refresh comes: a dead refresh loop would freeze the list silently.
                _log($"edge: device list refresh failed: {ex.GetType().Name}: {ex.Message}");
            }
            try
            {
                await Task.Delay(interval, _clock, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Fetches the list once; on success it replaces the one in use and <c>devices.json</c>. A failure keeps the list
    /// in use (an unreachable cloud must not lock the hospital's modalities out) and is logged once per change of reason.
    /// </summary>
    /// <returns>Whether a list was fetched.</returns>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        if (_http is null)
            return false;
        var attempt = _clock.GetUtcNow();
        string error;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RequestTimeout);
            using var response = await _http.GetAsync("edge/devices", timeout.Token);
            if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<CloudDeviceList>(Json, timeout.Token) is { Devices: { } devices } body)
            {
                var valid = devices.Where(d => d is { AeTitle.Length: > 0 }).ToList();
                Replace(new DeviceListFile(CloudSource, body.TenantId, attempt, attempt, null, valid));
                return true;
            }
            error = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => "the cloud refused the token (401)",
                HttpStatusCode.Forbidden => "the token may not read the device list (403): it needs dicomweb:write",
                HttpStatusCode.NotFound => "the cloud does not know the token's tenant or has no device list (404)",
                _ when response.IsSuccessStatusCode => "the cloud's answer has no device list",
                _ => string.Create(CultureInfo.InvariantCulture, $"the cloud answered {(int)response.StatusCode}"),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or IOException or NotSupportedException)
        {
            error = ex is OperationCanceledException ? "the cloud did not answer in time" : $"the cloud is unreachable ({ex.Message})";
        }
        DeviceListFile previous;
        lock (_gate)
            previous = _list;
        if (previous.LastError != error)
        {
            _log(previous.Devices is { } kept
                ? string.Create(CultureInfo.InvariantCulture, $"edge: device list not refreshed: {error}; still using the {kept.Count} device(s) fetched {previous.FetchedAt:u}")
                : $"edge: device list not fetched: {error}; every association is refused until it is");
        }
        Replace(previous with { LastAttemptAt = attempt, LastError = error });
        return false;
    }

    /// <summary>The list recorded in the spool at <paramref name="spoolRoot"/> for <c>edge status</c>: the local one if the last start had flags, else the cloud's.</summary>
    public static DeviceListFile? ReadFromSpool(string spoolRoot) =>
        Read(Path.Combine(spoolRoot, LocalFileName)) ?? Read(Path.Combine(spoolRoot, FileName));

    /// <summary>One line for <c>./imaging edge status</c>.</summary>
    public static string Describe(DeviceListFile? list, DateTimeOffset now)
    {
        var ci = CultureInfo.InvariantCulture;
        if (list is null)
            return "devices:   no list in the spool (an edge never started on it, or started before devices were kept)";
        if (list.Source != CloudSource)
            return list.Devices is { } titles
                ? string.Create(ci, $"devices:   {titles.Count} calling AE title(s) from {list.Source} (local list, not the cloud's)")
                : "devices:   every calling AE title (--allow '*')";
        var text = list.Devices is { } devices
            ? string.Create(ci, $"devices:   {devices.Count} device(s) from the cloud{(list.TenantId is { } t ? $" (tenant {t})" : "")}, last refreshed {list.FetchedAt:u} ({Math.Max(0, (now - list.FetchedAt!.Value).TotalSeconds):F0} s ago)")
            : "devices:   none yet: no list was ever fetched from the cloud, every association is refused";
        return list.LastError is { } error ? $"{text}\ndevice list error: {error}" : text;
    }

    private void Replace(DeviceListFile list)
    {
        var changed = false;
        lock (_gate)
        {
            changed = !SameDevices(_list.Devices, list.Devices);
            _list = list;
            _byAeTitle = Index(list.Devices);
        }
        if (changed && list.Devices is { } devices)
            _log(string.Create(CultureInfo.InvariantCulture, $"edge: device list from the cloud: {(devices.Count == 0 ? "none registered, every association is refused" : string.Join(", ", devices.Select(d => d.Host is null ? d.AeTitle : $"{d.AeTitle}@{d.Host}")))}"));
        try
        {
            DirectorySync.WriteAllBytes(_file, JsonSerializer.SerializeToUtf8Bytes(list, Json));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The list in memory is in use either way; only a restart without the cloud would miss it.
            _log($"edge: could not save {Path.GetFileName(_file)}: {ex.Message}");
        }
    }

    private static bool SameDevices(IReadOnlyList<EdgeDevice>? a, IReadOnlyList<EdgeDevice>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b);

    private static Dictionary<string, EdgeDevice>? Index(IReadOnlyList<EdgeDevice>? devices)
    {
        if (devices is null)
            return null;
        var index = new Dictionary<string, EdgeDevice>(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            // A devices.json edited by hand may hold anything: an entry without an AE title admits nobody.
            if (device is { AeTitle.Length: > 0 })
                index[device.AeTitle.Trim(' ')] = device;
        }
        return index;
    }

    private static IPAddress? Address(EndPoint? endPoint) => endPoint is IPEndPoint ip
        ? ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address
        : null;

    private static bool SameAddress(string host, IPAddress? from)
    {
        if (from is null || !IPAddress.TryParse(host, out var registered))
            return false;
        if (registered.IsIPv4MappedToIPv6)
            registered = registered.MapToIPv4();
        return registered.Equals(from);
    }

    private static DeviceListFile? Read(string file)
    {
        if (!File.Exists(file))
            return null;
        try
        {
            return JsonSerializer.Deserialize<DeviceListFile>(File.ReadAllBytes(file), Json);
        }
        catch (Exception ex) when (ex is JsonException or IOException or NotSupportedException)
        {
            // Written by rename, so never torn; an unreadable one (edited by hand) counts as absent.
            return null;
        }
    }

    private sealed record CloudDeviceList(string? TenantId, IReadOnlyList<EdgeDevice>? Devices);
}
