using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OrleansImaging.Api.Dicomweb;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Tests.Dicomweb;

public sealed class MultipartRelatedResultTests
{
    [Fact]
    public async Task ExecuteAsync_WholeObjectsRangesAndHeldBytes_EachPartExactlyItsBytes()
    {
        var blobs = new GeneratedBlobStore(("a", 200_000), ("b", 1_000));
        BlobPart[] parts =
        [
            BlobPart.Whole("application/dicom; transfer-syntax=1.2.840.10008.1.2.1", "a", 200_000),
            BlobPart.Located("application/octet-stream", "a", new DicomValueLocation([DicomValueSegment.InObject(70_000, 100_000), DicomValueSegment.Held(new byte[] { 1, 2, 3 }), DicomValueSegment.InObject(5, 10)])),
            BlobPart.Whole("application/dicom; transfer-syntax=1.2.840.10008.1.2.4.50", "b", 1_000),
        ];
        var http = NewContext(new MemoryStream());

        await new MultipartRelatedResult(blobs, "application/dicom", parts).ExecuteAsync(http);

        var read = await ReadAsync(http);
        Assert.Equal(parts.Select(p => p.ContentType), read.Select(p => p.ContentType));
        Assert.Equal(GeneratedBlobStore.Bytes("a", 0, 200_000), read[0].Body);
        Assert.Equal([.. GeneratedBlobStore.Bytes("a", 70_000, 100_000), 1, 2, 3, .. GeneratedBlobStore.Bytes("a", 5, 10)], read[1].Body);
        Assert.Equal(GeneratedBlobStore.Bytes("b", 0, 1_000), read[2].Body);
        Assert.Equal("no-store", http.Response.Headers.CacheControl.ToString());
    }

    [Fact]
    public async Task ExecuteAsync_TwoThousandObjectsOfOneMegabyte_StreamsWithoutHoldingThem()
    {
        const int count = 2_000;
        const int size = 1 << 20;
        var blobs = new GeneratedBlobStore([.. Enumerable.Range(0, count).Select(i => ($"t/s/{i}", (long)size))]);
        var sink = new CountingStream();
        var http = NewContext(sink);
        // Every stream here completes synchronously, so the whole response is written on this thread, and other
        // tests running in parallel do not count.
        var before = GC.GetAllocatedBytesForCurrentThread();

        await new MultipartRelatedResult(blobs, "application/dicom", Enumerable.Range(0, count).Select(i => BlobPart.Whole("application/dicom", $"t/s/{i}", size))).ExecuteAsync(http);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sink.Length > (long)count * size, "every byte of every object was written");
        Assert.True(allocated < 64L * 1024 * 1024, $"{allocated:N0} bytes allocated to stream {(long)count * size:N0}");
    }

    [Fact]
    public async Task ExecuteAsync_ObjectShorterThanItsCatalogueEntry_ThrowsWithoutTheClosingBoundary()
    {
        var blobs = new GeneratedBlobStore(("a", 1_000));
        var body = new MemoryStream();
        var http = NewContext(body);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new MultipartRelatedResult(blobs, "application/dicom", [BlobPart.Whole("application/dicom", "a", 2_000)]).ExecuteAsync(http));

        Assert.DoesNotContain("--\r\n", System.Text.Encoding.ASCII.GetString(body.ToArray()[^8..]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_FirstObjectMissing_ThrowsBeforeWritingAnything()
    {
        var body = new MemoryStream();
        var http = NewContext(body);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new MultipartRelatedResult(new GeneratedBlobStore(), "application/dicom", [BlobPart.Whole("application/dicom", "gone", 10)]).ExecuteAsync(http));

        Assert.Equal(0, body.Length);
    }

    private static DefaultHttpContext NewContext(Stream body)
    {
        var http = new DefaultHttpContext();
        http.Response.Body = body;
        return http;
    }

    private static async Task<List<(string ContentType, byte[] Body)>> ReadAsync(DefaultHttpContext http)
    {
        var body = (MemoryStream)http.Response.Body;
        body.Position = 0;
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(http.Response.ContentType).Boundary).Value!;
        var reader = new MultipartReader(boundary, body) { BodyLengthLimit = null };
        var parts = new List<(string, byte[])>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            using var copy = new MemoryStream();
            await section.Body.CopyToAsync(copy);
            parts.Add((section.ContentType ?? "", copy.ToArray()));
        }
        return parts;
    }

    /// <summary>Blobs whose bytes are computed from key and position, so gigabytes cost no memory.</summary>
    private sealed class GeneratedBlobStore(params (string Key, long Length)[] blobs) : IBlobStore
    {
        private readonly Dictionary<string, long> _lengths = blobs.ToDictionary(b => b.Key, b => b.Length);

        public static byte At(string key, long position) => (byte)(position * 31 + key.Length * 7 + (position >> 9));

        public static byte[] Bytes(string key, long offset, int length) => [.. Enumerable.Range(0, length).Select(i => At(key, offset + i))];

        public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
            Task.FromResult<Stream?>(_lengths.TryGetValue(key, out var length) ? new GeneratedStream(key, 0, length) : null);

        public Task<Stream?> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default) =>
            Task.FromResult<Stream?>(_lengths.TryGetValue(key, out var total) ? new GeneratedStream(key, Math.Min(offset, total), Math.Min(total, offset + length)) : null);

        public Task<BlobWriteResult> PutAsync(string key, Stream content, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<BlobWriteResult> PutIfAbsentAsync(string key, Stream content, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(_lengths.ContainsKey(key));
        public Task<BlobInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public IAsyncEnumerable<string> ListAsync(string prefix = "", CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class GeneratedStream(string key, long start, long end) : Stream
    {
        private long _position = start;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, end - _position);
            for (var i = 0; i < n; i++)
                buffer[i] = GeneratedBlobStore.At(key, _position + i);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Counts what is written and keeps none of it.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
