using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

/// <summary>DICOM over TLS: dcmtk's echoscu and our requestor against our acceptor with a self-signed certificate.</summary>
public sealed class DicomTlsTests : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly string _folder = Directory.CreateTempSubdirectory("dimse-tls-").FullName;

    public DicomTlsTests()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // A certificate loaded from PKCS#12 keeps its private key usable by the TLS stack on every platform.
        _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        CertificatePath = Path.Combine(_folder, "server.pem");
        File.WriteAllText(CertificatePath, _certificate.ExportCertificatePem());
    }

    private string CertificatePath { get; }

    private TestServer StartServer() => new(log => new DicomServerOptions { AeTitle = "EDGE", Log = log, TlsCertificate = _certificate });

    [Fact]
    public async Task Echoscu_AnonymousTlsTrustingOurCertificate_Succeeds()
    {
        await using var server = StartServer();

        var echo = await DcmtkTool.RunAsync("echoscu", ["+tla", "+cf", CertificatePath, "-aet", "TESTSCU", "-aec", "EDGE", "127.0.0.1", server.PortText]);

        Assert.True(echo.ExitCode == 0, echo.Output);
    }

    [Fact]
    public async Task StoreFileAsync_OverTls_ArrivesByteForByte()
    {
        await using var server = StartServer();
        var path = TestCorpus.TestFile("CT_small.dcm");
        var options = new DicomClientOptions
        {
            CallingAeTitle = "TESTSCU",
            CalledAeTitle = "EDGE",
            Tls = new SslClientAuthenticationOptions
            {
                // Pinned: the test's self-signed certificate and nothing else.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == _certificate.GetCertHashString(),
            },
        };

        await using (var association = await DicomClientAssociation.ConnectAsync("127.0.0.1", server.Port, options, await DicomPresentationContextProposal.ForFilesAsync([path], CancellationToken.None), CancellationToken.None))
        {
            Assert.Equal(DicomStatus.Success, (await association.StoreFileAsync(path, CancellationToken.None)).Status);
            await association.ReleaseAsync(CancellationToken.None);
        }

        var layout = await DicomPart10Layout.ReadAsync(path, CancellationToken.None);
        Assert.Equal(await DcmtkTool.DataSetBytesAsync(path), await DcmtkTool.DataSetBytesAsync(server.Files.PathFor(layout.SopInstanceUid)));
    }

    [Fact]
    public async Task PlainEchoscuOnTheTlsPort_FailsAndTheListenerGoesOn()
    {
        await using var server = StartServer();

        var plain = await DcmtkTool.RunAsync("echoscu", ["-to", "10", "-aet", "TESTSCU", "-aec", "EDGE", "127.0.0.1", server.PortText]);

        Assert.NotEqual(0, plain.ExitCode);
        await server.WaitIdleAsync();
        Assert.Contains(server.Log, l => l.StartsWith("DICOM 127.0.0.1:", StringComparison.Ordinal) && l.Contains("TLS handshake failed", StringComparison.Ordinal));
        var secure = await DcmtkTool.RunAsync("echoscu", ["+tla", "+cf", CertificatePath, "-aet", "TESTSCU", "-aec", "EDGE", "127.0.0.1", server.PortText]);
        Assert.True(secure.ExitCode == 0, secure.Output);
    }

    public void Dispose()
    {
        _certificate.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
