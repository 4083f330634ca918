using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// The requestor side of an association (SCU): proposes presentation contexts, then sends C-ECHO and C-STORE
/// requests one at a time and waits for each response; files are sent as they are on disk (no transcoding) in
/// P-DATA-TF fragments within the peer's maximum PDU length, never held whole. Release with
/// <see cref="ReleaseAsync"/>; disposing an association that was not released aborts it.
/// </summary>
public sealed class DicomClientAssociation : IAsyncDisposable
{
    private readonly DicomPduChannel _channel;
    private readonly DicomClientOptions _options;
    private readonly IDisposable? _owned;
    private readonly Dictionary<byte, (string AbstractSyntax, string TransferSyntax)> _accepted = [];
    private ushort _messageId;
    private bool _closed;

    private DicomClientAssociation(Stream stream, DicomClientOptions options, IDisposable? owned)
    {
        _options = options;
        _owned = owned;
        _channel = new DicomPduChannel(stream, (int)Math.Max(options.MaxPduLength is 0 ? int.MaxValue - 6 : options.MaxPduLength, 64 * 1024));
    }

    /// <summary>The accepted presentation contexts: ID, abstract syntax, transfer syntax.</summary>
    public IReadOnlyDictionary<byte, (string AbstractSyntax, string TransferSyntax)> AcceptedContexts => _accepted;

    /// <summary>The A-ASSOCIATE-AC as received, with the result of every proposed context.</summary>
    public DicomAssociateAccept? Accept { get; private set; }

    /// <summary>Connects over TCP and requests an association.</summary>
    /// <exception cref="DicomNetworkException">The connection failed, the peer rejected or aborted, or did not answer in time.</exception>
    public static async Task<DicomClientAssociation> ConnectAsync(string host, int port, DicomClientOptions options, IReadOnlyList<DicomPresentationContextProposal> proposals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = new TcpClient { NoDelay = true };
        try
        {
            Stream stream;
            using (var timeout = Timer(options, cancellationToken))
            {
                await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
                stream = client.GetStream();
                if (options.Tls is { } tls)
                {
                    var secure = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = secure;
                    var authentication = new SslClientAuthenticationOptions
                    {
                        TargetHost = tls.TargetHost ?? host,
                        RemoteCertificateValidationCallback = tls.RemoteCertificateValidationCallback,
                        ClientCertificates = tls.ClientCertificates,
                        EnabledSslProtocols = tls.EnabledSslProtocols,
                        CertificateRevocationCheckMode = tls.CertificateRevocationCheckMode,
                    };
                    await secure.AuthenticateAsClientAsync(authentication, timeout.Token).ConfigureAwait(false);
                }
            }
            var association = new DicomClientAssociation(stream, options, new Both(stream, client));
            await association.AssociateAsync(proposals, cancellationToken).ConfigureAwait(false);
            return association;
        }
        catch (Exception ex)
        {
            client.Dispose();
            if (ex is SocketException or OperationCanceledException or IOException or System.Security.Authentication.AuthenticationException && !cancellationToken.IsCancellationRequested)
                throw new DicomNetworkException($"Cannot associate with {host}:{port}: {ex.Message}", ex);
            throw;
        }
    }

