using System.Buffers;
using System.Net.Sockets;
using System.Text;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

/// <summary>
/// Hostile and broken peers on the acceptor's port, spoken to byte by byte over a raw socket (PS3.8 state machine
/// cases of issue 6 item 7). After each, the listener still serves a normal C-ECHO from echoscu.
/// </summary>
public sealed class DicomServerBadInputTests
{
    [Fact]
    public async Task NonDicomBytes_AbortedAndLoggedWithThePeerAddress()
    {
        await using var server = new TestServer();
        using var peer = await RawPeer.ConnectAsync(server);

        await peer.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: edge\r\n\r\n"));

        Assert.Equal(new DicomAbort(2, 1), await peer.ReadPduAsync());
        Assert.True(await peer.IsClosedAsync());
        await server.WaitIdleAsync();
        Assert.Contains(server.Log, l => l.StartsWith("DICOM 127.0.0.1:", StringComparison.Ordinal) && l.Contains("Unknown PDU type 0x47", StringComparison.Ordinal));
        await server.AssertEchoWorksAsync();
    }

    [Fact]
    public async Task OversizedPduLength_AbortedFromTheHeader()
    {
        await using var server = new TestServer();
        using var peer = await RawPeer.ConnectAsync(server);

        await peer.SendAsync(new byte[] { 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xF0 });

        Assert.Equal(new DicomAbort(2, 6), await peer.ReadPduAsync());
        Assert.True(await peer.IsClosedAsync());
        await server.WaitIdleAsync();
        Assert.Contains(server.Log, l => l.Contains("over the maximum", StringComparison.Ordinal));
        await server.AssertEchoWorksAsync();
    }

    [Fact]
    public async Task OversizedPDataInsideAnAssociation_Aborted()
    {
        await using var server = new TestServer(log => new DicomServerOptions { AeTitle = "EDGE", Log = log, MaxPduLength = 16 * 1024 });
        using var peer = await RawPeer.ConnectAsync(server);
        await peer.AssociateAsync(DicomTransferSyntax.ExplicitVRLittleEndian);

        // 70,000 bytes: over both our 16 KiB maximum and the 64 KiB floor for other PDUs.
        await peer.SendAsync(DicomPduWriter.ToArray(new DicomDataTransfer([new DicomPresentationDataValue(1, true, true, new byte[70_000])])));

        Assert.Equal(new DicomAbort(2, 6), await peer.ReadPduAsync());
        await server.WaitIdleAsync();
        await server.AssertEchoWorksAsync();
    }

    [Theory]
    [InlineData("close")]
    [InlineData("abort")]
    [InlineData("cut-pdu")]
    public async Task TruncatedDataSet_NothingStoredNothingLeftOpen(string how)
    {
        await using var server = new TestServer();
        var path = TestCorpus.TestFile("CT_small.dcm");
        var layout = await DicomPart10Layout.ReadAsync(path, CancellationToken.None);
        var dataset = await DcmtkTool.DataSetBytesAsync(path);
        using (var peer = await RawPeer.ConnectAsync(server))
        {
            await peer.AssociateAsync(layout.TransferSyntax, layout.SopClassUid);
            var command = DimseCommandCodec.Encode(DimseCommand.StoreRequest(1, layout.SopClassUid, layout.SopInstanceUid));
            await peer.SendAsync(DicomPduWriter.ToArray(new DicomDataTransfer([new DicomPresentationDataValue(1, true, true, command)])));
            // Past the SOP Instance UID, so the handler has started writing when the transfer breaks.
            await peer.SendAsync(DicomPduWriter.ToArray(new DicomDataTransfer([new DicomPresentationDataValue(1, false, false, dataset.AsMemory(0, 20_000))])));
            switch (how)
            {
                case "abort":
                    await peer.SendAsync(DicomPduWriter.ToArray(new DicomAbort(0, 0)));
                    break;
                case "cut-pdu":
                    var rest = DicomPduWriter.ToArray(new DicomDataTransfer([new DicomPresentationDataValue(1, false, true, dataset.AsMemory(20_000))]));
                    await peer.SendAsync(rest.AsMemory(0, rest.Length / 2));
                    break;
            }
        }

        await server.WaitIdleAsync();
        Assert.Empty(Directory.GetFiles(server.Folder));
        Assert.Contains(server.Log, l => l.Contains("127.0.0.1", StringComparison.Ordinal) && (l.Contains("association lost", StringComparison.Ordinal) || l.Contains("aborted", StringComparison.Ordinal)));
        await server.AssertEchoWorksAsync();
    }

