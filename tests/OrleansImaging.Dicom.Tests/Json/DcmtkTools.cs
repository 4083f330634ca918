using System.Diagnostics;

namespace OrleansImaging.Dicom.Tests.Json;

/// <summary>Runs dcmtk's command-line tools (dcm2json, dcmodify) as the oracle for our output.</summary>
internal static class DcmtkTools
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static bool IsInstalled(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));

    public static async Task<Result> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>dcm2json in compact form: whitespace is not what is being compared.</summary>
    public static Task<Result> Dcm2JsonAsync(string path) => RunAsync("dcm2json", "-fc", path);

    /// <summary>A temporary copy of <paramref name="path"/> changed by dcmodify with the given arguments.</summary>
    public static async Task<string> ModifiedCopyAsync(string path, IEnumerable<string[]> changes)
    {
        var copy = Path.Combine(Path.GetTempPath(), $"oracle-{Guid.NewGuid():N}.dcm");
        File.Copy(path, copy);
        var arguments = new List<string> { "-nb", "-q" };
        foreach (var change in changes)
            arguments.AddRange(change);
        arguments.Add(copy);
        var result = await RunAsync("dcmodify", [.. arguments]);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"dcmodify failed on {path}: {result.StandardError}");
        return copy;
    }
}
