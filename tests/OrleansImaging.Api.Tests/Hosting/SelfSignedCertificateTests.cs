using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using OrleansImaging.Api.Hosting;

namespace OrleansImaging.Api.Tests.Hosting;

public sealed class SelfSignedCertificateTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-cert-").FullName;

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void LoadOrCreate_FirstStart_CreatesLoopbackCertificateReadableByOwnerOnly()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));

        using var certificate = SelfSignedCertificate.LoadOrCreate(_data, time);

        Assert.True(certificate.HasPrivateKey);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains(System.Net.IPAddress.Loopback, names.EnumerateIPAddresses());
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.Equal(new DateTime(2028, 11, 25, 8, 0, 0, DateTimeKind.Utc), certificate.NotAfter.ToUniversalTime());
        var mode = File.GetUnixFileMode(Path.Combine(_data, "tls", SelfSignedCertificate.FileName));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public void LoadOrCreate_SecondStart_ReusesTheSameCertificate()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        using var first = SelfSignedCertificate.LoadOrCreate(_data, time);
        time.Advance(TimeSpan.FromDays(30));

        using var second = SelfSignedCertificate.LoadOrCreate(_data, time);

        Assert.Equal(first.Thumbprint, second.Thumbprint);
    }

    [Fact]
    public void LoadOrCreate_NearExpiry_RenewsIt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        using var first = SelfSignedCertificate.LoadOrCreate(_data, time);
        time.Advance(TimeSpan.FromDays(2 * 365));

        using var second = SelfSignedCertificate.LoadOrCreate(_data, time);

        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
