using System.Globalization;
using System.Net;
using System.Runtime.ExceptionServices;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// The acceptor side of one association over a stream (PS3.8 9.2 state machine, acceptor states): waits for the
/// A-ASSOCIATE-RQ under the ARTIM timer, answers AC or RJ, serves C-ECHO and C-STORE until A-RELEASE-RQ, A-ABORT,
/// the connection closing, a protocol error (answered with A-ABORT) or the idle timer. Never throws: every failure
/// is logged with the peer's address.
/// </summary>
internal sealed class DicomServerAssociation
{
    private readonly DicomServerOptions _options;
    private readonly IDicomStoreHandler? _storeHandler;
    private readonly DicomPduChannel _channel;
    private readonly EndPoint? _remote;
    private readonly Dictionary<byte, (string AbstractSyntax, DicomTransferSyntax TransferSyntax)> _accepted = [];
    private CancellationTokenSource? _timer;
    private DicomAssociationPeer? _peer;

    public DicomServerAssociation(Stream stream, EndPoint? remote, DicomServerOptions options, IDicomStoreHandler? storeHandler)
    {
        _options = options;
        _storeHandler = storeHandler;
        _remote = remote;
        _channel = new DicomPduChannel(stream, (int)Math.Max(options.MaxPduLength is 0 ? int.MaxValue - 6 : options.MaxPduLength, 64 * 1024));
    }

    private string Who => _remote?.ToString() ?? "(unknown peer)";

    private void Log(string message) => _options.Log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"DICOM {Who}: {message}"));

    // The timer token for the next wait: ARTIM before the request, the idle timeout after.
    private CancellationToken Arm(TimeSpan timeout)
    {
        _timer!.CancelAfter(timeout);
        return _timer.Token;
    }

    /// <summary>Runs the association to its end. <paramref name="tooBusy"/> rejects it (transient) once the request is read.</summary>
    public async Task RunAsync(bool tooBusy, CancellationToken stopping)
    {
        using var timer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _options.TimeProvider);
        using var stop = stopping.Register(timer.Cancel);
        _timer = timer;
        try
        {
            if (!await AssociateAsync(tooBusy).ConfigureAwait(false))
                return;
            await ServeAsync().ConfigureAwait(false);
        }
        catch (DicomPduException ex)
        {
            Log($"malformed PDU, aborting: {ex.Message}");
            await TryAbortAsync(ex.Offset == 0 ? (byte)1 : (byte)6).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            Log("server stopping, aborting the association.");
            await TryAbortAsync(0).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log(_peer is null ? "no A-ASSOCIATE-RQ before the ARTIM timer expired; closing." : "idle timeout, aborting the association.");
            if (_peer is not null)
                await TryAbortAsync(0).ConfigureAwait(false);
        }
        catch (DicomNetworkException ex)
        {
            Log($"association lost: {ex.Message}");
        }
        catch (DicomException ex)
        {
            Log($"protocol error, aborting: {ex.Message}");
            await TryAbortAsync(6).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Log($"connection failed: {ex.Message}");
        }
