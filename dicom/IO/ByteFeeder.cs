namespace OrleansImaging.Dicom.IO;

/// <summary>
/// Feeds the parser from a stream. Bytes handed to the parser are never overwritten (values are
/// slices of them), so when the current buffer is full the unconsumed tail moves to a new buffer
/// and the old one lives on only through the values that point into it. Growth follows the bytes
/// that actually arrive, never a length the data merely declares.
/// </summary>
internal sealed class ByteFeeder
{
    internal const int ChunkSize = 64 * 1024;
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public ByteFeeder(Stream stream, long startOffset, int initialSize = ChunkSize)
    {
        _stream = stream;
        _buffer = new byte[initialSize];
        Offset = startOffset;
    }

    /// <summary>The absolute offset of the first unconsumed byte.</summary>
    public long Offset { get; private set; }

    /// <summary>True once the stream has returned end of data.</summary>
    public bool AtEnd { get; private set; }

    /// <summary>The unconsumed bytes held now.</summary>
    public ReadOnlyMemory<byte> Available => _buffer.AsMemory(_start, _end - _start);

    /// <summary>Marks bytes as consumed.</summary>
    public void Consume(int count)
    {
        _start += count;
        Offset += count;
    }

    /// <summary>Reads until at least <paramref name="count"/> bytes are available or the stream ends.</summary>
    public async ValueTask EnsureAsync(long count, CancellationToken cancellationToken)
    {
        while (_end - _start < count && !AtEnd)
        {
            if (_end == _buffer.Length)
                Grow(count);
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                AtEnd = true;
            _end += read;
        }
    }

    /// <summary>Skips <paramref name="count"/> bytes, seeking when the stream can, reading otherwise.</summary>
    public async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        var held = _end - _start;
        if (count <= held)
        {
            Consume((int)count);
            return;
        }
        var remaining = count - held;
        Consume(held);
        if (_stream.CanSeek)
        {
            _stream.Seek(remaining, SeekOrigin.Current);
            Offset += remaining;
            return;
        }
        var scratch = new byte[Math.Min(remaining, ChunkSize)];
        while (remaining > 0)
        {
            var read = await _stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(remaining, scratch.Length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                AtEnd = true;
                return;
            }
            remaining -= read;
            Offset += read;
        }
    }

    private void Grow(long wanted)
    {
        var held = _end - _start;
        // Double with what has arrived, not with what was declared, so a lying length costs at most
        // a few times the real input.
        var size = (int)Math.Min(Array.MaxLength, Math.Max(ChunkSize, Math.Min(wanted, Math.Max(2L * held, ChunkSize))));
        if (size <= held)
            size = (int)Math.Min(Array.MaxLength, held + (long)ChunkSize);
        var next = new byte[size];
        _buffer.AsSpan(_start, held).CopyTo(next);
        _buffer = next;
        _start = 0;
        _end = held;
    }
}
