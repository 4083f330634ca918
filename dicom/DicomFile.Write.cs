using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom;

public sealed partial class DicomFile
{
    /// <summary>
    /// Writes the file in Part 10 format: a zero preamble, "DICM", a File Meta Information group
    /// regenerated for this data set and transfer syntax (<see cref="DicomFileMetaInformation.Create"/>),
    /// and the data set in <see cref="TransferSyntax"/>.
    /// </summary>
    /// <exception cref="DicomException">The data set cannot be encoded in the transfer syntax.</exception>
    public Task SaveAsync(Stream stream, DicomWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        DicomFileWriter.WriteAsync(this, stream, options ?? DicomWriteOptions.Default, useAsync: true, cancellationToken).AsTask();

    /// <summary>Writes the file to <paramref name="path"/>, replacing any file there; nothing is left behind if writing fails.</summary>
    /// <exception cref="DicomException">The data set cannot be encoded, or the file cannot be written.</exception>
    public async Task SaveAsync(string path, DicomWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var stream = CreateFile(path, FileOptions.Asynchronous);
        try
        {
            await using (stream.ConfigureAwait(false))
                await DicomFileWriter.WriteAsync(this, stream, options ?? DicomWriteOptions.Default, useAsync: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            DeletePartial(path);
            throw new DicomException($"Cannot write '{path}': {ex.Message}", ex);
        }
        catch
        {
            DeletePartial(path);
            throw;
        }
    }

    /// <summary>Writes the file synchronously (for tools; servers use <see cref="SaveAsync(Stream, DicomWriteOptions?, CancellationToken)"/>).</summary>
    /// <exception cref="DicomException">The data set cannot be encoded in the transfer syntax.</exception>
    public void Save(Stream stream, DicomWriteOptions? options = null) =>
        DicomFileWriter.WriteAsync(this, stream, options ?? DicomWriteOptions.Default, useAsync: false, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Writes the file to <paramref name="path"/> synchronously, replacing any file there.</summary>
    /// <exception cref="DicomException">The data set cannot be encoded, or the file cannot be written.</exception>
    public void Save(string path, DicomWriteOptions? options = null)
    {
        var stream = CreateFile(path, FileOptions.None);
        try
        {
            using (stream)
                Save(stream, options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            DeletePartial(path);
            throw new DicomException($"Cannot write '{path}': {ex.Message}", ex);
        }
        catch
        {
            DeletePartial(path);
            throw;
        }
    }

    /// <summary>
    /// The same file to be written in another transfer syntax. Only the uncompressed syntaxes
    /// (implicit VR little endian, explicit VR little and big endian, deflated) convert into one
    /// another; compressed pixel data needs a codec, not a relabelling.
    /// </summary>
    /// <exception cref="DicomException">Either syntax is encapsulated (compressed) and they differ.</exception>
    public DicomFile WithTransferSyntax(DicomTransferSyntax transferSyntax)
    {
        if (transferSyntax.Equals(TransferSyntax))
            return this;
        if (TransferSyntax.IsEncapsulated || transferSyntax.IsEncapsulated)
            throw new DicomException($"Cannot write a data set read as {TransferSyntax.Name} in {transferSyntax.Name}: changing to or from an encapsulated (compressed) transfer syntax needs a codec.");
        return new DicomFile(FileMetaInformation, Dataset, transferSyntax) { HadPreamble = HadPreamble };
    }

    private static FileStream CreateFile(string path, FileOptions options)
    {
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DicomException($"Cannot create '{path}': {ex.Message}", ex);
        }
    }

    private static void DeletePartial(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The write already failed; that error is the one worth reporting.
        }
    }
}
