using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Tests.Storage;

/// <summary>
/// What every <see cref="IBlobStore"/> promises, run against each implementation by a derived class in that
/// store's collection. Each test writes under a prefix of its own, so tests share one store safely.
/// </summary>
public abstract class BlobStoreContractTests
{
    protected const int FiveMegabytes = 5 * 1024 * 1024 + 3; // not a multiple of any buffer or block size

    protected abstract IBlobStore Store { get; }

    protected string Tenant { get; } = $"t{Guid.NewGuid():N}";

    protected string Key(string instance, string study = "1.2.3") => $"{Tenant}/{study}/{instance}";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(1024 * 1024)]
    [InlineData(FiveMegabytes)]
    public async Task PutAsync_Bytes_RoundTripWithExactSha256(int length)
    {
        var data = TestData.Bytes(length, seed: length);
        var key = Key("1.2.3.4");

        var result = await Store.PutAsync(key, new MemoryStream(data));

        Assert.Equal(new BlobWriteResult(length, TestData.Sha256(data), Created: true), result);
        await using var read = await Store.OpenReadAsync(key);
        Assert.NotNull(read);
        Assert.Equal(data, await TestData.ReadAllAsync(read));
        Assert.Equal(new BlobInfo(length, TestData.Sha256(data)), await Store.GetInfoAsync(key));
        Assert.True(await Store.ExistsAsync(key));
    }

    [Fact]
    public async Task PutAsync_NetworkLikeBodyWithSmallReads_StoresEveryByte()
    {
        var data = TestData.Bytes(2_500_000, seed: 7);
        var key = Key("small-reads");

        var result = await Store.PutAsync(key, new TrickleStream(data, maxRead: 1460));

        Assert.Equal(TestData.Sha256(data), result.Sha256);
        await using var read = await Store.OpenReadAsync(key);
        Assert.Equal(data, await TestData.ReadAllAsync(read!));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1000, 70_000)]
    [InlineData(1_048_570, 20)]          // across the Azure store's 1 MiB block boundary
    [InlineData(FiveMegabytes - 5, 100)] // clipped to the last 5 bytes
    [InlineData(FiveMegabytes, 10)]      // starts at the end: empty
    [InlineData(FiveMegabytes + 100, 10)] // starts past the end: empty
    [InlineData(12_345, 0)]
    public async Task OpenRangeAsync_Window_ReturnsExactlyThoseBytesClippedToTheEnd(long offset, long length)
    {
        var data = TestData.Bytes(FiveMegabytes, seed: 11);
        var key = Key("ranged");
        await Store.PutAsync(key, new MemoryStream(data));

        await using var range = await Store.OpenRangeAsync(key, offset, length);

        Assert.NotNull(range);
        var start = (int)Math.Min(offset, data.Length);
        var end = (int)Math.Min(data.Length, start + length);
        Assert.Equal(data[start..end], await TestData.ReadAllAsync(range));
    }

    [Fact]
    public async Task OpenReadAsync_SeekThenRead_ReadsFromThatOffset()
    {
        var data = TestData.Bytes(FiveMegabytes, seed: 12);
        var key = Key("seek");
        await Store.PutAsync(key, new MemoryStream(data));

        await using var read = await Store.OpenReadAsync(key);

        Assert.NotNull(read);
        Assert.True(read.CanSeek);
        Assert.Equal(data.Length, read.Length);
        read.Seek(3_000_000, SeekOrigin.Begin);
        var buffer = new byte[1000];
        await read.ReadExactlyAsync(buffer);
        Assert.Equal(data[3_000_000..3_001_000], buffer);
    }

    [Fact]
    public async Task PutAsync_ExistingKey_ReplacesTheObject()
    {
        var key = Key("overwritten");
        var first = TestData.Bytes(300_000, seed: 1);
        var second = TestData.Bytes(200_000, seed: 2);
        await Store.PutAsync(key, new MemoryStream(first));

        var result = await Store.PutAsync(key, new MemoryStream(second));

        Assert.Equal(new BlobWriteResult(second.Length, TestData.Sha256(second), Created: true), result);
        await using var read = await Store.OpenReadAsync(key);
        Assert.Equal(second, await TestData.ReadAllAsync(read!));
        Assert.Equal(new BlobInfo(second.Length, TestData.Sha256(second)), await Store.GetInfoAsync(key));
    }

    [Theory]
    [InlineData(300_000)]
    [InlineData(FiveMegabytes)]
    public async Task PutIfAbsentAsync_ExistingKey_KeepsTheObjectAndReportsWhatWasOffered(int length)
    {
        var key = Key("kept");
        var first = TestData.Bytes(length, seed: 3);
        var offered = TestData.Bytes(length + 1, seed: 4);

        var created = await Store.PutIfAbsentAsync(key, new MemoryStream(first));
        var refused = await Store.PutIfAbsentAsync(key, new TrickleStream(offered, maxRead: 8192));

        Assert.Equal(new BlobWriteResult(first.Length, TestData.Sha256(first), Created: true), created);
        Assert.Equal(new BlobWriteResult(offered.Length, TestData.Sha256(offered), Created: false), refused);
        await using var read = await Store.OpenReadAsync(key);
        Assert.Equal(first, await TestData.ReadAllAsync(read!));
        Assert.Equal(new BlobInfo(first.Length, TestData.Sha256(first)), await Store.GetInfoAsync(key));
    }

    [Theory]
    [InlineData(256 * 1024)]
    [InlineData(2_500_000)]
    public async Task PutIfAbsentAsync_ConcurrentWritersOfOneKey_ExactlyOneCreatesAndItsBytesAreStored(int length)
    {
        var key = Key("raced");
        var bodies = Enumerable.Range(0, 8).Select(i => TestData.Bytes(length, seed: 100 + i)).ToArray();

        // Every writer has streamed its whole body (and found no object) before any may finish: they meet at the commit.
        var gate = new TaskCompletionSource();
        var streams = bodies.Select(body => new TrickleStream(body, maxRead: 16 * 1024, endGate: gate.Task)).ToArray();
        var puts = streams.Select(stream => Task.Run(() => Store.PutIfAbsentAsync(key, stream))).ToArray();
        await Task.WhenAll(streams.Select(s => s.AtEnd));
        gate.SetResult();
        var results = await Task.WhenAll(puts);

        var winner = Assert.Single(results, r => r.Created);
        var winningBody = bodies[Array.IndexOf(results, winner)];
        await using var read = await Store.OpenReadAsync(key);
        Assert.Equal(winningBody, await TestData.ReadAllAsync(read!));
        Assert.Equal(TestData.Sha256(winningBody), (await Store.GetInfoAsync(key))!.Sha256);
    }

    [Fact]
    public async Task PutAsync_ConcurrentWritersOfOneKey_StoresOneWholeBody()
    {
        var key = Key("last-writer-wins");
        var bodies = Enumerable.Range(0, 8).Select(i => TestData.Bytes(256 * 1024, seed: 200 + i)).ToArray();

        var gate = new TaskCompletionSource();
        var streams = bodies.Select(body => new TrickleStream(body, maxRead: 16 * 1024, endGate: gate.Task)).ToArray();
        var puts = streams.Select(stream => Task.Run(() => Store.PutAsync(key, stream))).ToArray();
        await Task.WhenAll(streams.Select(s => s.AtEnd));
        gate.SetResult();
        var results = await Task.WhenAll(puts);

        Assert.All(results, r => Assert.True(r.Created));
        await using var read = await Store.OpenReadAsync(key);
        var stored = await TestData.ReadAllAsync(read!);
        Assert.Contains(bodies, body => body.AsSpan().SequenceEqual(stored)); // one writer's bytes, not a mix
        Assert.Equal(TestData.Sha256(stored), (await Store.GetInfoAsync(key))!.Sha256);
    }

    [Theory]
    [InlineData(300_000)]   // inside the first buffer / block
    [InlineData(2_500_000)] // after the Azure store staged two blocks
    public async Task PutAsync_CancelledMidBody_LeavesNothing(int stallAfter)
    {
        var key = Key("cancelled");
        var body = new TrickleStream(TestData.Bytes(FiveMegabytes, seed: 5), maxRead: 64 * 1024, stallAfter: stallAfter);
        using var cancellation = new CancellationTokenSource();

        var put = Store.PutAsync(key, body, cancellation.Token);
        await body.Stalled;
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => put);
        Assert.False(await Store.ExistsAsync(key));
        Assert.Null(await Store.OpenReadAsync(key));
        Assert.Empty(await Store.ListAsync(Tenant + "/").ToListAsync());
        await AssertNoLeftoversAsync(Tenant);
    }

    [Fact]
    public async Task PutIfAbsentAsync_BodyFailsMidway_LeavesNothing()
    {
        var key = Key("failed");
        var body = new TrickleStream(TestData.Bytes(FiveMegabytes, seed: 6), maxRead: 64 * 1024, stallAfter: 1_500_000, failInsteadOfStall: true);

        await Assert.ThrowsAsync<IOException>(() => Store.PutIfAbsentAsync(key, body));

        Assert.False(await Store.ExistsAsync(key));
        Assert.Empty(await Store.ListAsync(Tenant + "/").ToListAsync());
        await AssertNoLeftoversAsync(Tenant);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a/b/")]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData(".hidden")]
    [InlineData("a/.b.tmp")]
    [InlineData("a\\b")]
    [InlineData("C:/x")]
    [InlineData("a b")]
    [InlineData("caf\u00e9")]
    [InlineData("a/b\0c")]
    [InlineData("-dash-first")]
    public async Task EveryOperation_InvalidKey_ThrowsInvalidBlobKeyException(string key)
    {
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.PutAsync(key, new MemoryStream([1])));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.PutIfAbsentAsync(key, new MemoryStream([1])));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.OpenReadAsync(key));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.OpenRangeAsync(key, 0, 1));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.ExistsAsync(key));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.GetInfoAsync(key));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.DeleteAsync(key));
    }

    [Fact]
    public async Task EveryRead_MissingKey_ReturnsNullOrFalse()
    {
        var key = Key("never-written");

        Assert.Null(await Store.OpenReadAsync(key));
        Assert.Null(await Store.OpenRangeAsync(key, 0, 10));
        Assert.Null(await Store.OpenRangeAsync(key, 0, 0));
        Assert.False(await Store.ExistsAsync(key));
        Assert.Null(await Store.GetInfoAsync(key));
        Assert.False(await Store.DeleteAsync(key));
        Assert.Empty(await Store.ListAsync(Tenant + "/").ToListAsync());
    }

    [Fact]
    public async Task DeleteAsync_ExistingKey_RemovesItOnce()
    {
        var key = Key("deleted");
        await Store.PutAsync(key, new MemoryStream([1, 2, 3]));

        Assert.True(await Store.DeleteAsync(key));

        Assert.False(await Store.ExistsAsync(key));
        Assert.Null(await Store.OpenReadAsync(key));
        Assert.False(await Store.DeleteAsync(key));
        await AssertNoLeftoversAsync(Tenant);
    }

    [Fact]
    public async Task ListAsync_Prefix_ReturnsTheKeysStartingWithIt()
    {
        string[] keys = [Key("1", study: "s1"), Key("2", study: "s1"), Key("1", study: "s2"), Key("1", study: "x9")];
        foreach (var key in keys)
            await Store.PutAsync(key, new MemoryStream([42]));

        Assert.Equal(keys.Order(StringComparer.Ordinal), (await Store.ListAsync(Tenant + "/").ToListAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(keys[..2], (await Store.ListAsync($"{Tenant}/s1/").ToListAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(keys[..3], (await Store.ListAsync($"{Tenant}/s").ToListAsync()).Order(StringComparer.Ordinal));
        Assert.Empty(await Store.ListAsync($"{Tenant}/none/").ToListAsync());
        await Assert.ThrowsAsync<InvalidBlobKeyException>(async () => await Store.ListAsync("../").ToListAsync());
    }

    /// <summary>Store-specific check that nothing but objects remains under the tenant (the folder store's temp files).</summary>
    protected virtual Task AssertNoLeftoversAsync(string tenant) => Task.CompletedTask;
}
