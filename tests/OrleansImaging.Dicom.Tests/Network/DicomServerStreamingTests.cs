using OrleansImaging.Dicom.IO;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

/// <summary>The acceptor hands the data set to the handler as it arrives, and answers for the handler when it fails.</summary>
public sealed class DicomServerStreamingTests
{
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    private const string InstanceUid = "1.2.826.0.1.3680043.10.543.77";

    [Fact]
    public async Task StoreAsync_HandlerReadsBeforeTheSenderHasSentTheRest_DataSetIsStreamed()
    {
        var handler = new GatedHandler(firstPart: 150_000);
        await using var server = new TestServer(log => new DicomServerOptions { AeTitle = "EDGE", Log = log, MaxPduLength = 4096 }, handler);
        var dataset = new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian).Encode(new DicomDataset()
            .Add(DicomTag.SOPClassUID, CtImageStorage)
            .Add(DicomTag.SOPInstanceUID, InstanceUid)
            .Add(DicomTag.PixelData, DicomVR.OW, Enumerable.Range(0, 1 << 20).Select(i => (byte)i).ToArray()));
        await using var association = await DicomClientTests.Connect(server, [new DicomPresentationContextProposal(CtImageStorage, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid])], maxPdu: 4096);

        // The sender holds back everything after the first 200,000 bytes until the handler has read 150,000: an
        // acceptor that buffered the whole data set before calling the handler would never get there.
        var response = await association.StoreAsync(CtImageStorage, InstanceUid, DicomTransferSyntax.ExplicitVRLittleEndian.Uid, new GatedStream(dataset, 200_000, handler.FirstPartRead.Task), CancellationToken.None);

        Assert.Equal(DicomStatus.Success, response.Status);
        Assert.Equal(dataset, handler.Received);
        var request = handler.Request!;
        Assert.Equal((CtImageStorage, InstanceUid, "TESTSCU", "EDGE"), (request.SopClassUid, request.SopInstanceUid, request.Peer.CallingAeTitle, request.Peer.CalledAeTitle));
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, request.TransferSyntax);
        Assert.StartsWith("127.0.0.1:", request.Peer.RemoteEndPoint!.ToString(), StringComparison.Ordinal);
        await association.ReleaseAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData("io", DicomStatus.OutOfResources)]
    [InlineData("bug", DicomStatus.ProcessingFailure)]
    [InlineData("early", (ushort)0xA7F0)]
    public async Task StoreAsync_HandlerFailsOrStopsEarly_StatusSentAndAssociationGoesOn(string behaviour, ushort expected)
    {
        await using var server = new TestServer(handler: new FailingHandler(behaviour));
        var path = TestCorpus.TestFile("CT_small.dcm");
        await using var association = await DicomClientTests.Connect(server, await DicomPresentationContextProposal.ForFilesAsync([path], CancellationToken.None));

        var first = await association.StoreFileAsync(path, CancellationToken.None);
        var second = await association.StoreFileAsync(path, CancellationToken.None);
        await association.ReleaseAsync(CancellationToken.None);

        Assert.Equal((expected, expected), (first.Status, second.Status));
        Assert.DoesNotContain("Exception", first.ErrorComment ?? "", StringComparison.Ordinal);
        await server.WaitIdleAsync(); // the server logs the release after it has answered it
        Assert.Contains(server.Log, l => l.Contains("released", StringComparison.Ordinal));
    }

    private sealed class FailingHandler(string behaviour) : IDicomStoreHandler
    {
        public async Task<DicomStoreResult> StoreAsync(DicomStoreRequest request, Stream dataset, CancellationToken cancellationToken)
        {
            var buffer = new byte[100];
            await dataset.ReadExactlyAsync(buffer, cancellationToken);
            return behaviour switch
            {
                "io" => throw new IOException("No space left on device"),
                "bug" => throw new InvalidOperationException("A bug in the handler"),
                _ => new DicomStoreResult(0xA7F0, "Quota exceeded"),
            };
        }
    }

    private sealed class GatedHandler(int firstPart) : IDicomStoreHandler
    {
        public TaskCompletionSource FirstPartRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DicomStoreRequest? Request { get; private set; }

        public byte[]? Received { get; private set; }

        public async Task<DicomStoreResult> StoreAsync(DicomStoreRequest request, Stream dataset, CancellationToken cancellationToken)
        {
            Request = request;
            using var copy = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            while ((read = await dataset.ReadAsync(buffer, cancellationToken)) > 0)
            {
                copy.Write(buffer, 0, read);
                if (copy.Length >= firstPart)
                    FirstPartRead.TrySetResult();
            }
            Received = copy.ToArray();
            return DicomStoreResult.Success;
        }
    }

    /// <summary>Yields the bytes up to <paramref name="gateAt"/>, then waits (at most 20 s) for <paramref name="gate"/>.</summary>
    private sealed class GatedStream(byte[] bytes, int gateAt, Task gate) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == gateAt)
                await gate.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            var end = _position < gateAt ? gateAt : bytes.Length;
            var n = Math.Min(buffer.Length, end - _position);
            bytes.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
