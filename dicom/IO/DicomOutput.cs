using System.Buffers.Binary;

namespace OrleansImaging.Dicom.IO;

/// <summary>
/// A buffered sink for encoded DICOM: headers go through a fixed buffer, values are copied
/// through it in chunks (byte-swapped for big endian on the way), bulk data is streamed from its
/// source. The same code serves the synchronous and asynchronous writers: with
/// <c>useAsync</c> false every operation completes synchronously, so the sync API can wait on
/// the returned <see cref="ValueTask"/> without blocking on I/O it did not start.
/// </summary>
internal sealed class DicomOutput(Stream stream, bool bigEndian, bool useAsync, CancellationToken cancellationToken)
{
    private const int BufferSize = 64 * 1024;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _count;

    /// <summary>Bytes handed to the stream or waiting in the buffer.</summary>
    public long Position { get; private set; }

    public bool BigEndian => bigEndian;

    /// <summary>Makes room for <paramref name="size"/> bytes (at most a header) in the buffer.</summary>
    public ValueTask ReserveAsync(int size) => _count + size <= BufferSize ? ValueTask.CompletedTask : FlushBufferAsync();

    public void WriteUInt16(ushort value)
    {
        var span = _buffer.AsSpan(_count, 2);
        if (bigEndian)
            BinaryPrimitives.WriteUInt16BigEndian(span, value);
        else
            BinaryPrimitives.WriteUInt16LittleEndian(span, value);
        Advance(2);
    }

    public void WriteUInt32(uint value)
    {
        var span = _buffer.AsSpan(_count, 4);
        if (bigEndian)
            BinaryPrimitives.WriteUInt32BigEndian(span, value);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        Advance(4);
    }

    public void WriteTag(DicomTag tag)
    {
        WriteUInt16(tag.Group);
        WriteUInt16(tag.Element);
    }

    /// <summary>Writes bytes that have no byte order (a VR code, the preamble).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_count));
        Advance(bytes.Length);
    }

    public async ValueTask WriteRawAsync(ReadOnlyMemory<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            if (_count == BufferSize)
                await FlushBufferAsync().ConfigureAwait(false);
            var n = Math.Min(bytes.Length, BufferSize - _count);
            WriteRaw(bytes.Span[..n]);
            bytes = bytes[n..];
        }
    }

    /// <summary>
    /// Writes a little-endian value, reversing each <paramref name="swapUnit"/>-byte unit when the
    /// output is big endian. A trailing partial unit (malformed input) is written as it is.
    /// </summary>
    public async ValueTask WriteValueAsync(ReadOnlyMemory<byte> value, int swapUnit)
    {
        if (!bigEndian || swapUnit <= 1)
        {
            await WriteRawAsync(value).ConfigureAwait(false);
            return;
        }
        while (value.Length > 0)
        {
            if (BufferSize - _count < swapUnit)
                await FlushBufferAsync().ConfigureAwait(false);
            // Whole units only, so that no unit is split across two flushes.
            var n = Math.Min(value.Length, (BufferSize - _count) / swapUnit * swapUnit);
            var target = _buffer.AsSpan(_count, n);
            value.Span[..n].CopyTo(target);
            for (var i = 0; i + swapUnit <= n; i += swapUnit)
                target.Slice(i, swapUnit).Reverse();
            Advance(n);
            value = value[n..];
        }
    }

    /// <summary>Copies a value left in its source, chunk by chunk, never holding it whole.</summary>
    public async ValueTask CopyBulkDataAsync(DicomBulkDataReference reference, int swapUnit)
    {
        var source = reference.Source.OpenRange(reference.Offset, reference.Length);
        await using (source.ConfigureAwait(false))
        {
            var chunk = new byte[(int)Math.Min(BufferSize, Math.Max(reference.Length, 8))];
            var remaining = reference.Length;
            var carry = 0;
            while (remaining > 0)
            {
                var want = (int)Math.Min(chunk.Length - carry, remaining);
                var read = useAsync
                    ? await source.ReadAsync(chunk.AsMemory(carry, want), cancellationToken).ConfigureAwait(false)
                    : source.Read(chunk, carry, want);
                if (read == 0)
                    throw new DicomException($"{reference.Source.Description} ended {remaining} bytes before the end of the value at offset {reference.Offset}.");
                remaining -= read;
                var available = carry + read;
                // Keep a partial unit back until the rest of it arrives, so swapping sees whole units.
                var whole = remaining == 0 || !bigEndian || swapUnit <= 1 ? available : available / swapUnit * swapUnit;
                await WriteValueAsync(chunk.AsMemory(0, whole), swapUnit).ConfigureAwait(false);
                carry = available - whole;
                chunk.AsSpan(whole, carry).CopyTo(chunk);
            }
        }
    }

    public ValueTask FlushAsync() => FlushBufferAsync();

    private void Advance(int count)
    {
        _count += count;
        Position += count;
    }

    private async ValueTask FlushBufferAsync()
    {
        if (_count == 0)
            return;
        cancellationToken.ThrowIfCancellationRequested();
        if (useAsync)
            await stream.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken).ConfigureAwait(false);
        else
            stream.Write(_buffer, 0, _count);
        _count = 0;
    }
}