#pragma warning disable CA1031 // The listener must outlive any bug in one association; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log($"internal error, aborting: {ex.GetType().Name}: {ex.Message}");
            await TryAbortAsync(0).ConfigureAwait(false);
        }
    }

    private async Task<bool> AssociateAsync(bool tooBusy)
    {
        var pdu = await _channel.ReadPduAsync(Arm(_options.ArtimTimeout)).ConfigureAwait(false);
        if (pdu is null)
        {
            Log("closed the connection before an A-ASSOCIATE-RQ.");
            return false;
        }
        if (pdu is not DicomAssociateRequest rq)
        {
            Log($"sent {pdu.Type} where an A-ASSOCIATE-RQ was expected; aborting.");
            await TryAbortAsync(2).ConfigureAwait(false);
            return false;
        }
        var peer = new DicomAssociationPeer(rq.CallingAeTitle, rq.CalledAeTitle, _remote);
        var reject = ((rq.ProtocolVersion & 1) == 0, tooBusy) switch
        {
            (true, _) => new DicomAssociateReject(1, 2, 2),                 // protocol version not supported
            (_, true) => new DicomAssociateReject(2, 3, 2),                 // transient: local limit exceeded
            _ when rq.ApplicationContext != DicomAssociatePdu.DicomApplicationContext => new DicomAssociateReject(1, 1, 2), // application context not supported
            _ when !string.Equals(rq.CalledAeTitle, _options.AeTitle, StringComparison.Ordinal) => new DicomAssociateReject(1, 1, 7), // called AE not recognized
            _ when _options.IsCallingAeAllowed is { } allowed && !allowed(peer) => new DicomAssociateReject(1, 1, 3), // calling AE not recognized
            _ => null,
        };
        if (reject is not null)
        {
            Log(string.Create(CultureInfo.InvariantCulture, $"association from '{rq.CallingAeTitle}' to '{rq.CalledAeTitle}' rejected (result {reject.Result}, source {reject.Source}, reason {reject.Reason})."));
            await _channel.WritePduAsync(reject, Arm(_options.IdleTimeout)).ConfigureAwait(false);
            return false;
        }
        _peer = peer;
        var answers = Negotiate(rq.PresentationContexts);
        _channel.PeerMaxPduLength = rq.UserInformation.MaximumLength ?? 0;
        var ac = new DicomAssociateAccept(
            rq.CalledAeTitle, rq.CallingAeTitle, DicomAssociatePdu.DicomApplicationContext, answers,
            new DicomUserInformation(_options.MaxPduLength, DicomImplementation.ClassUid, DicomImplementation.VersionName));
        await _channel.WritePduAsync(ac, Arm(_options.IdleTimeout)).ConfigureAwait(false);
        Log(string.Create(CultureInfo.InvariantCulture,
            $"association from '{rq.CallingAeTitle}' accepted: {_accepted.Count} of {answers.Count} presentation contexts, peer maximum PDU {_channel.PeerMaxPduLength}."));
        return true;
    }

    /// <summary>Answers each proposed context: accepted with our most preferred transfer syntax it offers, or why not.</summary>
    private List<DicomPresentationContextAccept> Negotiate(IReadOnlyList<DicomPresentationContextRequest> proposed)
    {
        var answers = new List<DicomPresentationContextAccept>(proposed.Count);
        foreach (var pc in proposed)
        {
            if (!_options.AbstractSyntaxes.Contains(pc.AbstractSyntax, StringComparer.Ordinal))
            {
                answers.Add(new DicomPresentationContextAccept(pc.Id, DicomPresentationContextResult.AbstractSyntaxNotSupported, pc.TransferSyntaxes.FirstOrDefault() ?? DicomTransferSyntax.ImplicitVRLittleEndian.Uid));
                continue;
            }
            var chosen = _options.TransferSyntaxes.FirstOrDefault(ts => pc.TransferSyntaxes.Contains(ts, StringComparer.Ordinal));
            if (chosen is null)
            {
                answers.Add(new DicomPresentationContextAccept(pc.Id, DicomPresentationContextResult.TransferSyntaxesNotSupported, pc.TransferSyntaxes.FirstOrDefault() ?? DicomTransferSyntax.ImplicitVRLittleEndian.Uid));
                continue;
            }
            // A repeated ID is a broken proposal; the first one counts.
            if (_accepted.TryAdd(pc.Id, (pc.AbstractSyntax, DicomTransferSyntax.Lookup(chosen))))
                answers.Add(new DicomPresentationContextAccept(pc.Id, DicomPresentationContextResult.Acceptance, chosen));
        }
        return answers;
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            var (first, other) = await _channel.NextAsync(Arm(_options.IdleTimeout)).ConfigureAwait(false);
            if (first is null)
            {
                switch (other)
                {
                    case DicomReleaseRequest:
                        await _channel.WritePduAsync(new DicomReleaseResponse(), Arm(_options.IdleTimeout)).ConfigureAwait(false);
                        Log("association released.");
                        return;
                    case DicomAbort abort:
                        Log(string.Create(CultureInfo.InvariantCulture, $"peer aborted the association (source {abort.Source}, reason {abort.Reason})."));
                        return;
                    case null:
                        Log("closed the connection without releasing the association.");
                        return;
                    default:
                        Log($"sent an unexpected {other.Type} PDU; aborting.");
                        await TryAbortAsync(2).ConfigureAwait(false);
                        return;
                }
            }
            var (contextId, command) = await ReadCommandAsync(first).ConfigureAwait(false);
            await DispatchAsync(contextId, command).ConfigureAwait(false);
        }
    }

    // Collects the command fragments of one message; the first has been read.
    private async Task<(byte ContextId, DimseCommand Command)> ReadCommandAsync(DicomPresentationDataValue first)
    {
        if (!first.IsCommand)
            throw new DicomException("A data set fragment arrived where a command was expected.");
        var contextId = first.PresentationContextId;
        if (!_accepted.ContainsKey(contextId))
            throw new DicomException($"A command arrived on presentation context {contextId}, which was not accepted.");
        using var bytes = new MemoryStream();
        var value = first;
        while (true)
        {
            if (!value.IsCommand || value.PresentationContextId != contextId)
                throw new DicomException("The fragments of a command changed presentation context or turned into data.");
            if (bytes.Length + value.Data.Length > DimseCommandCodec.MaxCommandLength)
                throw new DicomException($"The command set is longer than {DimseCommandCodec.MaxCommandLength} bytes.");
            bytes.Write(value.Data.Span);
            if (value.IsLast)
                break;
            var (next, other) = await _channel.NextAsync(Arm(_options.IdleTimeout)).ConfigureAwait(false);
            value = next ?? throw new DicomNetworkException($"The command was cut short: {(other is null ? "the connection closed" : $"an {other.Type} PDU arrived")}.");
        }
        return (contextId, DimseCommandCodec.Decode(bytes.GetBuffer().AsSpan(0, (int)bytes.Length)));
    }

    private async Task DispatchAsync(byte contextId, DimseCommand command)
    {
        var (abstractSyntax, syntax) = _accepted[contextId];
        DimseCommand response;
        switch (command.CommandField)
        {
            case DimseCommandField.CEchoRequest:
                if (command.HasDataSet)
                    await DrainAsync(NewDataSet(contextId)).ConfigureAwait(false);
                response = DimseCommand.EchoResponse(command, DicomStatus.Success);
                break;
            case DimseCommandField.CStoreRequest when command.HasDataSet:
                var result = await StoreAsync(contextId, abstractSyntax, syntax, command).ConfigureAwait(false);
                response = DimseCommand.StoreResponse(command, result);
                break;
            default:
                Log($"unsupported command {command.CommandField} (0x{(ushort)command.CommandField:X4}).");
                if (command.HasDataSet)
                    await DrainAsync(NewDataSet(contextId)).ConfigureAwait(false);
                // 0211H Unrecognized operation (PS3.7 C.4.4).
                response = new DimseCommand
                {
                    CommandField = (DimseCommandField)((ushort)command.CommandField | 0x8000),
                    AffectedSopClassUid = command.AffectedSopClassUid,
                    MessageIdBeingRespondedTo = command.MessageId ?? 0,
                    Status = 0x0211,
                };
                break;
        }
        await _channel.SendMessageAsync(contextId, DimseCommandCodec.Encode(response), null, Arm(_options.IdleTimeout)).ConfigureAwait(false);
    }

    // Reads what is left of a data set; a failure surfaces as its cause, so that a protocol error is answered with A-ABORT.
    private static async Task DrainAsync(DicomIncomingDataSet data)
    {
        try
        {
            await data.DrainAsync(default).ConfigureAwait(false);
        }
        catch (DicomNetworkException) when (data.Failed is not null)
        {
        }
        if (data.Failed is not null)
            ExceptionDispatchInfo.Capture(data.Failed).Throw();
    }

    private DicomIncomingDataSet NewDataSet(byte contextId) => new(_channel, contextId, () => Arm(_options.IdleTimeout));

    private async Task<DicomStoreResult> StoreAsync(byte contextId, string abstractSyntax, DicomTransferSyntax syntax, DimseCommand command)
    {
        var data = NewDataSet(contextId);
        var sopClass = command.AffectedSopClassUid ?? "";
        var sopInstance = command.AffectedSopInstanceUid ?? "";
        DicomStoreResult result;
        if (_storeHandler is null || !string.Equals(sopClass, abstractSyntax, StringComparison.Ordinal))
        {
            result = new DicomStoreResult(DicomStatus.SopClassNotSupported, _storeHandler is null ? "Storage is not offered." : "The SOP class differs from the presentation context's.");
        }
        else
        {
            result = await CheckAndStoreAsync(data, syntax, command, sopClass, sopInstance).ConfigureAwait(false);
        }
        await DrainAsync(data).ConfigureAwait(false);
        Log(string.Create(CultureInfo.InvariantCulture, $"C-STORE {sopInstance} ({data.BytesRead} bytes, {syntax.Uid}) answered 0x{result.Status:X4}{(result.ErrorComment is null ? "" : ": " + result.ErrorComment)}."));
        return result;
    }

    // What CheckAndStoreAsync returns when the association broke under it: never sent, StoreAsync rethrows the failure.
    private static readonly DicomStoreResult Lost = new(DicomStatus.ProcessingFailure);

    private async Task<DicomStoreResult> CheckAndStoreAsync(DicomIncomingDataSet data, DicomTransferSyntax syntax, DimseCommand command, string sopClass, string sopInstance)
    {
        Stream content = data;
        if (!syntax.IsDeflated)
        {
            string? datasetClass, datasetInstance;
            try
            {
                (datasetClass, datasetInstance, content) = await DicomDataSetPeek.ReadAsync(data, syntax, Arm(_options.IdleTimeout)).ConfigureAwait(false);
            }
            catch (DicomException) when (data.Failed is not null)
            {
                return Lost;
            }
            catch (DicomException ex)
            {
                Log($"C-STORE {sopInstance}: the data set cannot be read: {ex.Message}");
                return new DicomStoreResult(DicomStatus.CannotUnderstand, "The data set cannot be parsed.");
            }
            if (!string.Equals(datasetInstance, sopInstance, StringComparison.Ordinal))
                return new DicomStoreResult(DicomStatus.CannotUnderstand, "Data set SOP Instance UID differs from the command's.", [new DicomTag(0x0008, 0x0018)]);
            if (datasetClass is not null && !string.Equals(datasetClass, sopClass, StringComparison.Ordinal))
                return new DicomStoreResult(DicomStatus.DataSetDoesNotMatchSopClass, "Data set SOP Class UID differs from the command's.", [new DicomTag(0x0008, 0x0016)]);
        }
        var request = new DicomStoreRequest(sopClass, sopInstance, syntax, _peer!, command.MessageId ?? 0, command.MoveOriginatorAeTitle, command.MoveOriginatorMessageId);
        try
        {
            return await _storeHandler!.StoreAsync(request, content, _timer!.Token).ConfigureAwait(false);
        }
        catch (Exception) when (data.Failed is not null)
        {
            return Lost;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log($"C-STORE {sopInstance}: storing failed: {ex.Message}");
            return new DicomStoreResult(DicomStatus.OutOfResources, "The instance could not be stored.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log($"C-STORE {sopInstance}: the store handler failed: {ex.GetType().Name}: {ex.Message}");
            return new DicomStoreResult(DicomStatus.ProcessingFailure, "The instance could not be processed.");
        }
    }

    private async Task TryAbortAsync(byte reason)
    {
        try
        {
            using var shortWait = new CancellationTokenSource(TimeSpan.FromSeconds(5), _options.TimeProvider);
            await _channel.WritePduAsync(new DicomAbort(2, reason), shortWait.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException or NotSupportedException)
        {
            // The peer is gone or not listening; closing the connection is all that is left.
        }
    }
}
