using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// The data set of one DIMSE message as a forward-only stream: each read takes the next data set PDV of the
/// message's presentation context from the channel, so at most one PDU is held. Anything else arriving before the
/// last fragment (a command PDV, another context, A-ABORT, A-RELEASE-RQ, the connection closing) fails the read
/// with <see cref="DicomNetworkException"/> and keeps the cause in <see cref="Failed"/>: the association is lost.
/// </summary>
internal sealed class DicomIncomingDataSet(DicomPduChannel channel, byte contextId, Func<CancellationToken> nextReadToken) : ForwardOnlyReadStream
{
    private ReadOnlyMemory<byte> _current;
    private bool _sawLast;

    /// <summary>The failure that ended the association mid-transfer, if any.</summary>
    public Exception? Failed { get; private set; }

    /// <summary>The PDU the peer sent instead of the rest of the data set (A-ABORT, A-RELEASE-RQ), if any.</summary>
    public DicomPdu? Interrupted { get; private set; }

    /// <summary>True once the last fragment has been read to its end.</summary>
    public bool Complete => _sawLast && _current.IsEmpty;

    public long BytesRead { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Failed is not null)
            throw ForReader(Failed);
        while (_current.IsEmpty)
        {
            if (_sawLast || buffer.IsEmpty)
                return 0;
            DicomPresentationDataValue? value;
            DicomPdu? other;
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, nextReadToken());
                (value, other) = await channel.NextAsync(linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Failed = ex;
                throw ForReader(ex);
            }
            if (value is null)
            {
                Interrupted = other;
                // The peer going away is a lost association; any other PDU here breaks the protocol (answered with A-ABORT).
                Failed = other is null or DicomAbort
                    ? new DicomNetworkException($"The data set was cut short: {(other is null ? "the connection closed" : "the peer aborted")} before its last fragment.")
                    : new DicomException($"An {other.Type} PDU arrived inside a data set.");
                throw ForReader(Failed);
            }
            if (value.IsCommand || value.PresentationContextId != contextId)
            {
                Failed = new DicomException($"A {(value.IsCommand ? "command" : "data set")} fragment on context {value.PresentationContextId} arrived inside the data set of context {contextId}.");
                throw ForReader(Failed);
            }
            _current = value.Data;
            _sawLast = value.IsLast;
        }
        var n = Math.Min(buffer.Length, _current.Length);
        _current[..n].CopyTo(buffer);
        _current = _current[n..];
        BytesRead += n;
        return n;
    }

    // The handler always sees a DicomNetworkException; the association acts on the original (abort for a protocol error).
    private static DicomNetworkException ForReader(Exception failure) =>
        failure as DicomNetworkException ?? new DicomNetworkException($"The association failed during the data set: {failure.Message}", failure);

    /// <summary>Reads and discards the rest of the data set.</summary>
    public async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        var scratch = new byte[16 * 1024];
        while (await ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }
}
