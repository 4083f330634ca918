using System.Diagnostics;

namespace OrleansImaging.Api.Tests.LoadTests;

/// <summary>
/// <c>./imaging bench ingest</c> end to end, small: it starts the api as a process, creates a tenant and token through
/// /admin, stores a synthetic CT corpus by STOW-RS and verifies every instance (STOW responses and QIDO counts).
/// Asserts the verification, not the speed (the machine is shared).
/// </summary>
public sealed class IngestBenchmarkTests : IDisposable
{
    private readonly string _corpus = Directory.CreateTempSubdirectory("imaging-ingest-corpus-").FullName;

    [Fact]
    public async Task IngestBench_FortyInstancesTwoClients_EveryInstanceVerifiedAndExitCodeZero()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { BenchPath(), "ingest", "--quick", "--instances", "40", "--clients", "2" })
            start.ArgumentList.Add(argument);
        start.Environment["IMAGING_SYNTHETIC_CORPUS"] = _corpus;
        using var bench = Process.Start(start)!;
        var output = bench.StandardOutput.ReadToEndAsync();
        var errors = bench.StandardError.ReadToEndAsync();
        try
        {
            await bench.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        finally
        {
            if (!bench.HasExited)
                bench.Kill(entireProcessTree: true); // the bench and the api it started
        }

        var printed = await output;
        Assert.True(bench.ExitCode == 0, $"exit code {bench.ExitCode}\n{printed}\n{await errors}");
        Assert.Contains("STOW responses referenced 40 of 40 instances (0 failed); QIDO counts 40 of 40 in 2 studies: OK", printed, StringComparison.Ordinal);
        Assert.Contains("| 2 | 10 | 40 |", printed, StringComparison.Ordinal);
    }

    private static string BenchPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansImaging.sln")))
            {
                var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
                return Path.Combine(dir.FullName, "loadtests", "OrleansImaging.LoadTests", "bin", configuration, "net10.0", "OrleansImaging.LoadTests.dll");
            }
        }
        throw new InvalidOperationException("OrleansImaging.sln not found above the test binaries.");
    }

    public void Dispose() => Directory.Delete(_corpus, recursive: true);
}
