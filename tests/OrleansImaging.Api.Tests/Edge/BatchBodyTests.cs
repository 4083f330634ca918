using System.Text;
using OrleansImaging.Edge.Spool;
using OrleansImaging.Edge.Upload;

namespace OrleansImaging.Api.Tests.Edge;

/// <summary>
/// A batch's STOW body read straight from the queued files: the same bytes from any offset (a resumed upload starts in
/// the middle), and a member replaced or removed since the batch was built is refused instead of sent.
/// </summary>
public sealed class BatchBodyTests : IDisposable
{
    private const string Boundary = "edge-test";
    private readonly string _queue = Directory.CreateTempSubdirectory("batch-body-").FullName;

    public void Dispose() => Directory.Delete(_queue, recursive: true);

    [Fact]
    public void Read_WholeBody_IsEachPartHeaderFileAndCrlfThenTheClosingBoundary()
    {
        var members = Queue(("1.2.3.1", 1000), ("1.2.3.2", 70_001), ("1.2.3.3", 1));

        using var body = BatchBody.Open(_queue, Boundary, members);
        var read = ReadAll(body, 4096);

        Assert.Equal(Expected(members), read);
        Assert.Equal(read.Length, body.Length);
    }

    [Theory]
    [InlineData(0, 7)]
    [InlineData(1, 65536)]
    [InlineData(20, 3)]          // inside the first part header (48 bytes)
    [InlineData(1049, 1000)]     // between the first file's CR and LF
    [InlineData(40_000, 8192)]   // inside the second file
    [InlineData(71_149, 1)]      // the third file's only byte
    [InlineData(71_155, 100)]    // inside the closing boundary
    public void Read_FromAnOffsetInChunksOfAnySize_IsTheSameBytesAsTheWholeBodyFromThere(int offset, int chunk)
    {
        var members = Queue(("1.2.3.1", 1000), ("1.2.3.2", 70_001), ("1.2.3.3", 1));
        var expected = Expected(members);

        using var body = BatchBody.Open(_queue, Boundary, members);
        body.Position = offset;
        var read = ReadAll(body, chunk);

        Assert.Equal(expected[offset..], read);
    }

    [Fact]
    public void Read_AMemberReplacedSinceTheBatchWasBuilt_RefusedSoTheBatchIsBuiltAgain()
    {
        var members = Queue(("1.2.3.1", 1000), ("1.2.3.2", 2000));
        File.WriteAllBytes(Path.Combine(_queue, "1.2.3.2.dcm"), new byte[2000]); // a modality sent it again
        File.SetLastWriteTimeUtc(Path.Combine(_queue, "1.2.3.2.dcm"), DateTime.UtcNow.AddMinutes(1));

        using var body = BatchBody.Open(_queue, Boundary, members);
        var error = Assert.Throws<UploadRefusedException>(() => ReadAll(body, 4096));

        Assert.Contains("1.2.3.2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AMemberRemoved_Refused()
    {
        var members = Queue(("1.2.3.1", 1000), ("1.2.3.2", 2000));
        File.Delete(Path.Combine(_queue, "1.2.3.1.dcm"));

        using var body = BatchBody.Open(_queue, Boundary, members);

        Assert.Throws<UploadRefusedException>(() => ReadAll(body, 4096));
    }

    private List<BatchMember> Queue(params (string Sop, int Length)[] files)
    {
        var members = new List<BatchMember>();
        foreach (var (sop, length) in files)
        {
            var path = Path.Combine(_queue, sop + ".dcm");
            File.WriteAllBytes(path, Enumerable.Range(0, length).Select(i => (byte)(i * 7 + sop.Length)).ToArray());
            var info = new FileInfo(path);
            members.Add(new BatchMember(sop, info.Length, info.LastWriteTimeUtc.Ticks));
        }
        return members;
    }

    private byte[] Expected(IEnumerable<BatchMember> members)
    {
        var expected = new MemoryStream();
        foreach (var member in members)
        {
            expected.Write(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: application/dicom\r\n\r\n"));
            expected.Write(File.ReadAllBytes(Path.Combine(_queue, member.SopInstanceUid + ".dcm")));
            expected.Write("\r\n"u8);
        }
        expected.Write(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
        return expected.ToArray();
    }

    private static byte[] ReadAll(Stream body, int chunk)
    {
        var read = new MemoryStream();
        var buffer = new byte[chunk];
        int n;
        while ((n = body.Read(buffer, 0, buffer.Length)) > 0)
            read.Write(buffer, 0, n);
        return read.ToArray();
    }
}
