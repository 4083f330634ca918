using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Tests.Robustness;

/// <summary>
/// The reader's promise for bad input: a <see cref="DicomException"/> (exactly that type) whose
/// message names the offset, and the tag where there is one; or a documented recovery with a
/// warning. Each case is read from memory, from a non-seekable stream and from a seekable one.
/// </summary>
public sealed class BadInputTests
{
    private static readonly DicomTag Modality = new(0x0008, 0x0060);
    private static readonly DicomTag ReferencedImageSequence = new(0x0008, 0x1140);
    private static readonly DicomTag ReferencedSopInstanceUid = new(0x0008, 0x1155);
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag PatientId = new(0x0010, 0x0020);
    private static readonly DicomTag Rows = new(0x0028, 0x0010);
    private static readonly DicomTag Columns = new(0x0028, 0x0011);
    private static readonly DicomTag EncapsulatedDocument = new(0x0042, 0x0011);
    private static readonly DicomTag ContentSequence = new(0x0040, 0xA730);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(127)]
    [InlineData(132)]
    [InlineData(1024)]
    [InlineData(65536)]
    public async Task Read_FileOfZeros_ThrowsNotDicomAtOffsetZero(int size)
    {
        var errors = await AssertRejectedEverywhereAsync(new byte[size], offset: 0, tag: null);

        Assert.All(errors, e => Assert.StartsWith("Not DICOM", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_JpegRenamedDcm_ThrowsNotDicomAtOffsetZero()
    {
        // SOI, APP0 "JFIF" 1.01, no thumbnail, then EOI: what a .jpg starts and ends with.
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, .. new byte[300], 0xFF, 0xD9];

        var errors = await AssertRejectedEverywhereAsync(jpeg, offset: 0, tag: null);

        Assert.All(errors, e => Assert.StartsWith("Not DICOM", e.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("CT_small.dcm")]
    [InlineData("MR_small.dcm")]
    public async Task Read_CorpusFileCutEvery1000Bytes_ParsesAtTopLevelBoundaryOrThrowsDicomException(string name)
    {
        var whole = await File.ReadAllBytesAsync(Corpus.File(name));
        var complete = DicomFile.Parse(whole).Dataset.ToList();
        var parsed = 0;
        for (var cut = 1000; cut < whole.Length; cut += 1000)
        {
            var data = whole.AsMemory(0, cut);
            var error = Record.Exception(() => DicomFile.Parse(data));
            if (error is null)
            {
                // Only a cut exactly after a top-level value leaves a complete (shorter) data set.
                var read = DicomFile.Parse(data).Dataset.ToList();
                Assert.Equal(complete.Take(read.Count).Select(a => a.Tag), read.Select(a => a.Tag));
                var last = Assert.IsType<DicomElement>(read[^1]);
                Assert.True(MemoryMarshal.TryGetArray(last.RawValue, out var segment));
                Assert.Equal(cut, segment.Offset + segment.Count);
                parsed++;
                continue;
            }
            var exception = AssertDicomException(error);
            Assert.InRange(exception.Offset!.Value, 0, cut);
            // A stream cannot check a sequence's length against an end it has not seen, so it may fail
            // further in, inside the sequence, but never before the memory path does.
            var streamError = await Record.ExceptionAsync(() => DicomFile.ReadAsync(new NonSeekableStream(whole[..cut])));
            Assert.InRange(AssertDicomException(streamError).Offset!.Value, exception.Offset.Value, cut);
        }
        Assert.True(parsed < whole.Length / 1000, "most cuts land inside a value");
    }

    [Fact]
    public async Task Read_ItemLongerThanItsSequence_ExtendsTheSequenceWithAWarning()
    {
        // The sequence declares 8 bytes fewer than its item holds, a miscount seen in DICOMDIRs.
        var item = new DicomBytes().Text(0x0008, 0x1155, "UI", "1.2.3").ToArray();
        var dataset = new DicomBytes()
            .Text(0x0008, 0x0060, "CS", "CT")
            .Header(0x0008, 0x1140, "SQ", (uint)(8 + item.Length - 8))
            .Item((uint)item.Length).Raw(item)
            .Text(0x0010, 0x0010, "PN", "Doe^Jane")
            .ToArray();

        foreach (var file in await ReadEverywhereAsync(DicomBytes.Part10(dataset)))
        {
            var sequence = Assert.IsType<DicomSequence>(file.Dataset.GetAttribute(ReferencedImageSequence));
            Assert.Equal("1.2.3", Assert.Single(sequence.Items).GetStringOrNull(ReferencedSopInstanceUid));
            Assert.Equal("Doe^Jane", file.Dataset.GetStringOrNull(PatientName));
            Assert.Contains(file.Warnings, w => w.Contains("past the declared end of its enclosing sequence (0008,1140)", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Read_LastItemLongerThanTheFile_ReadsToTheEndWithAWarning()
    {
        var item = new DicomBytes().Text(0x0008, 0x1155, "UI", "1.2.3").ToArray();
        var dataset = new DicomBytes()
            .Text(0x0008, 0x0060, "CS", "CT")
            .Header(0x0008, 0x1140, "SQ", (uint)(8 + item.Length))
            .Item((uint)item.Length + 1000).Raw(item)
            .ToArray();

        foreach (var file in await ReadEverywhereAsync(DicomBytes.Part10(dataset)))
        {
            var sequence = Assert.IsType<DicomSequence>(file.Dataset.GetAttribute(ReferencedImageSequence));
            Assert.Equal("1.2.3", Assert.Single(sequence.Items).GetStringOrNull(ReferencedSopInstanceUid));
            Assert.Contains(file.Warnings, w => w.Contains("declares 1014 bytes but the input ends after 14; read to the end", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Read_ItemLongerThanItsSequenceWithGarbageAfter_ThrowsDicomException()
    {
        var item = new DicomBytes().Text(0x0008, 0x1155, "UI", "1.2.3").ToArray();
        var prefix = new DicomBytes()
            .Header(0x0008, 0x1140, "SQ", (uint)(8 + item.Length))
            .Item((uint)item.Length + 8).Raw(item);
        var garbageAt = prefix.Length;
        var dataset = prefix.Raw(0x08, 0x00, 0x50, 0x11, (byte)'?', (byte)'?', 0, 0).Raw(new byte[16]).ToArray();
        var file = DicomBytes.Part10(dataset);
        var start = file.Length - dataset.Length;

        var errors = await AssertRejectedEverywhereAsync(file, start + garbageAt + 4, new DicomTag(0x0008, 0x1150));

        Assert.All(errors, e => Assert.StartsWith("Invalid VR bytes 0x3F3F", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_ElementLongerThanTheFile_ThrowsDicomExceptionNamingTheElement()
    {
        var prefix = new DicomBytes().Text(0x0008, 0x0060, "CS", "CT");
        var at = prefix.Length;
        var dataset = prefix.Header(0x0010, 0x0010, "PN", 100).Raw("Doe^Jane"u8.ToArray()).ToArray();
        var file = DicomBytes.Part10(dataset);

        await AssertRejectedEverywhereAsync(file, file.Length - dataset.Length + at, PatientName);
    }

    [Fact]
    public async Task Read_UndefinedLengthOBOutsidePixelData_ThrowsDicomException()
    {
        var prefix = new DicomBytes().Text(0x0008, 0x0060, "CS", "OT");
        var at = prefix.Length;
        var dataset = prefix.Header(0x0042, 0x0011, "OB", DicomBytes.Undefined).Item(4).U32(0).SequenceDelimiter().ToArray();
        var file = DicomBytes.Part10(dataset);

        var errors = await AssertRejectedEverywhereAsync(file, file.Length - dataset.Length + at, EncapsulatedDocument);

        Assert.All(errors, e => Assert.Contains("undefined length", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_UnknownSpecificCharacterSet_KeepsTheBytesAndWarns()
    {
        byte[] name = [(byte)'M', 0xFC, (byte)'l', (byte)'l', (byte)'e', (byte)'r', (byte)'^', (byte)'J'];
        var dataset = new DicomBytes().Text(0x0008, 0x0005, "CS", "ISO_IR 999").Element(0x0010, 0x0010, "PN", name).ToArray();

        foreach (var file in await ReadEverywhereAsync(DicomBytes.Part10(dataset)))
        {
            Assert.False(file.Dataset.CharacterSet.IsKnown);
            Assert.Equal(name, Assert.IsType<DicomElement>(file.Dataset.GetAttribute(PatientName)).RawValue.ToArray());
            Assert.Contains(file.Warnings, w => w.StartsWith("Specific Character Set 'ISO_IR 999' is not one this library knows", StringComparison.Ordinal));
            Assert.Equal(typeof(string), file.Dataset.Get<string>(PatientName).GetType());
        }
    }

    [Fact]
    public async Task Get_RowsWithThreeBytesInImplicitVR_ReadsButRefusesTheNumber()
    {
        var dataset = new DicomBytes { Implicit = true }
            .Text(0x0008, 0x0060, "CS", "CT")
            .Header(0x0028, 0x0010, "US", 3).Raw(4, 0, 0)
            .Header(0x0028, 0x0011, "US", 2).Raw(4, 0)
            .ToArray();

        foreach (var file in await ReadEverywhereAsync(DicomBytes.Part10(dataset, DicomBytes.ImplicitVRLittleEndian)))
        {
            Assert.Equal(3, Assert.IsType<DicomElement>(file.Dataset.GetAttribute(Rows)).Length);
            Assert.Equal(typeof(DicomException), Record.Exception(() => file.Dataset.Get<ushort>(Rows))?.GetType());
            Assert.False(file.Dataset.TryGet<ushort>(Rows, out _));
            Assert.Equal(2, Assert.IsType<DicomElement>(file.Dataset.GetAttribute(Columns)).Length);
        }
    }

    [Fact]
    public async Task Get_UsWithThreeBytesInExplicitVR_ReadsButRefusesTheNumber()
    {
        var dataset = new DicomBytes()
            .Header(0x0028, 0x0010, "US", 3).Raw(4, 0, 0)
            .UShort(0x0028, 0x0011, 4)
            .ToArray();

        foreach (var file in await ReadEverywhereAsync(DicomBytes.Part10(dataset)))
        {
            var error = Record.Exception(() => file.Dataset.Get<ushort>(Rows));
            Assert.Equal(typeof(DicomException), error?.GetType());
            Assert.Contains("(0028,0010)", error!.Message, StringComparison.Ordinal);
            Assert.False(file.Dataset.TryGet<ushort>(Rows, out _));
            Assert.Equal((ushort)4, file.Dataset.Get<ushort>(Columns));
        }
    }

    [Fact]
    public async Task Read_OddLengthValues_AreKeptAsEncodedAndTheNextElementIsRead()
    {
        var dataset = new DicomBytes()
            .Element(0x0010, 0x0010, "PN", "Doe^J"u8.ToArray())
            .Element(0x0010, 0x0020, "LO", "ID7"u8.ToArray())
            .Element(0x0028, 0x0010, "US", [4])
            .UShort(0x0028, 0x0011, 4)
            .ToArray();

        foreach (var file in await ReadEverywhereAsync(DicomBytes.Part10(dataset)))
        {
            Assert.Equal("Doe^J", file.Dataset.GetStringOrNull(PatientName));
            Assert.Equal("ID7", file.Dataset.GetStringOrNull(PatientId));
            Assert.False(file.Dataset.TryGet<ushort>(Rows, out _));
            Assert.Equal((ushort)4, file.Dataset.Get<ushort>(Columns));
        }
    }

    [Fact]
    public async Task Read_EmptyItemDelimiterAtTopLevel_IsSkipped()
    {
        var dataset = new DicomBytes().Text(0x0008, 0x0060, "CS", "CT").ItemDelimiter().Text(0x0010, 0x0010, "PN", "Doe").ToArray();

        foreach (var file in await ReadEverywhereAsync(DicomBytes.Part10(dataset)))
            Assert.Equal([Modality, PatientName], file.Dataset.Select(a => a.Tag));
    }

    [Fact]
    public async Task Read_ItemDelimiterWithALengthAtTopLevel_ThrowsDicomException()
    {
        var prefix = new DicomBytes().Text(0x0008, 0x0060, "CS", "CT");
        var at = prefix.Length;
        var dataset = prefix.U16(0xFFFE).U16(0xE00D).U32(4).U32(0).Text(0x0010, 0x0010, "PN", "Doe").ToArray();
        var file = DicomBytes.Part10(dataset);

        await AssertRejectedEverywhereAsync(file, file.Length - dataset.Length + at, DicomTag.ItemDelimitationItem);
    }

    [Fact]
    public async Task Read_ItemDelimiterInsideADefinedLengthItem_ThrowsDicomException()
    {
        var content = new DicomBytes().Text(0x0008, 0x1155, "UI", "1.2.3");
        var delimiterInItem = content.Length;
        content.ItemDelimiter().Text(0x0008, 0x1150, "UI", "1.2");
        var prefix = new DicomBytes().Header(0x0008, 0x1140, "SQ", (uint)(8 + content.Length)).Item((uint)content.Length);
        var at = prefix.Length + delimiterInItem;
        var dataset = prefix.Raw(content.ToArray()).ToArray();
        var file = DicomBytes.Part10(dataset);

        var errors = await AssertRejectedEverywhereAsync(file, file.Length - dataset.Length + at, DicomTag.ItemDelimitationItem);

        Assert.All(errors, e => Assert.Contains("inside item of (0008,1140)", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_SequenceDelimiterWhereAnElementIsExpected_ThrowsDicomException()
    {
        var prefix = new DicomBytes().Text(0x0008, 0x0060, "CS", "CT");
        var at = prefix.Length;
        var dataset = prefix.SequenceDelimiter().Text(0x0010, 0x0010, "PN", "Doe").ToArray();
        var file = DicomBytes.Part10(dataset);

        await AssertRejectedEverywhereAsync(file, file.Length - dataset.Length + at, DicomTag.SequenceDelimitationItem);
    }

    [Fact]
    public async Task Read_InvalidVRBytes_ThrowsDicomExceptionAtTheVR()
    {
        var prefix = new DicomBytes().Text(0x0008, 0x0060, "CS", "CT");
        var at = prefix.Length;
        var dataset = prefix.U16(0x0010).U16(0x0010).Raw(0x01, 0x02).U16(4).Raw("Doe "u8.ToArray()).ToArray();
        var file = DicomBytes.Part10(dataset);

        await AssertRejectedEverywhereAsync(file, file.Length - dataset.Length + at + 4, PatientName);
    }

    [Fact]
    public async Task Read_UnknownUpperCaseVR_IsReadAsUNWithA32BitLength()
    {
        var dataset = new DicomBytes().Text(0x0008, 0x0060, "CS", "CT").Header(0x0010, 0x0010, "ZZ", 4).Raw("Doe "u8.ToArray()).ToArray();

        foreach (var file in await ReadEverywhereAsync(DicomBytes.Part10(dataset)))
        {
            var element = Assert.IsType<DicomElement>(file.Dataset.GetAttribute(PatientName));
            Assert.Equal(DicomVR.UN, element.VR);
            Assert.Equal("Doe "u8.ToArray(), element.RawValue.ToArray());
        }
    }

    [Fact]
    public async Task Read_Nesting10000Deep_ThrowsDicomExceptionNamingTheLimit()
    {
        const int depth = 10_000;
        var data = Nested(depth, out var sixtyFifthSequenceAt);

        var errors = await AssertRejectedEverywhereAsync(data, sixtyFifthSequenceAt, ContentSequence);

        Assert.All(errors, e => Assert.StartsWith("Sequences are nested more than 64 deep", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_Nesting10000DeepWithTheLimitRaised_ParsesWithoutRecursing()
    {
        const int depth = 10_000;
        var data = Nested(depth, out _);
        var options = new DicomReadOptions { MaxNestingDepth = depth };

        foreach (var file in await ReadEverywhereAsync(data, options))
        {
            var level = 0;
            var dataset = file.Dataset;
            while (dataset.GetSequenceOrDefault(ContentSequence) is { } sequence)
            {
                dataset = Assert.Single(sequence.Items);
                level++;
            }
            Assert.Equal(depth, level);
            // The innermost item inherits the character set through 10,000 parents.
            Assert.True(dataset.CharacterSet.IsKnown);
        }
    }

    [Theory]
    [InlineData(0xFFFFFFF0u)]
    [InlineData(0x7FFFFF00u)]
    [InlineData(0x10000000u)]
    public async Task Read_HugeDeclaredLengthInA1KiBFile_ThrowsDicomExceptionWithoutAllocatingIt(uint declared)
    {
        var prefix = new DicomBytes().Text(0x0008, 0x0060, "CS", "OT");
        var at = prefix.Length;
        var dataset = prefix.Header(0x0042, 0x0011, "OB", declared).Raw(new byte[1024 - 200]).ToArray();
        var file = DicomBytes.Part10(dataset);
        var offset = file.Length - dataset.Length + at;
        const long allowance = 1024 * 1024;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var memoryError = Record.Exception(() => DicomFile.Parse(file));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        AssertDicomException(memoryError, offset, EncapsulatedDocument);
        Assert.InRange(allocated, 0, allowance);
        foreach (var seekable in new[] { false, true })
        {
            // The stream double completes synchronously, so the allocation is measured on this thread.
            before = GC.GetAllocatedBytesForCurrentThread();
            var read = DicomFile.ReadAsync(seekable ? new MemoryStream(file, writable: false) : new NonSeekableStream(file));
            var streamError = await Record.ExceptionAsync(() => read);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            AssertDicomException(streamError, offset, EncapsulatedDocument);
            Assert.InRange(allocated, 0, allowance);
        }
    }

    [Fact]
    public async Task Read_DicmWithoutPreamble_ReadsTheMetaAndWarns()
    {
        var dataset = DicomBytes.SmallDataset().ToArray();
        var file = DicomBytes.Part10(dataset, preamble: false);

        foreach (var withDicm in new[] { true, false })
        {
            var data = withDicm ? [.. "DICM"u8, .. file] : file;
            foreach (var read in await ReadEverywhereAsync(data))
            {
                Assert.False(read.HadPreamble);
                Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, read.TransferSyntax);
                Assert.Equal("1.2.840.10008.5.1.4.1.1.2", read.FileMetaInformation.GetStringOrNull(new DicomTag(0x0002, 0x0002)));
                Assert.Equal("Doe^Jane", read.Dataset.GetStringOrNull(PatientName));
                Assert.Contains(read.Warnings, w => w.StartsWith(withDicm ? "The file has \"DICM\" but no 128-byte preamble" : "The file has no preamble; the File Meta Information starts at offset 0", StringComparison.Ordinal));
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Read_BareDataSetWithoutMeta_DetectsTheEncoding(bool isImplicit)
    {
        var dataset = DicomBytes.SmallDataset(isImplicit).ToArray();

        foreach (var file in await ReadEverywhereAsync(dataset))
        {
            Assert.Equal(0, file.FileMetaInformation.Count);
            Assert.Equal(isImplicit ? DicomTransferSyntax.ImplicitVRLittleEndian : DicomTransferSyntax.ExplicitVRLittleEndian, file.TransferSyntax);
            Assert.Equal("Doe^Jane"u8.ToArray(), Assert.IsType<DicomElement>(file.Dataset.GetAttribute(PatientName)).RawValue.ToArray());
            Assert.Equal(5, file.Dataset.Count);
            Assert.Contains("The file has no preamble and no File Meta Information; read as a bare data set.", file.Warnings);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Read_MetaWithoutTransferSyntax_DetectsTheEncodingAndWarns(bool isImplicit)
    {
        var file = DicomBytes.Part10(DicomBytes.SmallDataset(isImplicit).ToArray(), transferSyntax: null);
        var expected = isImplicit ? DicomTransferSyntax.ImplicitVRLittleEndian : DicomTransferSyntax.ExplicitVRLittleEndian;

        foreach (var read in await ReadEverywhereAsync(file))
        {
            Assert.Equal(expected, read.TransferSyntax);
            Assert.Equal("Doe^Jane"u8.ToArray(), Assert.IsType<DicomElement>(read.Dataset.GetAttribute(PatientName)).RawValue.ToArray());
            Assert.Contains($"The File Meta Information has no Transfer Syntax UID; the data set looks like {expected.Name}.", read.Warnings);
        }
    }

    [Fact]
    public async Task Read_DeflatedDataSetWithinTheLimit_Inflates()
    {
        var file = DicomBytes.Part10(Deflate(LargeDataset(256 * 1024)), DicomBytes.DeflatedExplicitVRLittleEndian);

        foreach (var read in await ReadEverywhereAsync(file))
        {
            Assert.Equal(DicomTransferSyntax.DeflatedExplicitVRLittleEndian, read.TransferSyntax);
            Assert.Equal(256 * 1024, Assert.IsType<DicomElement>(read.Dataset.GetAttribute(EncapsulatedDocument)).Length);
        }
    }

    [Fact]
    public async Task Read_DeflatedDataSetInflatingPastTheLimit_ThrowsDicomException()
    {
        var file = DicomBytes.Part10(Deflate(LargeDataset(1024 * 1024)), DicomBytes.DeflatedExplicitVRLittleEndian);
        var options = new DicomReadOptions { MaxInflatedLength = 64 * 1024 };

        var errors = await AssertRejectedEverywhereAsync(file, offset: null, tag: null, options);

        Assert.All(errors, e => Assert.StartsWith("The deflated data set inflates to more than 65536 bytes", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_GarbageDeflateStream_ThrowsDicomException()
    {
        var garbage = new byte[2048];
        new Random(20261125).NextBytes(garbage);
        garbage[0] = 0xFF; // BTYPE 11: a reserved block type, invalid whatever follows
        var file = DicomBytes.Part10(garbage, DicomBytes.DeflatedExplicitVRLittleEndian);

        await AssertRejectedEverywhereAsync(file, offset: null, tag: null);
    }

    private static byte[] Nested(int depth, out long sixtyFifthSequenceAt)
    {
        var dataset = new DicomBytes().Text(0x0008, 0x0060, "CS", "SR");
        sixtyFifthSequenceAt = 0;
        for (var i = 0; i < depth; i++)
        {
            if (i == 64)
                sixtyFifthSequenceAt = dataset.Length;
            dataset.Header(0x0040, 0xA730, "SQ", DicomBytes.Undefined).Item();
        }
        for (var i = 0; i < depth; i++)
            dataset.ItemDelimiter().SequenceDelimiter();
        var bytes = dataset.ToArray();
        var file = DicomBytes.Part10(bytes);
        sixtyFifthSequenceAt += file.Length - bytes.Length;
        return file;
    }

    private static byte[] LargeDataset(int documentLength) => new DicomBytes()
        .Text(0x0008, 0x0060, "CS", "OT")
        .Element(0x0042, 0x0011, "OB", new byte[documentLength])
        .ToArray();

    private static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(data);
        return output.ToArray();
    }

    private static async Task<List<DicomFile>> ReadEverywhereAsync(byte[] data, DicomReadOptions? options = null) =>
    [
        DicomFile.Parse(data, options),
        await DicomFile.ReadAsync(new NonSeekableStream(data), options),
        await DicomFile.ReadAsync(new MemoryStream(data, writable: false), options),
    ];

    /// <summary>Reads through all three paths and asserts each fails the same way.</summary>
    private static async Task<List<DicomException>> AssertRejectedEverywhereAsync(byte[] data, long? offset, DicomTag? tag, DicomReadOptions? options = null)
    {
        List<DicomException> errors =
        [
            AssertDicomException(Record.Exception(() => DicomFile.Parse(data, options)), offset, tag),
            AssertDicomException(await Record.ExceptionAsync(() => DicomFile.ReadAsync(new NonSeekableStream(data), options)), offset, tag),
            AssertDicomException(await Record.ExceptionAsync(() => DicomFile.ReadAsync(new MemoryStream(data, writable: false), options)), offset, tag),
        ];
        return errors;
    }

    /// <summary>Exactly a <see cref="DicomException"/> whose message names the offset (and the tag).</summary>
    private static DicomException AssertDicomException(Exception? error, long? offset = null, DicomTag? tag = null)
    {
        Assert.NotNull(error);
        Assert.Equal(typeof(DicomException), error.GetType());
        var exception = (DicomException)error;
        Assert.NotNull(exception.Offset);
        Assert.Contains($"at offset {exception.Offset}", exception.Message, StringComparison.Ordinal);
        if (offset is not null)
            Assert.Equal(offset, exception.Offset);
        if (tag is { } t)
        {
            Assert.Equal(t, exception.Tag);
            Assert.Contains(t.ToString(), exception.Message, StringComparison.Ordinal);
        }
        return exception;
    }
}
