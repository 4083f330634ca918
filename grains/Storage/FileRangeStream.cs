using Microsoft.Win32.SafeHandles;

namespace OrleansImaging.Grains.Storage;

/// <summary>
/// A read-only, seekable window [start, end) of a file, read with positional reads (<see cref="RandomAccess"/>),
/// so several windows could share nothing but the handle. Owns and closes the handle.
/// </summary>
internal sealed class FileRangeStream(SafeFileHandle handle, long start, long end) : Stream
{
    private long _position; // relative to start

    public override bool CanRead => !handle.IsClosed;
    public override bool CanSeek => !handle.IsClosed;
    public override bool CanWrite => false;
    public override long Length => end - start;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var toRead = Remaining(buffer.Length);
        if (toRead == 0)
            return 0;
        var read = RandomAccess.Read(handle, buffer[..toRead], start + _position);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var toRead = Remaining(buffer.Length);
        if (toRead == 0)
            return 0;
        var read = await RandomAccess.ReadAsync(handle, buffer[..toRead], start + _position, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            handle.Dispose();
        base.Dispose(disposing);
    }

    private int Remaining(int requested) => (int)Math.Clamp(Length - _position, 0, requested);
}
