namespace OrleansImaging.Dicom.IO;

/// <summary>The common part of the forward-only, read-only streams the reader wraps around its sources.</summary>
internal abstract class ForwardOnlyReadStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // Every derived stream reads asynchronously through the Memory overload; the array overload forwards to it.
    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A read-only stream that yields some bytes already read, then the rest of another stream.</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : ForwardOnlyReadStream
{
    private int _position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position < prefix.Length)
        {
            var n = Math.Min(buffer.Length, prefix.Length - _position);
            prefix.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
        return rest.Read(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < prefix.Length)
            return Read(buffer.Span);
        return await rest.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

}

/// <summary>
/// Fails with a <see cref="DicomException"/> once more than a set number of bytes have been read,
/// so that inflating a small deflated file cannot exhaust memory.
/// </summary>
internal sealed class LengthLimitedStream(Stream inner, long limit) : ForwardOnlyReadStream
{
    private long _read;

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    private int Count(int read)
    {
        _read += read;
        if (_read > limit)
            throw new DicomException($"The deflated data set inflates to more than {limit} bytes, the configured limit", limit, null);
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

}
