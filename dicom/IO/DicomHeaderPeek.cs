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
        return new DicomHeaderPeekResult(file, new ReplayStream(recorder.Recorded, source), recorder.Recorded.Length);
    }

    /// <summary>Passes reads through and keeps a copy of every byte read.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private readonly MemoryStream _copy = new();

        public ReadOnlyMemory<byte> Recorded => _copy.GetBuffer().AsMemory(0, (int)_copy.Length);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

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

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Yields the recorded bytes, then the rest of the source.</summary>
    private sealed class ReplayStream(ReadOnlyMemory<byte> recorded, Stream rest) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position < recorded.Length)
                return Replay(buffer);
            return rest.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < recorded.Length)
                return Replay(buffer.Span);
            return await rest.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Replay(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, recorded.Length - _position);
            recorded.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The header of an object read from a forward-only stream, and the object's bytes from the start.</summary>
/// <param name="Header">The file read up to the stop tag (values are copies held by the header).</param>
/// <param name="Content">A forward-only stream over the whole object, first byte first.</param>
/// <param name="BufferedBytes">How many bytes were held in memory to read the header.</param>
public sealed record DicomHeaderPeekResult(DicomFile Header, Stream Content, long BufferedBytes);
