using System.Diagnostics;
using System.ComponentModel;

namespace OrleansImaging.Dicom.Tests.IO;

/// <summary>Runs a command-line peer (dcmtk, dicom3tools) with a timeout and captures its output.</summary>
internal static class ExternalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Result> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // dcmtk looks its dictionary up through DCMDICTPATH; the Debian default is fine, but a
        // stray value from the environment must not change what the tests compare.
        start.Environment.Remove("DCMDICTPATH");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"'{tool}' could not be run ({ex.Message}). Install it: dcmtk provides dcmdump, dicom3tools provides dciodvfy (apt-get install dcmtk dicom3tools).");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{tool} {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s.");
            }
            return new Result(process.ExitCode, await stdout, await stderr);
        }
    }
}
