namespace OrleansImaging.Api.Tests.Peers;

/// <summary>The pydicom test corpus (Debian's python3-pydicom), fetched by <c>./imaging test</c> into .corpus/ or named by IMAGING_CORPUS.</summary>
internal static class PydicomCorpus
{
    public static string Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable("IMAGING_CORPUS") is { Length: > 0 } configured)
                return configured;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, ".corpus", "pydicom");
                if (Directory.Exists(candidate))
                    return candidate;
            }
            throw new InvalidOperationException("The pydicom corpus is missing: run ./imaging test (or ./imaging corpus), or set IMAGING_CORPUS.");
        }
    }

    public static string TestFile(string name) => Path.Combine(Root, "test_files", name);

    /// <summary>Every file of test_files and charset_files, as paths relative to the root with '/', in a stable order.</summary>
    public static IReadOnlyList<string> AllFiles() =>
    [
        .. new[] { "test_files", "charset_files" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Root, folder), "*", SearchOption.AllDirectories))
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal),
    ];
}
