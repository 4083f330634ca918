using System.Diagnostics;

namespace OrleansImaging.Api.Tests.Peers;

/// <summary>
/// The benchmarks' synthetic CT corpus (written by <c>loadtests … synthetic-corpus</c>, which <c>./imaging test</c> runs
/// first) must be DICOM a real reader takes without complaint: its v1 wrote the Procedure Code Sequence (0008,1032)
/// after (0008,1090), and every dcmtk tool warned "Dataset not in ascending tag order" on every file the benchmarks sent.
/// </summary>
public sealed class SyntheticCorpusTests
{
    [Fact]
    public async Task GeneratedSlices_DcmdumpReadsThemWithoutAWarningOrError()
    {
        var study = Path.Combine(PydicomCorpus.Root, "..", "synthetic-ct", "ct-100-in-1-studies-v2", "study000");
        Assert.True(Directory.Exists(study), $"the synthetic CT corpus is missing at {study}: run ./imaging test, which generates it");
        var files = Directory.EnumerateFiles(study, "*.dcm").Order(StringComparer.Ordinal).Take(3).ToList();
        Assert.Equal(3, files.Count);
        foreach (var file in files)
        {
            var start = new ProcessStartInfo("dcmdump") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(file);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.Equal(0, process.ExitCode);
            Assert.Equal("", errors.Trim());
            Assert.Contains("(0008,1032) SQ", await output, StringComparison.Ordinal); // the sequence that was out of order is there
        }
    }
}
