namespace OrleansImaging.Dicom.Tests.IO;

/// <summary>The pydicom test corpus: real files from many writers, good and bad.</summary>
internal static class Corpus
{
    public static string Root => TestCorpus.Root;

    /// <summary>Every file under test_files/ and charset_files/, relative to <see cref="Root"/>, sorted.</summary>
    public static IEnumerable<string> Files()
    {
        foreach (var folder in new[] { "test_files", "charset_files" })
        {
            var path = Path.Combine(Root, folder);
            if (!Directory.Exists(path))
                continue;
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                yield return Path.GetRelativePath(Root, file);
        }
    }

    public static TheoryData<string> FileData()
    {
        var data = new TheoryData<string>();
        foreach (var file in Files())
            data.Add(file);
        if (data.Count == 0)
            data.Add("(corpus missing)");
        return data;
    }

    /// <summary>Opens a corpus file; null when it is not DICOM (our reader refuses it).</summary>
    public static DicomFile? TryOpen(string relativePath)
    {
        var path = Path.Combine(Root, relativePath);
        Assert.True(File.Exists(path), $"The corpus is missing at {Root}; fetch it (see the imaging entry point) or set IMAGING_CORPUS.");
        try
        {
            return DicomFile.Open(path);
        }
        catch (DicomException)
        {
            return null;
        }
    }
}