    [Theory]
    [InlineData("command")]
    [InlineData("other-context")]
    [InlineData("release")]
    public async Task WrongPduInsideADataSet_AbortedAndNothingStored(string what)
    {
        await using var server = new TestServer();
        var path = TestCorpus.TestFile("CT_small.dcm");
        var layout = await DicomPart10Layout.ReadAsync(path, CancellationToken.None);
        var dataset = await DcmtkTool.DataSetBytesAsync(path);
        using var peer = await RawPeer.ConnectAsync(server);
        await peer.AssociateAsync(layout.TransferSyntax, layout.SopClassUid);
        var command = DimseCommandCodec.Encode(DimseCommand.StoreRequest(1, layout.SopClassUid, layout.SopInstanceUid));
        await peer.SendAsync(DicomPduWriter.ToArray(new DicomDataTransfer([new DicomPresentationDataValue(1, true, true, command)])));
        await peer.SendAsync(DicomPduWriter.ToArray(new DicomDataTransfer([new DicomPresentationDataValue(1, false, false, dataset.AsMemory(0, 10_000))])));

        await peer.SendAsync(what switch
        {
            "command" => DicomPduWriter.ToArray(new DicomDataTransfer([new DicomPresentationDataValue(1, true, true, command)])),
            "other-context" => DicomPduWriter.ToArray(new DicomDataTransfer([new DicomPresentationDataValue(3, false, true, dataset.AsMemory(10_000))])),
            _ => DicomPduWriter.ToArray(new DicomReleaseRequest()),
        });

        Assert.Equal(new DicomAbort(2, 6), await peer.ReadPduAsync());
        await server.WaitIdleAsync();
        Assert.Empty(Directory.GetFiles(server.Folder));
        await server.AssertEchoWorksAsync();
    }

    [Theory]
    [InlineData("1.2.3.4", (ushort)1, 1, 2)]                                   // application context not supported
    [InlineData(DicomAssociatePdu.DicomApplicationContext, (ushort)2, 2, 2)]   // protocol version not supported
    public async Task AssociateRequestWeCannotServe_RejectedWithTheReason(string applicationContext, ushort protocolVersion, byte source, byte reason)
    {
        await using var server = new TestServer();
        using var peer = await RawPeer.ConnectAsync(server);

        await peer.SendAsync(DicomPduWriter.ToArray(RawPeer.Request(DicomTransferSyntax.ImplicitVRLittleEndian, DicomStorageSopClasses.Verification) with
        {
            ApplicationContext = applicationContext,
            ProtocolVersion = protocolVersion,
        }));

        Assert.Equal(new DicomAssociateReject(1, source, reason), await peer.ReadPduAsync());
        Assert.True(await peer.IsClosedAsync());
    }

    [Fact]
    public async Task NoAssociateRequestWithinArtim_ConnectionClosed()
    {
        await using var server = new TestServer(log => new DicomServerOptions { AeTitle = "EDGE", Log = log, ArtimTimeout = TimeSpan.FromMilliseconds(500) });
        using var peer = await RawPeer.ConnectAsync(server);

        await peer.SendAsync(new byte[] { 0x01, 0x00 }); // the start of a header, then silence

        Assert.True(await peer.IsClosedAsync());
        await server.WaitIdleAsync();
        Assert.Contains(server.Log, l => l.Contains("ARTIM", StringComparison.Ordinal));
        await server.AssertEchoWorksAsync();
    }

    [Fact]
    public async Task IdleAssociation_AbortedAfterTheIdleTimeout()
    {
        await using var server = new TestServer(log => new DicomServerOptions { AeTitle = "EDGE", Log = log, IdleTimeout = TimeSpan.FromMilliseconds(500) });
        using var peer = await RawPeer.ConnectAsync(server);
        await peer.AssociateAsync(DicomTransferSyntax.ImplicitVRLittleEndian);

        Assert.Equal(new DicomAbort(2, 0), await peer.ReadPduAsync());
        Assert.True(await peer.IsClosedAsync());
        await server.WaitIdleAsync();
        Assert.Contains(server.Log, l => l.Contains("idle timeout", StringComparison.Ordinal));
        await server.AssertEchoWorksAsync();
    }

