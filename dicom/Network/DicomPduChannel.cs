using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// PDUs over a byte stream (a socket's, or a TLS stream around it): reads whole PDUs into a buffer that grows to at
/// most the read limit, hands out the presentation data values of P-DATA-TF PDUs one at a time, and writes command
/// and data set fragments within the peer's maximum PDU length. One channel serves one association, from one
/// task at a time.
/// </summary>
internal sealed class DicomPduChannel(Stream stream, int readLimit)
{
    // The largest P-DATA-TF variable field we send when the peer sets no limit (maximum length 0).
    private const int UnlimitedPduLength = 256 * 1024;

    private readonly Queue<DicomPresentationDataValue> _pending = new();
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public Stream Stream => stream;

    /// <summary>The largest PDU length (after the 6-byte header) accepted from the peer.</summary>
    public int ReadLimit { get; set; } = readLimit;

    /// <summary>The peer's maximum P-DATA-TF length (51H); 0 means no limit.</summary>
    public uint PeerMaxPduLength { get; set; }

    /// <summary>Bytes received and not yet decoded; zero between PDUs.</summary>
    public int Buffered => _end - _start;

    /// <summary>
    /// The next PDU, or null when the peer closed the connection between PDUs. P-DATA-TF PDUs are not returned
    /// while values are pending: use <see cref="NextAsync"/> for those.
    /// </summary>
    /// <exception cref="DicomPduException">The PDU is malformed or longer than <see cref="ReadLimit"/>.</exception>
    /// <exception cref="DicomNetworkException">The connection ended inside a PDU.</exception>
    public async ValueTask<DicomPdu?> ReadPduAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var needed = DicomPduWriter.HeaderLength;
            if (_end - _start >= DicomPduWriter.HeaderLength)
            {
                if (DicomPduReader.TryRead(_buffer.AsSpan(_start, _end - _start), ReadLimit, out var pdu, out int consumed))
                {
                    _start += consumed;
                    if (_start == _end)
                        _start = _end = 0;
                    return pdu;
                }
                needed += (int)BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + 2));
            }
            if (_start > 0 && _buffer.Length - _start < needed)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                // Grow with the bytes that arrive, never straight to a length the peer merely declares.
                var next = new byte[(int)Math.Min(needed, 2L * _buffer.Length)];
                _buffer.AsSpan(0, _end).CopyTo(next);
                _buffer = next;
            }
            int read;
            try
            {
                read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new DicomNetworkException($"The connection failed: {ex.Message}", ex);
            }
            if (read == 0)
            {
                if (_end == _start)
                    return null;
                throw new DicomNetworkException(string.Create(CultureInfo.InvariantCulture, $"The connection closed inside a PDU ({_end - _start} of {needed} bytes received)."));
            }
            _end += read;
        }
    }

    /// <summary>
    /// The next presentation data value, reading P-DATA-TF PDUs as needed; any other PDU (release, abort, or one
    /// that does not belong here) is returned as Other instead, and null for both means the
    /// connection closed.
    /// </summary>
    public async ValueTask<(DicomPresentationDataValue? Value, DicomPdu? Other)> NextAsync(CancellationToken cancellationToken)
    {
        while (_pending.Count == 0)
        {
            var pdu = await ReadPduAsync(cancellationToken).ConfigureAwait(false);
            if (pdu is not DicomDataTransfer data)
                return (null, pdu);
            foreach (var value in data.Values)
                _pending.Enqueue(value);
        }
        return (_pending.Dequeue(), null);
    }

    /// <summary>Writes one PDU and flushes.</summary>
    public async ValueTask WritePduAsync(DicomPdu pdu, CancellationToken cancellationToken)
    {
        var bytes = DicomPduWriter.ToArray(pdu);
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a command set (and a data set from <paramref name="dataset"/> if given) as PDVs within the peer's maximum.</summary>
    public async ValueTask SendMessageAsync(byte contextId, byte[] command, Stream? dataset, CancellationToken cancellationToken)
    {
        await SendFragmentsAsync(contextId, isCommand: true, new MemoryStream(command, writable: false), cancellationToken).ConfigureAwait(false);
        if (dataset is not null)
            await SendFragmentsAsync(contextId, isCommand: false, dataset, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="source"/> to its end as PDVs, one per P-DATA-TF PDU, each PDU's variable field within
    /// the peer's maximum. Reads one fragment ahead to know which is last; holds two fragments, never the whole.
    /// </summary>
    private async ValueTask SendFragmentsAsync(byte contextId, bool isCommand, Stream source, CancellationToken cancellationToken)
    {
        var maxPdu = PeerMaxPduLength is 0 or > UnlimitedPduLength ? UnlimitedPduLength : (int)PeerMaxPduLength;
        // The variable field holds the 4-byte PDV length and the 2-byte PDV header before the fragment.
        var fragment = Math.Max(maxPdu - 6, 2);
        const int headers = 12;
        var current = ArrayPool<byte>.Shared.Rent(headers + fragment);
        var next = ArrayPool<byte>.Shared.Rent(headers + fragment);
        try
        {
            var currentLength = await FillAsync(source, current.AsMemory(headers, fragment), cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var nextLength = currentLength == fragment ? await FillAsync(source, next.AsMemory(headers, fragment), cancellationToken).ConfigureAwait(false) : 0;
                var isLast = nextLength == 0;
                current[0] = (byte)DicomPduType.DataTransfer;
                current[1] = 0;
                BinaryPrimitives.WriteUInt32BigEndian(current.AsSpan(2), (uint)(currentLength + 6));
                BinaryPrimitives.WriteUInt32BigEndian(current.AsSpan(6), (uint)(currentLength + 2));
                current[10] = contextId;
                current[11] = (byte)((isCommand ? 1 : 0) | (isLast ? 2 : 0));
                await stream.WriteAsync(current.AsMemory(0, headers + currentLength), cancellationToken).ConfigureAwait(false);
                if (isLast)
                    break;
                (current, next) = (next, current);
                currentLength = nextLength;
            }
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    private static async ValueTask<int> FillAsync(Stream source, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            var read = await source.ReadAsync(destination[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
                break;
            filled += read;
        }
        return filled;
    }
}
