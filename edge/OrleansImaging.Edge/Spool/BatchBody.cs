using System.Text;
using OrleansImaging.Edge.Upload;

namespace OrleansImaging.Edge.Spool;

/// <summary>
/// A batch's multipart/related STOW body, read straight from its queued files: for each member its part header, the
/// file, CRLF; then the closing boundary. Nothing is copied to disk: the body is a function of the manifest (boundary,
/// members, their lengths), so it reads the same on every attempt and after a restart, as a resumed upload needs.
/// A queued file replaced since the batch was built (same length and time, or not) is refused with
/// <see cref="UploadRefusedException"/>, and the batch is built again; the cloud's whole-object SHA-256 catches
/// anything the length and time check cannot.
/// </summary>
internal sealed class BatchBody : Stream
{
    private readonly string _queue;
    private readonly IReadOnlyList<BatchMember> _members;
    private readonly byte[] _partHeader;
    private readonly byte[] _closing;
    private long _position;
    private FileStream? _open;      // the member file being read
    private int _openIndex = -1;

    private BatchBody(string queue, string boundary, IReadOnlyList<BatchMember> members)
    {
        _queue = queue;
        _members = members;
        _partHeader = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n");
        _closing = Encoding.ASCII.GetBytes($"--{boundary}--\r\n");
        Length = members.Sum(m => _partHeader.Length + m.Length + 2) + _closing.Length;
    }

    /// <summary>The body of <paramref name="members"/> (files in <paramref name="queue"/>) with <paramref name="boundary"/>.</summary>
    public static BatchBody Open(string queue, string boundary, IReadOnlyList<BatchMember> members) => new(queue, boundary, members);

    public override long Length { get; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Reads from the current position; synchronous I/O, since the queued files are usually in the page cache.</summary>
    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (buffer.Length > 0 && _position < Length)
        {
            var read = ReadSegment(buffer);
            _position += read;
            total += read;
            buffer = buffer[read..];
        }
        return total;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Reads from the one segment _position falls in: a part header, a member file, its CRLF, or the closing boundary.
    private int ReadSegment(Span<byte> buffer)
    {
        var start = 0L;
        for (var i = 0; i < _members.Count; i++)
        {
            var member = _members[i];
            if (_position < start + _partHeader.Length)
                return Copy(_partHeader, (int)(_position - start), buffer);
            start += _partHeader.Length;
            if (_position < start + member.Length)
                return ReadMember(i, _position - start, buffer[..(int)Math.Min(buffer.Length, start + member.Length - _position)]);
            start += member.Length;
            if (_position < start + 2)
                return Copy("\r\n"u8, (int)(_position - start), buffer);
            start += 2;
        }
        return Copy(_closing, (int)(_position - start), buffer);
    }

    private static int Copy(ReadOnlySpan<byte> source, int from, Span<byte> buffer)
    {
        var count = Math.Min(source.Length - from, buffer.Length);
        source.Slice(from, count).CopyTo(buffer);
        return count;
    }

    private int ReadMember(int index, long offset, Span<byte> buffer)
    {
        var member = _members[index];
        if (_openIndex != index)
        {
            _open?.Dispose();
            _open = null;
            var path = Path.Combine(_queue, member.SopInstanceUid + ".dcm");
            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 0, FileOptions.SequentialScan);
            }
            catch (FileNotFoundException)
            {
                throw new UploadRefusedException($"queued instance {member.SopInstanceUid} is no longer in the spool; the batch is built again.");
            }
            // Checked on the open handle: a replacement renamed in after this leaves this file's bytes as they were.
            if (file.Length != member.Length || File.GetLastWriteTimeUtc(file.SafeFileHandle).Ticks != member.Modified)
            {
                file.Dispose();
                throw new UploadRefusedException($"queued instance {member.SopInstanceUid} was replaced since its batch was built; the batch is built again.");
            }
            _open = file;
            _openIndex = index;
        }
        var read = RandomAccess.Read(_open!.SafeFileHandle, buffer, offset);
        if (read == 0)
            throw new UploadRefusedException($"queued instance {member.SopInstanceUid} is shorter than when its batch was built; the batch is built again.");
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _open?.Dispose();
        base.Dispose(disposing);
    }
}
