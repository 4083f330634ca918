namespace OrleansImaging.Dicom.Tests.IO;

/// <summary>A folder for files a test class writes, removed when the class is done.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("orleansimaging-writer-").FullName;

    public string Path { get; }

    /// <summary>A file name in the folder for a corpus file (its relative path flattened).</summary>
    public string For(string relativePath, string suffix = "") =>
        System.IO.Path.Combine(Path, relativePath.Replace('/', '_').Replace('\\', '_') + suffix);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
