using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansImaging.Api.Hosting;

/// <summary>
/// The TLS certificate of the embedded default: generated once into the data directory (ECDSA
/// P-256, valid two years for 127.0.0.1, ::1 and localhost) and reused on every later start, so
/// clients that pinned it keep working. The file is readable by its owner only; a real deployment
/// configures its own certificate instead.
/// </summary>
public static class SelfSignedCertificate
{
    /// <summary>The file name inside the data directory's <c>tls</c> folder.</summary>
    public const string FileName = "server.pfx";

    /// <summary>The public certificate (PEM) the host writes beside it on every start, for clients to pin.</summary>
    public const string PemFileName = "server.crt";

    /// <summary>Loads the certificate from <paramref name="dataDirectory"/>, creating it on first use.</summary>
    public static X509Certificate2 LoadOrCreate(string dataDirectory, TimeProvider time)
    {
        var folder = Path.Combine(dataDirectory, "tls");
        var path = Path.Combine(folder, FileName);
        if (File.Exists(path))
        {
            var existing = X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
            if (existing.NotAfter > time.GetUtcNow().UtcDateTime.AddDays(1))
                return existing;
            existing.Dispose();
        }
        Directory.CreateDirectory(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=OrleansImaging embedded default", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = time.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(2));
        var pfx = created.Export(X509ContentType.Pkcs12);
        var temporary = path + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // the private key: owner only
        using (var file = new FileStream(temporary, fileOptions))
        {
            file.Write(pfx);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        return X509CertificateLoader.LoadPkcs12(pfx, password: null);
    }
}
