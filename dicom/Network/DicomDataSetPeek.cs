using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// Reads the start of an incoming data set, up to and including (0008,0018) SOP Instance UID, in the presentation
/// context's transfer syntax, and gives back a stream replaying it from the first byte: the acceptor checks the UIDs
/// before the handler sees anything, holding only the first chunk of the data set.
/// </summary>
internal static class DicomDataSetPeek
{
    private static readonly DicomTag SopClassUid = new(0x0008, 0x0016);
    private static readonly DicomTag SopInstanceUid = new(0x0008, 0x0018);
    private static readonly DicomReadOptions UpToSopInstanceUid = new() { StopBeforeTag = new DicomTag(0x0008, 0x0019) };

    /// <summary>The data set's SOP Class and Instance UIDs (null when absent) and the replaying stream.</summary>
    /// <exception cref="DicomException">The start of the data set cannot be parsed.</exception>
    public static async Task<(string? SopClassUid, string? SopInstanceUid, Stream Content)> ReadAsync(Stream source, DicomTransferSyntax syntax, CancellationToken cancellationToken)
    {
        var recorder = new RecordingStream(source);
        var dataset = new DicomDataset();
        var parser = new DicomParser(dataset, syntax.IsExplicitVR, syntax.IsBigEndian, UpToSopInstanceUid, DicomImplicitVR.Lookup);
        // Small reads: the UIDs sit in the first few hundred bytes, and a PDU's worth is what one read returns anyway.
        var feeder = new ByteFeeder(recorder, 0, 4096);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var status = parser.Parse(feeder.Available, feeder.Offset, feeder.AtEnd, out var consumed, out var request);
                feeder.Consume(consumed);
                if (status == ParseStatus.Done)
                    break;
                if (status == ParseStatus.NeedMore)
                    await feeder.EnsureAsync(request, cancellationToken).ConfigureAwait(false);
                else
                    await feeder.SkipAsync(request, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            throw new DicomException($"Reading the data set failed: {ex.Message}", feeder.Offset, null, ex);
        }
        return (dataset.GetStringOrNull(SopClassUid), dataset.GetStringOrNull(SopInstanceUid), new PrefixedStream(recorder.Recorded, source));
    }

    /// <summary>Passes reads through and keeps a copy of every byte read.</summary>
    private sealed class RecordingStream(Stream inner) : ForwardOnlyReadStream
    {
        private readonly MemoryStream _copy = new();

        public ReadOnlyMemory<byte> Recorded => _copy.GetBuffer().AsMemory(0, (int)_copy.Length);

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            _copy.Write(buffer, offset, read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _copy.Write(buffer.Span[..read]);
            return read;
        }
    }
}
