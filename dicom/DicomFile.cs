using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom;

/// <summary>
/// A DICOM Part 10 file (or a bare data set read as one): the File Meta Information, the data set,
/// and the transfer syntax the data set was encoded in.
/// </summary>
public sealed partial class DicomFile
{
    /// <summary>Creates a file from its parts.</summary>
    public DicomFile(DicomDataset fileMetaInformation, DicomDataset dataset, DicomTransferSyntax transferSyntax)
    {
        FileMetaInformation = fileMetaInformation;
        Dataset = dataset;
        TransferSyntax = transferSyntax;
    }

    /// <summary>Group 0002; empty when the source had none.</summary>
    public DicomDataset FileMetaInformation { get; }

    /// <summary>The data set.</summary>
    public DicomDataset Dataset { get; }

    /// <summary>The transfer syntax the data set was read in (or is to be written in).</summary>
    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>What the reader noticed and recovered from, for logs and for people.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>True when the source had the 128-byte preamble and "DICM".</summary>
    public bool HadPreamble { get; init; }

    /// <summary>
    /// When reading stopped before a tag (<see cref="DicomReadOptions.StopBeforeTag"/>), the offset of
    /// the first unread element in the source; otherwise null.
    /// </summary>
    public long? StoppedAtOffset { get; init; }

    /// <summary>Reads a file or bare data set held in memory. Values are slices of <paramref name="data"/>, never copies.</summary>
    /// <exception cref="DicomException">The data is not DICOM or is malformed beyond recovery.</exception>
    public static DicomFile Parse(ReadOnlyMemory<byte> data, DicomReadOptions? options = null) =>
        DicomFileReader.Parse(data, options ?? DicomReadOptions.Default);

    /// <summary>Reads a file or bare data set from a stream.</summary>
    /// <exception cref="DicomException">The data is not DICOM or is malformed beyond recovery.</exception>
    public static Task<DicomFile> ReadAsync(Stream stream, DicomReadOptions? options = null, CancellationToken cancellationToken = default) =>
        DicomFileReader.ReadAsync(stream, options ?? DicomReadOptions.Default, bulkSource: null, cancellationToken);

    /// <summary>
    /// Opens a file by path. With a <see cref="DicomReadOptions.BulkDataThreshold"/>, large values stay
    /// in the file as <see cref="DicomBulkDataReference"/>s.
    /// </summary>
    /// <exception cref="DicomException">The file is not DICOM, is malformed, or cannot be opened.</exception>
    public static async Task<DicomFile> OpenAsync(string path, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DicomException($"Cannot open '{path}': {ex.Message}", ex);
        }
        await using (stream.ConfigureAwait(false))
        {
            return await DicomFileReader.ReadAsync(stream, options ?? DicomReadOptions.Default, new FileByteSource(path), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Opens a file by path, synchronously (for tools; servers use <see cref="OpenAsync"/>).</summary>
    public static DicomFile Open(string path, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        if (options.BulkDataThreshold is null)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DicomException($"Cannot open '{path}': {ex.Message}", ex);
            }
            return Parse(bytes, options);
        }
        return OpenAsync(path, options).GetAwaiter().GetResult();
    }
}

/// <summary>A file that bulk data references point into.</summary>
/// <param name="Path">The file's path.</param>
public sealed record FileByteSource(string Path) : IDicomByteSource
{
    /// <inheritdoc />
    public string Description => Path;

    /// <inheritdoc />
    public Stream OpenRange(long offset, long length)
    {
        var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
        stream.Seek(offset, SeekOrigin.Begin);
        return stream;
    }
}
