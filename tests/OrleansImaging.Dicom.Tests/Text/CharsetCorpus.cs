namespace OrleansImaging.Dicom.Tests.Text;

/// <summary>Locates the pydicom character set sample files used by the charset tests.</summary>
internal static class CharsetCorpus
{
    /// <summary>The charset_files folder under IMAGING_CORPUS, or under the developer checkout when unset.</summary>
    public static string Directory =>
        Path.Combine(TestCorpus.Root, "charset_files");

    /// <summary>Reads one sample file; fails with the path when the corpus is missing.</summary>
    public static byte[] Read(string fileName)
    {
        var path = Path.Combine(Directory, fileName);
        Assert.True(File.Exists(path), $"Corpus file {path} is missing; set IMAGING_CORPUS to the pydicom corpus.");
        return File.ReadAllBytes(path);
    }
}