    [Fact]
    public async Task ReleaseBeforeAssociating_AbortedUnexpectedPdu()
    {
        await using var server = new TestServer();
        using var peer = await RawPeer.ConnectAsync(server);

        await peer.SendAsync(DicomPduWriter.ToArray(new DicomReleaseRequest()));

        Assert.Equal(new DicomAbort(2, 2), await peer.ReadPduAsync());
        await server.AssertEchoWorksAsync();
    }

    [Fact]
    public async Task MoreAssociationsThanAllowed_RejectedTransient()
    {
        await using var server = new TestServer(log => new DicomServerOptions { AeTitle = "EDGE", Log = log, MaxAssociations = 1 });
        using var first = await RawPeer.ConnectAsync(server);
        await first.AssociateAsync(DicomTransferSyntax.ImplicitVRLittleEndian);

        using var second = await RawPeer.ConnectAsync(server);
        await second.SendAsync(DicomPduWriter.ToArray(RawPeer.Request(DicomTransferSyntax.ImplicitVRLittleEndian, DicomStorageSopClasses.Verification)));

        Assert.Equal(new DicomAssociateReject(2, 3, 2), await second.ReadPduAsync());
        await first.SendAsync(DicomPduWriter.ToArray(new DicomReleaseRequest()));
        Assert.IsType<DicomReleaseResponse>(await first.ReadPduAsync());
        await server.WaitIdleAsync();
        await server.AssertEchoWorksAsync();
    }

    /// <summary>A peer that writes whatever bytes a test wants and reads PDUs back.</summary>
    private sealed class RawPeer : IDisposable
    {
        private readonly Socket _socket;
        private readonly ArrayBufferWriter<byte> _received = new();
        private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

        private RawPeer(Socket socket) => _socket = socket;

        public static async Task<RawPeer> ConnectAsync(TestServer server)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync("127.0.0.1", server.Port);
            return new RawPeer(socket);
        }

        public static DicomAssociateRequest Request(DicomTransferSyntax syntax, string abstractSyntax) => new(
            "EDGE", "RAWPEER", DicomAssociatePdu.DicomApplicationContext,
            [new DicomPresentationContextRequest(1, abstractSyntax, [syntax.Uid])],
            new DicomUserInformation(16384, PduSamples.ImplementationUid));

        public async Task AssociateAsync(DicomTransferSyntax syntax, string abstractSyntax = DicomStorageSopClasses.Verification)
        {
            await SendAsync(DicomPduWriter.ToArray(Request(syntax, abstractSyntax)));
            var ac = Assert.IsType<DicomAssociateAccept>(await ReadPduAsync());
            Assert.Equal(DicomPresentationContextResult.Acceptance, Assert.Single(ac.PresentationContexts).Result);
        }

        public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _socket.SendAsync(bytes, SocketFlags.None, _timeout.Token);

        public async Task<DicomPdu> ReadPduAsync()
        {
            while (true)
            {
                if (DicomPduReader.TryRead(_received.WrittenSpan, 1 << 20, out var pdu, out int consumed))
                {
                    var rest = _received.WrittenSpan[consumed..].ToArray();
                    _received.Clear();
                    _received.Write(rest);
                    return pdu;
                }
                var n = await _socket.ReceiveAsync(_received.GetMemory(4096), SocketFlags.None, _timeout.Token);
                Assert.True(n > 0, "The server closed the connection before a whole PDU arrived.");
                _received.Advance(n);
            }
        }

        /// <summary>True once the server has closed the connection (after any PDUs still unread).</summary>
        public async Task<bool> IsClosedAsync()
        {
            var scratch = new byte[4096];
            try
            {
                while (await _socket.ReceiveAsync(scratch, SocketFlags.None, _timeout.Token) > 0)
                {
                }
                return true;
            }
            catch (SocketException)
            {
                return true;
            }
        }

        public void Dispose()
        {
            _socket.Dispose();
            _timeout.Dispose();
        }
    }
}
