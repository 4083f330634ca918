using System.Buffers;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

internal static class PduSamples
{
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    public const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";
    public const string ImplementationUid = "1.2.826.0.1.3680043.10.543.1";

    public static DicomAssociateRequest Request() => new(
        "EDGE",
        "STORESCU",
        DicomAssociatePdu.DicomApplicationContext,
        [new DicomPresentationContextRequest(1, CtImageStorage, [ExplicitVrLittleEndian, ImplicitVrLittleEndian])],
        new DicomUserInformation(16384, ImplementationUid));

    public static IEnumerable<DicomPdu> All()
    {
        yield return Request();
        yield return new DicomAssociateRequest(
            "A-SIXTEEN-CHARS!", "B", DicomAssociatePdu.DicomApplicationContext,
            [
                new DicomPresentationContextRequest(1, CtImageStorage, [ExplicitVrLittleEndian]),
                new DicomPresentationContextRequest(3, "1.2.840.10008.1.1", [ImplicitVrLittleEndian]),
            ],
            new DicomUserInformation(
                0, ImplementationUid, "ORLEANS_1",
                [new DicomUserInformationSubItem(0x53, new byte[] { 0, 1, 0, 1 }), new DicomUserInformationSubItem(0x58, new byte[] { 1, 0, 0, 2, 0x41, 0x42, 0, 0 })]));
        yield return new DicomAssociateAccept(
            "EDGE", "STORESCU", DicomAssociatePdu.DicomApplicationContext,
            [
                new DicomPresentationContextAccept(1, DicomPresentationContextResult.Acceptance, ExplicitVrLittleEndian),
                new DicomPresentationContextAccept(3, DicomPresentationContextResult.AbstractSyntaxNotSupported, ImplicitVrLittleEndian),
            ],
            new DicomUserInformation(32768, ImplementationUid, "ORLEANS_1"));
        yield return new DicomAssociateReject(1, 1, 7);
        yield return new DicomDataTransfer(
        [
            new DicomPresentationDataValue(1, true, true, new byte[] { 1, 2, 3, 4, 5 }),
            new DicomPresentationDataValue(3, false, false, Array.Empty<byte>()),
            new DicomPresentationDataValue(255, false, true, Enumerable.Range(0, 300).Select(i => (byte)i).ToArray()),
        ]);
        yield return new DicomReleaseRequest();
        yield return new DicomReleaseResponse();
        yield return new DicomAbort(2, 6);
    }

    /// <summary>A sequence of two segments split at <paramref name="split"/>.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split));
        var last = first.Append(bytes.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
