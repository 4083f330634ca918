namespace OrleansImaging.Dicom.Tests;

/// <summary>The pydicom test corpus (Debian's python3-pydicom), fetched by ./imaging test into .corpus/.</summary>
internal static class TestCorpus
{
    public static string Root
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("IMAGING_CORPUS");
            if (!string.IsNullOrEmpty(configured))
                return configured;
            // Walk up from the test binaries to the repository's .corpus folder.
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, ".corpus", "pydicom");
                if (Directory.Exists(candidate))
                    return candidate;
            }
            throw new InvalidOperationException("The pydicom corpus is missing: run ./imaging test (or ./imaging corpus) to fetch it, or set IMAGING_CORPUS.");
        }
    }

    public static string TestFile(string name) => Path.Combine(Root, "test_files", name);

    public static string CharsetFile(string name) => Path.Combine(Root, "charset_files", name);

    /// <summary>Every file of the corpus (DICOM or not), in a stable order.</summary>
    public static IEnumerable<string> AllFiles() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);
}