    /// <summary>Requests an association over a connected stream (e.g. an authenticated SslStream), which the association then owns.</summary>
    public static async Task<DicomClientAssociation> OpenAsync(Stream stream, DicomClientOptions options, IReadOnlyList<DicomPresentationContextProposal> proposals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        var association = new DicomClientAssociation(stream, options, stream);
        try
        {
            await association.AssociateAsync(proposals, cancellationToken).ConfigureAwait(false);
            return association;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static CancellationTokenSource Timer(DicomClientOptions options, CancellationToken cancellationToken)
    {
        var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(options.Timeout);
        return timer;
    }

    private async Task AssociateAsync(IReadOnlyList<DicomPresentationContextProposal> proposals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposals);
        if (proposals.Count is 0 or > 128)
            throw new ArgumentException("Propose 1 to 128 presentation contexts.", nameof(proposals));
        var contexts = proposals.Select((p, i) => new DicomPresentationContextRequest((byte)(2 * i + 1), p.AbstractSyntax, p.TransferSyntaxes)).ToList();
        var rq = new DicomAssociateRequest(
            _options.CalledAeTitle, _options.CallingAeTitle, DicomAssociatePdu.DicomApplicationContext, contexts,
            new DicomUserInformation(_options.MaxPduLength, DicomImplementation.ClassUid, DicomImplementation.VersionName));
        using var timer = Timer(_options, cancellationToken);
        await _channel.WritePduAsync(rq, timer.Token).ConfigureAwait(false);
        var answer = await ReadPduOrFailAsync(timer.Token).ConfigureAwait(false);
        switch (answer)
        {
            case DicomAssociateAccept ac:
                Accept = ac;
                _channel.PeerMaxPduLength = ac.UserInformation.MaximumLength ?? 0;
                foreach (var pc in ac.PresentationContexts.Where(pc => pc.Result == DicomPresentationContextResult.Acceptance))
                {
                    if (contexts.FirstOrDefault(c => c.Id == pc.Id) is { } proposed)
                        _accepted[pc.Id] = (proposed.AbstractSyntax, pc.TransferSyntax);
                }
                return;
            case DicomAssociateReject rj:
                _closed = true;
                throw new DicomNetworkException(string.Create(CultureInfo.InvariantCulture, $"The association was rejected (result {rj.Result}, source {rj.Source}, reason {rj.Reason}).")) { Reject = rj };
            default:
                throw await ProtocolErrorAsync($"The peer answered the A-ASSOCIATE-RQ with {answer.Type}.").ConfigureAwait(false);
        }
    }

    /// <summary>Sends a C-ECHO-RQ on an accepted Verification context and returns the response.</summary>
    /// <exception cref="DicomException">Verification was not accepted.</exception>
    /// <exception cref="DicomNetworkException">The association failed.</exception>
    public Task<DicomResponse> EchoAsync(CancellationToken cancellationToken)
    {
        var contextId = FindContext(DicomStorageSopClasses.Verification, null)
            ?? throw new DicomException("The peer did not accept the Verification SOP class.");
        return SendAsync(contextId, DimseCommand.EchoRequest(NextMessageId()), null, DimseCommandField.CEchoResponse, cancellationToken);
    }

    /// <summary>
    /// Sends the Part 10 file at <paramref name="path"/> with C-STORE on an accepted context for its SOP class and
    /// transfer syntax, and returns the response.
    /// </summary>
    /// <exception cref="DicomException">The file is not Part 10, or no accepted context fits it.</exception>
    /// <exception cref="DicomNetworkException">The association failed.</exception>
    public async Task<DicomResponse> StoreFileAsync(string path, CancellationToken cancellationToken)
    {
        var layout = await DicomPart10Layout.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        var contextId = FindContext(layout.SopClassUid, layout.TransferSyntax.Uid)
            ?? throw new DicomException($"No accepted presentation context for SOP class {layout.SopClassUid} in {layout.TransferSyntax.Name}; the file is not transcoded.");
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            file.Seek(layout.DataSetOffset, SeekOrigin.Begin);
            var command = DimseCommand.StoreRequest(NextMessageId(), layout.SopClassUid, layout.SopInstanceUid);
            return await SendAsync(contextId, command, file, DimseCommandField.CStoreResponse, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends a C-STORE-RQ whose data set, already encoded in the context's transfer syntax, is read from
    /// <paramref name="dataset"/> to its end (the UIDs are not checked against it: that is how a peer's check is tested).
    /// </summary>
    public Task<DicomResponse> StoreAsync(string sopClassUid, string sopInstanceUid, string transferSyntaxUid, Stream dataset, CancellationToken cancellationToken)
    {
        var contextId = FindContext(sopClassUid, transferSyntaxUid)
            ?? throw new DicomException($"No accepted presentation context for SOP class {sopClassUid} in {transferSyntaxUid}.");
        return SendAsync(contextId, DimseCommand.StoreRequest(NextMessageId(), sopClassUid, sopInstanceUid), dataset, DimseCommandField.CStoreResponse, cancellationToken);
    }

    private byte? FindContext(string abstractSyntax, string? transferSyntax)
    {
        foreach (var (id, (a, t)) in _accepted)
        {
            if (a == abstractSyntax && (transferSyntax is null || t == transferSyntax))
                return id;
        }
        return null;
    }

    private ushort NextMessageId() => ++_messageId == 0 ? ++_messageId : _messageId;

    private async Task<DicomResponse> SendAsync(byte contextId, DimseCommand command, Stream? dataset, DimseCommandField expected, CancellationToken cancellationToken)
    {
        if (_closed)
            throw new InvalidOperationException("The association is closed.");
        using var timer = Timer(_options, cancellationToken);
        try
        {
            await _channel.SendMessageAsync(contextId, DimseCommandCodec.Encode(command), dataset, timer.Token).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            _closed = true;
            throw new DicomNetworkException($"Sending failed: {ex.Message}", ex);
        }
        using var bytes = new MemoryStream();
        while (true)
        {
            timer.CancelAfter(_options.Timeout);
            var (value, other) = await _channel.NextAsync(timer.Token).ConfigureAwait(false);
            if (value is null)
            {
                _closed = true;
                if (other is DicomAbort abort)
                    throw new DicomNetworkException(string.Create(CultureInfo.InvariantCulture, $"The peer aborted the association (source {abort.Source}, reason {abort.Reason}).")) { Abort = abort };
                throw other is null
                    ? new DicomNetworkException("The peer closed the connection before responding.")
                    : await ProtocolErrorAsync($"The peer sent {other.Type} where a response was expected.").ConfigureAwait(false);
            }
            if (!value.IsCommand || value.PresentationContextId != contextId || bytes.Length + value.Data.Length > DimseCommandCodec.MaxCommandLength)
                throw await ProtocolErrorAsync("The response is not a command on the request's presentation context.").ConfigureAwait(false);
            bytes.Write(value.Data.Span);
            if (value.IsLast)
                break;
        }
        var response = DimseCommandCodec.Decode(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
        if (response.CommandField != expected || response.MessageIdBeingRespondedTo != command.MessageId || response.Status is null || response.HasDataSet)
            throw await ProtocolErrorAsync($"The response ({response.CommandField}, to message {response.MessageIdBeingRespondedTo}) does not answer {command.CommandField} {command.MessageId}.").ConfigureAwait(false);
        return new DicomResponse(response.Status.Value, response.ErrorComment);
    }

    private async Task<DicomPdu> ReadPduOrFailAsync(CancellationToken cancellationToken)
    {
        var pdu = await _channel.ReadPduAsync(cancellationToken).ConfigureAwait(false);
        if (pdu is DicomAbort abort)
        {
            _closed = true;
            throw new DicomNetworkException(string.Create(CultureInfo.InvariantCulture, $"The peer aborted the association (source {abort.Source}, reason {abort.Reason}).")) { Abort = abort };
        }
        return pdu ?? throw new DicomNetworkException("The peer closed the connection.");
    }

    private async Task<DicomNetworkException> ProtocolErrorAsync(string message)
    {
        await AbortAsync().ConfigureAwait(false);
        return new DicomNetworkException(message);
    }

    /// <summary>Releases the association (A-RELEASE-RQ, waits for A-RELEASE-RP) and closes the connection.</summary>
    /// <exception cref="DicomNetworkException">The peer did not answer with A-RELEASE-RP.</exception>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_closed)
            return;
        _closed = true;
        using var timer = Timer(_options, cancellationToken);
        await _channel.WritePduAsync(new DicomReleaseRequest(), timer.Token).ConfigureAwait(false);
        var answer = await ReadPduOrFailAsync(timer.Token).ConfigureAwait(false);
        if (answer is not DicomReleaseResponse)
            throw new DicomNetworkException($"The peer answered the A-RELEASE-RQ with {answer.Type}.");
    }

    /// <summary>Aborts the association (A-ABORT, source service-user) and closes the connection.</summary>
    public async Task AbortAsync()
    {
        if (_closed)
            return;
        _closed = true;
        try
        {
            using var timer = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _channel.WritePduAsync(new DicomAbort(0, 0), timer.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The connection is already gone.
        }
    }

    // The TLS stream (when there is one) and the socket under it.
    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }

    /// <summary>Aborts the association unless it was released, and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await AbortAsync().ConfigureAwait(false);
        _owned?.Dispose();
    }
}
