namespace OrleansImaging.Dicom.Tests.Robustness;

/// <summary>A read-only stream that cannot seek and hands out at most a few KiB per read, like a socket.</summary>
internal sealed class NonSeekableStream(byte[] data, int maxRead = 4096) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, maxRead), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Where the pydicom corpus is: $IMAGING_CORPUS, or the main worktree's copy.</summary>
internal static class Corpus
{
    public static string Root => TestCorpus.Root;

    public static string File(string name) => Path.Combine(Root, "test_files", name);

    /// <summary>
    /// Every file of test_files/ and charset_files/ (DICOMDIRs have no extension) except the obvious
    /// non-DICOM ones, sorted so runs are reproducible; callers keep those that parse.
    /// </summary>
    public static IReadOnlyList<string> DicomFiles() =>
        new[] { "test_files", "charset_files" }
            .Select(d => Path.Combine(Root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => Path.GetExtension(f) is not (".txt" or ".json" or ".gz" or ".dump" or ".py" or ".pyc"))
            .Order(StringComparer.Ordinal)
            .ToList();
}
