using System.Security.Cryptography;

namespace OrleansImaging.Grains.Tests.Storage;

internal static class TestData
{
    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}

/// <summary>
/// A non-seekable body like a network stream: hands out at most <c>maxRead</c> bytes per read, and can
/// stall after <c>stallAfter</c> bytes (until cancelled) or fail there, to test puts cut off mid-body, and can
/// hold back its end until <c>endGate</c> completes, to line up concurrent puts at their commit.
/// </summary>
internal sealed class TrickleStream(byte[] data, int maxRead = 1000, long stallAfter = long.MaxValue, bool failInsteadOfStall = false, Task? endGate = null) : Stream
{
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _atEnd = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;

    /// <summary>Completes when the reader has consumed every byte before the stall point and asked for more.</summary>
    public Task Stalled => _stalled.Task;

    /// <summary>Completes when the reader has consumed every byte and asked for more (the end is held back until <c>endGate</c>).</summary>
    public Task AtEnd => _atEnd.Task;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only, like a request body");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= stallAfter)
        {
            _stalled.TrySetResult();
            if (failInsteadOfStall)
                throw new IOException("the client went away");
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        if (_position == data.Length)
        {
            _atEnd.TrySetResult();
            if (endGate is not null)
                await endGate.WaitAsync(cancellationToken);
            return 0;
        }
        var count = (int)Math.Min(Math.Min(buffer.Length, maxRead), Math.Min(data.Length - _position, stallAfter - _position));
        data.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
