using System.Diagnostics;
using System.Text.Json.Nodes;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Dicom.Tests.Cli;

/// <summary>`./imaging dicom json|dump` run as people run them: a separate process, stdout and exit code.</summary>
public sealed class CliTests
{
    private static string CliPath =>
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "tools", "OrleansImaging.Cli", "bin",
            new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "OrleansImaging.Cli.dll"));

    [Theory]
    [InlineData("test_files/CT_small.dcm")]
    [InlineData("test_files/rtplan.dcm")]
    [InlineData("charset_files/chrX2.dcm")]
    public async Task Json_CorpusFile_EqualsTheLibrarysJson(string file)
    {
        var path = Path.Combine(TestCorpus.Root, file);

        var (exitCode, stdout, stderr) = await RunAsync("dicom", "json", path);

        Assert.True(exitCode == 0, stderr);
        var expected = JsonNode.Parse(DicomJson.Serialize(DicomFile.Open(path).Dataset));
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(stdout)), $"CLI JSON differs from the library's for {file}");
    }

    [Fact]
    public async Task Dump_NestedSequence_IndentsItems()
    {
        var (exitCode, stdout, _) = await RunAsync("dicom", "dump", TestCorpus.TestFile("nested_priv_SQ.dcm"));

        Assert.Equal(0, exitCode);
        var lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("(0001,0001) SQ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  (fffe,e000) na", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(lines, l => l.StartsWith("        (0001,0001) UN", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_NotDicom_FailsWithOneLineAndNoStackTrace()
    {
        var (exitCode, stdout, stderr) = await RunAsync("dicom", "json", TestCorpus.TestFile("README.txt"));

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("Not DICOM", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        Assert.True(File.Exists(CliPath), $"The CLI is not built at {CliPath}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(CliPath);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
