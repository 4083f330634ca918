namespace OrleansImaging.Api.Dicomweb;

/// <summary>
/// A forward-only view of a request body that fails with <see cref="RequestBodyTooLargeException"/> once more than
/// <c>limit</c> bytes have arrived. Kestrel enforces the same limit through <c>IHttpMaxRequestBodySizeFeature</c>, but
/// not every server does (the test server, a reverse proxy's chunked bodies), and STOW must refuse an oversized body
/// the same way everywhere.
/// </summary>
internal sealed class RequestBodyLimitStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _read += read;
        return _read > limit ? throw new RequestBodyTooLargeException(limit) : read;
    }
}

/// <summary>The request body grew past the configured limit.</summary>
internal sealed class RequestBodyTooLargeException(long limit) : IOException($"The request body is larger than {limit} bytes, the configured limit.");
