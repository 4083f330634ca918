using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// A DICOM acceptor (SCP) for C-ECHO and C-STORE: listens on a TCP port and serves each connection as one
/// association, concurrently, up to <see cref="DicomServerOptions.MaxAssociations"/>. A failing association is
/// logged and closed; the listener goes on. <see cref="RunAssociationAsync"/> serves an association over any stream
/// (a TLS stream wrapped around an accepted socket, for DICOM over TLS).
/// </summary>
public sealed class DicomServer : IAsyncDisposable
{
    private readonly DicomServerOptions _options;
    private readonly IDicomStoreHandler? _storeHandler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _associations = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private int _active;

    /// <summary>Creates a server; <paramref name="storeHandler"/> null offers Verification only in effect (C-STORE answers 0122H).</summary>
    public DicomServer(DicomServerOptions options, IDicomStoreHandler? storeHandler)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _storeHandler = storeHandler;
    }

    /// <summary>The bound address once started (with the real port when 0 was asked for).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint;

    /// <summary>How many associations are being served now.</summary>
    public int ActiveAssociations => Volatile.Read(ref _active);

    /// <summary>Binds <paramref name="endPoint"/> (port 0 for any free port) and starts accepting connections.</summary>
    public void Start(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (_listener is not null)
            throw new InvalidOperationException("The server is already started.");
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener);
    }

    /// <summary>
    /// Serves one association over <paramref name="stream"/> (already connected, e.g. an authenticated SslStream)
    /// until it ends; never throws for what the peer does. The stream is not disposed.
    /// </summary>
    public async Task RunAssociationAsync(Stream stream, EndPoint? remoteEndPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var active = Interlocked.Increment(ref _active);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            var association = new DicomServerAssociation(stream, remoteEndPoint, _options, _storeHandler);
            await association.RunAsync(tooBusy: active > _options.MaxAssociations, linked.Token).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection reset before it was accepted; the listener itself is fine.
                _options.Log?.Invoke($"DICOM: accepting a connection failed: {ex.Message}");
                continue;
            }
            var task = ServeSocketAsync(socket);
            _associations.TryAdd(task, 0);
            _ = task.ContinueWith(t => _associations.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeSocketAsync(Socket socket)
    {
        await Task.Yield();
        using (socket)
        {
            socket.NoDelay = true;
            EndPoint? remote = null;
            try
            {
                remote = socket.RemoteEndPoint;
            }
            catch (SocketException)
            {
                // Already disconnected: the association will see the closed stream.
            }
            await using var network = new NetworkStream(socket, ownsSocket: false);
            Stream stream = network;
            if (_options.TlsCertificate is { } certificate)
            {
                var tls = new SslStream(network, leaveInnerStreamOpen: true);
                if (!await HandshakeAsync(tls, certificate, remote).ConfigureAwait(false))
                {
                    await tls.DisposeAsync().ConfigureAwait(false);
                    return;
                }
                stream = tls;
            }
            try
            {
                await RunAssociationAsync(stream, remote, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                if (stream != network)
                    await stream.DisposeAsync().ConfigureAwait(false);
            }
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // The peer closed first.
            }
        }
    }

    // The handshake runs under the ARTIM timer too: a peer that connects and says nothing is closed either way.
    private async Task<bool> HandshakeAsync(SslStream tls, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, EndPoint? remote)
    {
        using var artim = new CancellationTokenSource(_options.ArtimTimeout, _options.TimeProvider);
        using var stop = _stopping.Token.Register(artim.Cancel);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, artim.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            _options.Log?.Invoke($"DICOM {remote}: TLS handshake failed, closing: {ex.Message}");
            return false;
        }
    }

    /// <summary>Stops listening, aborts the associations still open, and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null)
            await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_associations.Keys).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
