namespace OrleansImaging.Dicom.Tests.Json;

/// <summary>
/// The corpus the JSON tests read: IMAGING_CORPUS, else the repository's .corpus (see
/// <see cref="TestCorpus"/>), else the main checkout's, which other worktrees of this repository share.
/// </summary>
internal static class OracleCorpus
{
    public static string Root => TestCorpus.Root;

    public static IEnumerable<string> AllFiles() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);
}
