namespace OrleansImaging.Dicom.IO;

/// <summary>Writes Part 10 files: preamble, "DICM", File Meta Information, data set.</summary>
internal static class DicomFileWriter
{
    private const int PreambleLength = 128;

    public static async ValueTask WriteAsync(DicomFile file, Stream stream, DicomWriteOptions options, bool useAsync, CancellationToken cancellationToken)
    {
        var meta = DicomFileMetaInformation.Create(file.Dataset, file.TransferSyntax, file.FileMetaInformation);
        // The meta group is explicit VR little endian whatever follows it, and always carries its
        // group length (PS3.10 7.1): readers need it to find where the data set begins.
        var output = new DicomOutput(stream, bigEndian: false, useAsync, cancellationToken);
        await output.ReserveAsync(PreambleLength + 4).ConfigureAwait(false);
        output.WriteRaw(new byte[PreambleLength]);
        output.WriteRaw("DICM"u8);
        var metaEncoder = new DicomDatasetEncoder(DicomTransferSyntax.ExplicitVRLittleEndian, options, writeGroupLengths: true);
        await metaEncoder.WriteDatasetAsync(output, meta, 0).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
        var writer = new DicomWriter(file.TransferSyntax, options);
        var datasetStart = PreambleLength + 4 + metaEncoder.MeasureDataset(meta, 0);
        var dataset = DicomDirectoryOffsets.Rewrite(file.Dataset, datasetStart, writer.NewEncoder());
        await writer.WriteCoreAsync(stream, dataset, useAsync, cancellationToken).ConfigureAwait(false);
        if (useAsync)
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        else
            stream.Flush();
    }
}
