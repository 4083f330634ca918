using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

namespace OrleansImaging.Api.Tests.Hosting;

/// <summary>
/// `./imaging admin …` against the api as `./imaging start` runs it (a process on loopback HTTPS), and a second start
/// on the same data directory that still knows what the first one stored.
/// </summary>
public sealed class AdminCliProcessTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-admin-cli-").FullName;

    [Fact]
    public async Task AdminCommands_RunningInstance_PrintCreatedThingsLastAndTheTokenSurvivesARestart_S6_2_S2_5()
    {
        var url = $"https://127.0.0.1:{ApiFactory.FreePort()}";
        string token;
        using (await ApiInstance.StartAsync(_data, url))
        {
            var tenant = await RunCliAsync(url, "admin", "tenant", "create", "cli-hospital", "--name", "CLI \"Hospital\"");
            var user = await RunCliAsync(url, "admin", "user", "create", "--tenant", "cli-hospital", "--role", "chief", "wang");
            var created = await RunCliAsync(url, "admin", "token", "create", "--tenant", "cli-hospital", "--scope", "dicomweb:read", "--scope", "dicomweb:write");

            Assert.Equal("cli-hospital", LastLine(tenant));
            Assert.Matches("^[A-Za-z0-9]{24}$", LastLine(user));
            token = LastLine(created);
            Assert.Matches("^oit_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$", token);
            Assert.Equal(HttpStatusCode.OK, await GetTenantStatusAsync(url, token));
        }

        var keyBefore = await File.ReadAllTextAsync(Path.Combine(_data, OrleansImaging.Api.Hosting.AdminKey.FileName));
        using (await ApiInstance.StartAsync(_data, url))
        {
            Assert.Equal(HttpStatusCode.OK, await GetTenantStatusAsync(url, token));
            Assert.NotEqual(keyBefore, await File.ReadAllTextAsync(Path.Combine(_data, OrleansImaging.Api.Hosting.AdminKey.FileName)));
        }
    }

    [Fact]
    public async Task AdminCommand_NoInstanceOnThisData_FailsWithAMessage()
    {
        var result = await RunCliProcessAsync($"https://127.0.0.1:{ApiFactory.FreePort()}", "admin", "tenant", "create", "x", "--name", "X");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("is the instance running", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    private async Task<HttpStatusCode> GetTenantStatusAsync(string url, string token)
    {
        var pinned = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_data, "tls", "server.crt"));
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == pinned.Thumbprint,
        };
        using var client = new HttpClient(handler);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetAsync($"{url}/tenants/cli-hospital")).StatusCode;
    }

    private async Task<string> RunCliAsync(string url, params string[] args)
    {
        var result = await RunCliProcessAsync(url, args);
        Assert.True(result.ExitCode == 0, $"./imaging {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}");
        return result.Output;
    }

    private async Task<(int ExitCode, string Output, string Error)> RunCliProcessAsync(string url, params string[] args)
    {
        var api = ApiProcessTests.ApiPath();
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(api)!, "..", "..", "..", ".."));
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "imaging"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["IMAGING_DATA"] = _data;
        start.Environment["IMAGING_URLS"] = url;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private static string LastLine(string output) => output.TrimEnd('\n').Split('\n')[^1];

    public void Dispose() => Directory.Delete(_data, recursive: true);

    /// <summary>The api process; disposing kills it and waits.</summary>
    private sealed class ApiInstance(Process process) : IDisposable
    {
        public static async Task<ApiInstance> StartAsync(string data, string url)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(ApiProcessTests.ApiPath());
            start.Environment["IMAGING_DATA"] = data;
            start.Environment["IMAGING_URLS"] = url;
            start.Environment["Imaging__SiloPort"] = ApiFactory.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var process = Process.Start(start)!;
            // The host prints this line once Kestrel and the silo are both up.
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("OrleansImaging listening on", StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    _ = process.StandardError.ReadToEndAsync();
                    return new ApiInstance(process);
                }
            }
            throw new InvalidOperationException("The api exited before it was ready: " + await process.StandardError.ReadToEndAsync());
        }

        public void Dispose()
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }
}
