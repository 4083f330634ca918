namespace OrleansImaging.Api.Hosting;

/// <summary>Where the embedded default keeps its data and where it listens.</summary>
public sealed class ImagingHostOptions
{
    /// <summary>The configuration section (also filled from IMAGING_DATA / IMAGING_URLS / IMAGING_PUBLIC_URL).</summary>
    public const string Section = "Imaging";

    /// <summary>The data directory: grain state, the query index, blobs, the TLS certificate.</summary>
    /// <value><c>./data</c>, or <c>$IMAGING_DATA</c>.</value>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The URLs to listen on, separated by ';'. Only loopback unless configured otherwise (S2.1).</summary>
    /// <value><c>https://127.0.0.1:8443</c>, or <c>$IMAGING_URLS</c>.</value>
    public string Urls { get; set; } = "https://127.0.0.1:8443";

    /// <summary>
    /// The address clients reach this service at, written into what is stored and answered: BulkDataURIs in the
    /// metadata, Retrieve URLs in STOW-RS responses. Never taken from a request's Host header, which the sender chooses
    /// and which would then be served to every later reader of the metadata (S9.2).
    /// </summary>
    /// <value>Empty: the first of <see cref="Urls"/>; <c>$IMAGING_PUBLIC_URL</c> sets it (e.g. behind a proxy).</value>
    public string PublicUrl { get; set; } = "";

    /// <summary>The DICOMweb base URL built from <see cref="PublicUrl"/> (no trailing slash).</summary>
    public string DicomwebBaseUrl =>
        (PublicUrl.Length > 0 ? PublicUrl : Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "").TrimEnd('/') + "/dicomweb";

    /// <summary>A PFX certificate to serve HTTPS with; when empty, a self-signed one is generated into the data directory.</summary>
    /// <value>Empty.</value>
    public string CertificatePath { get; set; } = "";

    /// <summary>The password of <see cref="CertificatePath"/>, if it has one.</summary>
    /// <value>Empty.</value>
    public string CertificatePassword { get; set; } = "";

    /// <summary>The co-hosted silo's silo-to-silo port (localhost clustering).</summary>
    /// <value>11111.</value>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The co-hosted silo's client gateway port; 0 opens none.</summary>
    /// <value>0: the api calls grains in-process; an open gateway would let any local process in (S2.5).</value>
    public int GatewayPort { get; set; }

    /// <summary>The largest STOW-RS request body accepted; larger requests answer 413.</summary>
    /// <value>8 GiB.</value>
    public long MaxStowRequestBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Checks the options; the host refuses to start with a message naming the bad one.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
            yield return "Imaging:DataDirectory (IMAGING_DATA) must name a directory.";
        foreach (var url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                yield return $"Imaging:Urls (IMAGING_URLS) has '{url}', which is not an http(s) URL.";
        }
        if (PublicUrl.Length > 0 && (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var publicUri) || publicUri.Scheme is not ("https" or "http") || publicUri.Query.Length > 0 || publicUri.Fragment.Length > 0))
            yield return $"Imaging:PublicUrl (IMAGING_PUBLIC_URL) is '{PublicUrl}', which is not an http(s) URL without query or fragment.";
        if (CertificatePath.Length > 0 && !File.Exists(CertificatePath))
            yield return $"Imaging:CertificatePath '{CertificatePath}' does not exist.";
    }
}
