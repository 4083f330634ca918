using System.Buffers.Binary;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

public sealed class DicomPduChannelTests
{
    [Theory]
    [InlineData(4096u, 100_000)]
    [InlineData(4096u, 4090)]   // exactly one fragment's worth
    [InlineData(4096u, 0)]      // an empty data set is one empty last fragment
    [InlineData(0u, 600_000)]   // no limit from the peer: our own 256 KiB
    public async Task SendMessageAsync_FragmentsWithinThePeersMaximum(uint peerMax, int datasetLength)
    {
        var command = DimseCommandCodec.Encode(DimseCommand.StoreRequest(1, "1.2.840.10008.5.1.4.1.1.2", "1.2.3"));
        var dataset = Enumerable.Range(0, datasetLength).Select(i => (byte)(i * 7)).ToArray();
        var wire = new MemoryStream();
        var sender = new DicomPduChannel(wire, 1 << 20) { PeerMaxPduLength = peerMax };

        await sender.SendMessageAsync(3, command, new MemoryStream(dataset), CancellationToken.None);

        wire.Position = 0;
        var limit = peerMax == 0 ? 256 * 1024 : (int)peerMax;
        var receiver = new DicomPduChannel(wire, limit);
        var (commandBytes, datasetBytes) = (new MemoryStream(), new MemoryStream());
        var lastSeen = (Command: false, Data: false);
        while (await receiver.NextAsync(CancellationToken.None) is ({ } value, null))
        {
            Assert.Equal(3, value.PresentationContextId);
            Assert.False(value.IsCommand ? lastSeen.Command : lastSeen.Data, "A fragment followed the last one.");
            (value.IsCommand ? commandBytes : datasetBytes).Write(value.Data.Span);
            lastSeen = value.IsCommand ? (value.IsLast, lastSeen.Data) : (lastSeen.Command, value.IsLast);
        }
        Assert.Equal((true, true), lastSeen);
        Assert.Equal(command, commandBytes.ToArray());
        Assert.Equal(dataset, datasetBytes.ToArray());
        var expectedPdus = 1 + Math.Max(1, (datasetLength + limit - 7) / (limit - 6));
        Assert.Equal(expectedPdus, CountPdus(wire.ToArray(), limit));
    }

    private static int CountPdus(byte[] wire, int limit)
    {
        var count = 0;
        for (var at = 0; at < wire.Length; count++)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(at + 2));
            Assert.InRange(length, 6u, (uint)limit);
            at += 6 + (int)length;
        }
        return count;
    }

    [Fact]
    public async Task ReadPduAsync_DeclaredHugeButFewBytesArrive_GrowsOnlyWithTheBytes()
    {
        byte[] header = [0x04, 0x00, 0x7F, 0xFF, 0xFF, 0x00];
        var wire = new MemoryStream([.. header, .. new byte[1000]]);
        var channel = new DicomPduChannel(wire, int.MaxValue - 6);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = await Assert.ThrowsAsync<DicomNetworkException>(async () => await channel.ReadPduAsync(CancellationToken.None));

        Assert.Contains("closed inside a PDU", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "The channel allocated for the declared length.");
    }

    [Fact]
    public async Task ReadPduAsync_CleanCloseBetweenPdus_ReturnsNull()
    {
        var wire = new MemoryStream(DicomPduWriter.ToArray(new DicomReleaseRequest()));
        var channel = new DicomPduChannel(wire, 1024);

        Assert.IsType<DicomReleaseRequest>(await channel.ReadPduAsync(CancellationToken.None));
        Assert.Null(await channel.ReadPduAsync(CancellationToken.None));
    }
}
