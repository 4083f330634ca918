using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using OrleansImaging.Api.Hosting;

namespace OrleansImaging.Api.Tests.Hosting;

/// <summary>The api as `./imaging start` runs it: a process on loopback HTTPS with its own certificate.</summary>
public sealed class ApiProcessTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-process-").FullName;

    [Fact]
    public async Task Start_TwiceOnTheSameData_ServesHttpsWithTheGeneratedCertificateBothTimes_S2_7()
    {
        var first = await StartAndGetCertificateAsync();
        var second = await StartAndGetCertificateAsync();

        var onDisk = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(_data, "tls", SelfSignedCertificate.FileName), null);
        Assert.Equal(onDisk.Thumbprint, first);
        Assert.Equal(first, second);
    }

    private async Task<string> StartAndGetCertificateAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ApiPath());
        start.Environment["IMAGING_DATA"] = _data;
        start.Environment["IMAGING_URLS"] = $"https://127.0.0.1:{port}";
        start.Environment["Imaging__SiloPort"] = ApiFactory.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        try
        {
            string? thumbprint = null;
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                {
                    thumbprint = certificate?.Thumbprint;
                    return true;
                },
            };
            using var client = new HttpClient(handler);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    var response = await client.GetAsync($"https://127.0.0.1:{port}/healthz");
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.True(response.Headers.Contains("Strict-Transport-Security"));
                    return thumbprint!;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(100);
                }
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    internal static string ApiPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansImaging.sln")))
            {
                var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
                return Path.Combine(dir.FullName, "api", "bin", configuration, "net10.0", "OrleansImaging.Api.dll");
            }
        }
        throw new InvalidOperationException("OrleansImaging.sln not found above the test binaries.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
