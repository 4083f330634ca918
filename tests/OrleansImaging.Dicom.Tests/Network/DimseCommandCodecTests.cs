using System.Buffers.Binary;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

public sealed class DimseCommandCodecTests
{
    [Fact]
    public void Encode_EchoRequest_GivesTheStandardImplicitLittleEndianBytes()
    {
        var bytes = DimseCommandCodec.Encode(DimseCommand.EchoRequest(7));

        // (0000,0000) UL, (0000,0002) UI "1.2.840.10008.1.1" + NUL, (0000,0100) US 0x0030, (0000,0110) US 7, (0000,0800) US 0x0101.
        var expected = Convert.FromHexString(
            "0000000004000000" + "38000000" +
            "0000020012000000" + Convert.ToHexString("1.2.840.10008.1.1\0"u8) +
            "00000001020000003000" +
            "00001001020000000700" +
            "00000008020000000101");
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(bytes));
        Assert.Equal((uint)(bytes.Length - 12), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
    }

    [Fact]
    public void Decode_StoreResponseWithEveryField_RoundTrips()
    {
        var request = DimseCommand.StoreRequest(42, "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5") with
        {
            MoveOriginatorAeTitle = "MOVER",
            MoveOriginatorMessageId = 9,
            Priority = 1,
        };
        var response = DimseCommand.StoreResponse(request, new DicomStoreResult(DicomStatus.CannotUnderstand, "Odd comment", [new DicomTag(0x0008, 0x0018)]));

        Assert.Equal(request, DimseCommandCodec.Decode(DimseCommandCodec.Encode(request)) with { OffendingElements = request.OffendingElements });
        var decoded = DimseCommandCodec.Decode(DimseCommandCodec.Encode(response));
        Assert.Equal(DimseCommandField.CStoreResponse, decoded.CommandField);
        Assert.Equal((ushort)42, decoded.MessageIdBeingRespondedTo);
        Assert.Equal(DicomStatus.CannotUnderstand, decoded.Status);
        Assert.Equal("Odd comment", decoded.ErrorComment);
        Assert.Equal([new DicomTag(0x0008, 0x0018)], decoded.OffendingElements!);
        Assert.Equal("1.2.3.4.5", decoded.AffectedSopInstanceUid);
        Assert.False(decoded.HasDataSet);
        Assert.True(request.HasDataSet);
    }

    [Fact]
    public void Decode_NoCommandField_Throws()
    {
        var bytes = DimseCommandCodec.Encode(DimseCommand.EchoRequest(1));
        // Turn (0000,0100) into (0000,0101), an element the codec ignores.
        var at = 12 + 8 + 18;
        Assert.Equal(0x00, bytes[at + 2]);
        bytes[at + 2] = 0x01;
        Assert.Contains("Command Field", Assert.Throws<DicomException>(() => DimseCommandCodec.Decode(bytes)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0000000004")]                       // header cut short
    [InlineData("00000000FF00000001020304")]         // length past the end
    [InlineData("0800000004000000AABBCCDD")]         // not group 0000
    [InlineData("000000010400000030000000")]         // a US of 4 bytes
    public void Decode_Malformed_Throws(string hex) =>
        Assert.Throws<DicomException>(() => DimseCommandCodec.Decode(Convert.FromHexString(hex)));

    [Fact]
    public void DefaultStorage_EveryUidIsARegisteredStorageSopClass()
    {
        foreach (var uid in DicomStorageSopClasses.DefaultStorage)
        {
            Assert.True(DicomUid.TryLookup(uid, out var registered), uid);
            Assert.EndsWith("Storage", registered.Name.Replace(" - For Presentation", "", StringComparison.Ordinal).Replace(" - For Processing", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        Assert.Equal(DicomStorageSopClasses.DefaultStorage.Count, DicomStorageSopClasses.DefaultStorage.Distinct().Count());
        Assert.All(DicomStorageSopClasses.DefaultTransferSyntaxes, ts => Assert.True(DicomTransferSyntax.Lookup(ts).IsKnown));
    }
}
