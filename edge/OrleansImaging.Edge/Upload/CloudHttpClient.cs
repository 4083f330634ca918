using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

namespace OrleansImaging.Edge.Upload;

/// <summary>The HTTP client the edge and the upload client talk to the cloud with.</summary>
internal static class CloudHttpClient
{
    /// <summary>
    /// A client of <paramref name="cloud"/> that presents <paramref name="token"/>. With <paramref name="caCertificate"/>
    /// it trusts exactly that certificate (a self-signed cloud, as <c>curl --cacert</c> does with one), else the system's roots.
    /// </summary>
    public static HttpClient Create(Uri cloud, string token, string? caCertificate)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(15) };
        if (caCertificate is { } path)
        {
            var pinned = X509CertificateLoader.LoadCertificateFromFile(path).GetCertHashString();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == pinned;
        }
        var client = new HttpClient(handler) { BaseAddress = cloud, Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
