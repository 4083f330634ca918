namespace OrleansImaging.Dicom.IO;

/// <summary>
/// Reads the header of a DICOM object arriving on a forward-only stream (an HTTP part, a socket)
/// and hands back a stream that replays every byte from the start, so the caller can store the
/// whole object after learning its UIDs, without holding more than the header (plus one read
/// chunk) in memory and without reading the stream twice.
/// </summary>
public static class DicomHeaderPeek
{
    /// <summary>
    /// Reads up to (7FE0,0010) Pixel Data (or <paramref name="options"/>' stop tag) and returns the
    /// header together with a stream that yields the object's bytes from the first one.
    /// </summary>
    /// <exception cref="DicomException">The bytes are not DICOM or the header is malformed.</exception>
    public static async Task<DicomHeaderPeekResult> ReadAsync(Stream source, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var recorder = new RecordingStream(source);
        var file = await DicomFile.ReadAsync(recorder, options ?? DicomReadOptions.HeaderOnly, cancellationToken).ConfigureAwait(false);
        return new DicomHeaderPeekResult(file, new PrefixedStream(recorder.Recorded, source), recorder.Recorded);
    }

    /// <summary>Passes reads through and keeps a copy of every byte read.</summary>
    private sealed class RecordingStream(Stream inner) : ForwardOnlyReadStream
    {
        private readonly MemoryStream _copy = new();

        public ReadOnlyMemory<byte> Recorded => _copy.GetBuffer().AsMemory(0, (int)_copy.Length);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _copy.Write(buffer[..read]);
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

/// <summary>The header of an object read from a forward-only stream, and the object's bytes from the start.</summary>
/// <param name="Header">The file read up to the stop tag (values are copies held by the header).</param>
/// <param name="Content">A forward-only stream over the whole object, first byte first.</param>
/// <param name="Buffered">
/// The object's first bytes, held in memory to read the header: at least up to where reading stopped, usually a little
/// past it (the element header of Pixel Data, for one). Valid until <paramref name="Content"/> has been read past them.
/// </param>
public sealed record DicomHeaderPeekResult(DicomFile Header, Stream Content, ReadOnlyMemory<byte> Buffered)
{
    /// <summary>How many bytes were held in memory to read the header.</summary>
    public long BufferedBytes => Buffered.Length;
}
