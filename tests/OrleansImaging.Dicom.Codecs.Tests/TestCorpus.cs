using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Codecs.Tests;

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

    /// <summary>
    /// The file names of every corpus object our managed reader sees as encapsulated (compressed) pixel
    /// data, chosen by reading the corpus rather than listed by hand, so a new corpus file is covered.
    /// </summary>
    public static IEnumerable<string> CompressedImages() =>
        Directory.EnumerateFiles(Path.Combine(Root, "test_files"))
            .Where(IsCompressedImage)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

    /// <summary>Every corpus object with Pixel Data and an image description, native or compressed.</summary>
    public static IEnumerable<string> Images() =>
        Directory.EnumerateFiles(Path.Combine(Root, "test_files"))
            .Where(IsImage)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

    private static bool IsImage(string path)
    {
        try
        {
            var header = DicomFile.Open(path, DicomReadOptions.HeaderOnly);
            return header.StoppedAtOffset is not null && header.Dataset.Contains(DicomTag.Rows);
        }
        catch (DicomException)
        {
            return false;
        }
    }

    private static bool IsCompressedImage(string path)
    {
        try
        {
            var header = DicomFile.Open(path, DicomReadOptions.HeaderOnly);
            return header.TransferSyntax.IsEncapsulated && header.StoppedAtOffset is not null && header.Dataset.Contains(DicomTag.Rows);
        }
        catch (DicomException)
        {
            return false;
        }
    }
}
