using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

public sealed class DicomPduTests
{
    private const int OneMiB = 1 << 20;

    public static TheoryData<int> PduIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < PduSamples.All().Count(); i++)
            data.Add(i);
        return data;
    }

    private static DicomPdu Sample(int index) => PduSamples.All().ElementAt(index);

    [Theory]
    [MemberData(nameof(PduIndexes))]
    public void RoundTrip_EveryPdu_DecodesToTheSameFieldsAndBytes(int index)
    {
        var pdu = Sample(index);
        var bytes = DicomPduWriter.ToArray(pdu);

        Assert.True(DicomPduReader.TryRead(bytes, OneMiB, out var read, out int consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(pdu.Type, read.Type);
        Assert.Equal(bytes, DicomPduWriter.ToArray(read));
        AssertSame(pdu, read);

        var buffer = new ArrayBufferWriter<byte>();
        Assert.Equal(bytes.Length, DicomPduWriter.Write(pdu, buffer));
        Assert.Equal(bytes, buffer.WrittenSpan.ToArray());
    }

    private static void AssertSame(DicomPdu expected, DicomPdu actual)
    {
        switch (expected)
        {
            case DicomAssociateRequest rq:
                var rqRead = Assert.IsType<DicomAssociateRequest>(actual);
                AssertAssociate(rq, rqRead);
                Assert.Equal(rq.PresentationContexts.Count, rqRead.PresentationContexts.Count);
                for (var i = 0; i < rq.PresentationContexts.Count; i++)
                {
                    Assert.Equal(rq.PresentationContexts[i].Id, rqRead.PresentationContexts[i].Id);
                    Assert.Equal(rq.PresentationContexts[i].AbstractSyntax, rqRead.PresentationContexts[i].AbstractSyntax);
                    Assert.Equal(rq.PresentationContexts[i].TransferSyntaxes, rqRead.PresentationContexts[i].TransferSyntaxes);
                }
                break;
            case DicomAssociateAccept ac:
                var acRead = Assert.IsType<DicomAssociateAccept>(actual);
                AssertAssociate(ac, acRead);
                Assert.Equal(ac.PresentationContexts, acRead.PresentationContexts);
                break;
            case DicomDataTransfer data:
                var dataRead = Assert.IsType<DicomDataTransfer>(actual);
                Assert.Equal(data.Values.Count, dataRead.Values.Count);
                for (var i = 0; i < data.Values.Count; i++)
                {
                    var (e, a) = (data.Values[i], dataRead.Values[i]);
                    Assert.Equal((e.PresentationContextId, e.IsCommand, e.IsLast), (a.PresentationContextId, a.IsCommand, a.IsLast));
                    Assert.Equal(e.Data.ToArray(), a.Data.ToArray());
                }
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }

    private static void AssertAssociate(DicomAssociatePdu expected, DicomAssociatePdu actual)
    {
        Assert.Equal(expected.CalledAeTitle, actual.CalledAeTitle);
        Assert.Equal(expected.CallingAeTitle, actual.CallingAeTitle);
        Assert.Equal(expected.ApplicationContext, actual.ApplicationContext);
        Assert.Equal(expected.ProtocolVersion, actual.ProtocolVersion);
        var (e, a) = (expected.UserInformation, actual.UserInformation);
        Assert.Equal(e.MaximumLength, a.MaximumLength);
        Assert.Equal(e.ImplementationClassUid, a.ImplementationClassUid);
        Assert.Equal(e.ImplementationVersionName, a.ImplementationVersionName);
        Assert.Equal(e.OtherSubItems.Select(i => (i.Type, Convert.ToHexString(i.Value.Span))), a.OtherSubItems.Select(i => (i.Type, Convert.ToHexString(i.Value.Span))));
    }

    /// <summary>The A-ASSOCIATE-RQ assembled byte by byte from PS3.8 tables 9-11 to 9-16 and D.3-1.</summary>
    [Fact]
    public void Write_KnownAssociateRequest_GivesTheStandardLayout()
    {
        var variable = new List<byte>();
        void Item(byte type, string text) => variable.AddRange([type, 0, (byte)(text.Length >> 8), (byte)text.Length, .. Encoding.ASCII.GetBytes(text)]);

        Item(0x10, "1.2.840.10008.3.1.1.1");
        var abstractItem = 4 + PduSamples.CtImageStorage.Length;
        var tsItems = 4 + PduSamples.ExplicitVrLittleEndian.Length + 4 + PduSamples.ImplicitVrLittleEndian.Length;
        var pcLength = 4 + abstractItem + tsItems;
        variable.AddRange([0x20, 0, (byte)(pcLength >> 8), (byte)pcLength, 1, 0, 0, 0]);
        Item(0x30, PduSamples.CtImageStorage);
        Item(0x40, PduSamples.ExplicitVrLittleEndian);
        Item(0x40, PduSamples.ImplicitVrLittleEndian);
        var uiLength = 8 + 4 + PduSamples.ImplementationUid.Length;
        variable.AddRange([0x50, 0, 0, (byte)uiLength, 0x51, 0, 0, 4, 0x00, 0x00, 0x40, 0x00]);
        Item(0x52, PduSamples.ImplementationUid);

        var pdu = new List<byte> { 0x01, 0 };
        var length = 68 + variable.Count;
        pdu.AddRange([(byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length]);
        pdu.AddRange([0x00, 0x01, 0, 0]);
        pdu.AddRange(Encoding.ASCII.GetBytes("EDGE            "));
        pdu.AddRange(Encoding.ASCII.GetBytes("STORESCU        "));
        pdu.AddRange(new byte[32]);
        pdu.AddRange(variable);

        var written = DicomPduWriter.ToArray(PduSamples.Request());

        Assert.Equal(Convert.ToHexString(pdu.ToArray()), Convert.ToHexString(written));
        Assert.True(DicomPduReader.TryRead(pdu.ToArray(), OneMiB, out var read, out int _));
        var rq = Assert.IsType<DicomAssociateRequest>(read);
        Assert.Equal(("EDGE", "STORESCU", 16384u), (rq.CalledAeTitle, rq.CallingAeTitle, rq.UserInformation.MaximumLength!.Value));
    }

    [Theory]
    [MemberData(nameof(PduIndexes))]
    public void TryRead_EverySplitPoint_NeedsMoreUntilComplete(int index)
    {
        var bytes = DicomPduWriter.ToArray(Sample(index));
        byte[] withNext = [.. bytes, 0x05, 0x00];

        for (var end = 0; end < bytes.Length; end++)
        {
            Assert.False(DicomPduReader.TryRead(bytes.AsSpan(0, end), OneMiB, out _, out int _));
            Assert.False(DicomPduReader.TryRead(new ReadOnlySequence<byte>(bytes, 0, end), OneMiB, out _, out long _));
        }
        for (var split = 0; split <= withNext.Length; split++)
        {
            Assert.True(DicomPduReader.TryRead(PduSamples.Split(withNext, split), OneMiB, out var read, out long consumed));
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(bytes, DicomPduWriter.ToArray(read));
        }
    }

    private static DicomPduException Refused(byte[] bytes, int max = OneMiB) =>
        Assert.Throws<DicomPduException>(() => DicomPduReader.TryRead(bytes, max, out _, out int _));

    [Fact]
    public void TryRead_UnknownPduType_Throws()
    {
        Assert.Contains("0x08", Refused([0x08, 0, 0, 0, 0, 4]).Message, StringComparison.Ordinal);
        Refused([0x00, 0, 0, 0, 0, 4]);
    }

    [Fact]
    public void TryRead_HugeLengthFromSixBytes_RefusedWithoutTheBody()
    {
        byte[] header = [0x04, 0, 0xFF, 0xFF, 0xFF, 0xF0];

        var error = Refused(header);
        Assert.IsAssignableFrom<DicomException>(error);
        Assert.Throws<DicomPduException>(() => DicomPduReader.TryRead(new ReadOnlySequence<byte>(header), OneMiB, out _, out long _));
    }

    [Fact]
    public void TryRead_LongerThanMaximum_Throws()
    {
        var bytes = DicomPduWriter.ToArray(PduSamples.Request());
        Refused(bytes, bytes.Length - 7);
        Assert.True(DicomPduReader.TryRead(bytes, bytes.Length - 6, out _, out int _));
    }

    [Fact]
    public void TryRead_ItemLengthPastItsParent_Throws()
    {
        var bytes = DicomPduWriter.ToArray(PduSamples.Request());
        var contextItem = 74 + 4 + 21;
        Assert.Equal(0x20, bytes[contextItem]);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(contextItem + 2), 0x4000);
        Assert.Contains("past the end", Refused(bytes).Message, StringComparison.Ordinal);

        // An abstract syntax sub-item longer than its presentation context.
        bytes = DicomPduWriter.ToArray(PduSamples.Request());
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(contextItem + 8 + 2), 200);
        Refused(bytes);

        // A PDV item longer than its P-DATA-TF.
        var data = DicomPduWriter.ToArray(new DicomDataTransfer([new DicomPresentationDataValue(1, false, true, new byte[] { 1, 2 })]));
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(6), 5);
        Refused(data);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(254)]
    public void TryRead_EvenOrZeroContextId_Throws(byte id)
    {
        var bytes = DicomPduWriter.ToArray(PduSamples.Request());
        var contextId = 74 + 4 + 21 + 4;
        Assert.Equal(1, bytes[contextId]);
        bytes[contextId] = id;
        Assert.Contains("not odd", Refused(bytes).Message, StringComparison.Ordinal);

        var data = DicomPduWriter.ToArray(new DicomDataTransfer([new DicomPresentationDataValue(1, true, true, new byte[] { 9 })]));
        data[10] = id;
        Refused(data);

        Assert.Throws<DicomPduException>(() => DicomPduWriter.ToArray(PduSamples.Request() with
        {
            PresentationContexts = [new DicomPresentationContextRequest(id, PduSamples.CtImageStorage, [PduSamples.ImplicitVrLittleEndian])],
        }));
    }

    [Fact]
    public void Write_EvenContextIdInData_ThrowsBeforeWriting()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var data = new DicomDataTransfer([new DicomPresentationDataValue(2, false, true, new byte[] { 1 })]);

        Assert.Throws<DicomPduException>(() => DicomPduWriter.Write(data, buffer));
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void Write_AeTitleOver16_Throws()
    {
        Assert.Throws<DicomPduException>(() => DicomPduWriter.ToArray(PduSamples.Request() with { CallingAeTitle = "SEVENTEEN-CHARS-X" }));
        Assert.Throws<DicomPduException>(() => DicomPduWriter.ToArray(PduSamples.Request() with { CalledAeTitle = "SEVENTEEN-CHARS-X" }));
    }

    [Fact]
    public void TryRead_FixedPduOfWrongLength_Throws() => Refused([0x05, 0, 0, 0, 0, 2, 0, 0]);
}
