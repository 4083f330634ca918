using System.IO.Compression;

namespace OrleansImaging.Dicom.IO;

/// <summary>
/// Writes data sets in a transfer syntax: implicit VR little endian, explicit VR little or big
/// endian, deflated explicit VR little endian, or an encapsulated syntax (whose fragments are
/// written as they are). Values are little endian in memory and are swapped for big endian;
/// odd-length values are padded to even; values left in their source are streamed from it.
/// A writer holds no per-write state, so one instance may serve concurrent writes.
/// </summary>
public sealed class DicomWriter
{
    /// <summary>Creates a writer for one transfer syntax.</summary>
    public DicomWriter(DicomTransferSyntax transferSyntax, DicomWriteOptions? options = null)
    {
        TransferSyntax = transferSyntax;
        Options = options ?? DicomWriteOptions.Default;
    }

    /// <summary>The transfer syntax data sets are encoded in.</summary>
    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>The options in force.</summary>
    public DicomWriteOptions Options { get; }

    /// <summary>
    /// Writes <paramref name="dataset"/> (without preamble or File Meta Information) to
    /// <paramref name="stream"/>, deflating it when the transfer syntax says so.
    /// </summary>
    /// <exception cref="DicomException">The data set cannot be encoded in this transfer syntax.</exception>
    public Task WriteAsync(Stream stream, DicomDataset dataset, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(stream, dataset, useAsync: true, cancellationToken).AsTask();

    /// <summary>Writes <paramref name="dataset"/> synchronously (for tools; servers use <see cref="WriteAsync"/>).</summary>
    /// <exception cref="DicomException">The data set cannot be encoded in this transfer syntax.</exception>
    public void Write(Stream stream, DicomDataset dataset)
    {
        var pending = WriteCoreAsync(stream, dataset, useAsync: false, CancellationToken.None);
        // With useAsync false nothing awaits real I/O, so this has already completed.
        pending.GetAwaiter().GetResult();
    }

    /// <summary>Encodes <paramref name="dataset"/> into a new array (for small data sets and tests).</summary>
    public byte[] Encode(DicomDataset dataset)
    {
        using var memory = new MemoryStream();
        Write(memory, dataset);
        return memory.ToArray();
    }

    /// <summary>The number of bytes <paramref name="dataset"/> encodes to, before any deflating.</summary>
    public long GetEncodedLength(DicomDataset dataset) => NewEncoder().MeasureDataset(dataset, 0);

    internal async ValueTask WriteCoreAsync(Stream stream, DicomDataset dataset, bool useAsync, CancellationToken cancellationToken)
    {
        var encoder = NewEncoder();
        if (!TransferSyntax.IsDeflated)
        {
            var output = new DicomOutput(stream, TransferSyntax.IsBigEndian, useAsync, cancellationToken);
            await encoder.WriteDatasetAsync(output, dataset, 0).ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
            return;
        }
        // Raw deflate (RFC 1951, no zlib header) of everything after the File Meta Information (PS3.5 A.5).
        var deflate = new DeflateStream(stream, Options.DeflateLevel, leaveOpen: true);
        try
        {
            var output = new DicomOutput(deflate, bigEndian: false, useAsync, cancellationToken);
            await encoder.WriteDatasetAsync(output, dataset, 0).ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            if (useAsync)
                await deflate.DisposeAsync().ConfigureAwait(false);
            else
                deflate.Dispose();
        }
    }

    internal DicomDatasetEncoder NewEncoder() => new(TransferSyntax, Options, Options.WriteGroupLengths);
}
