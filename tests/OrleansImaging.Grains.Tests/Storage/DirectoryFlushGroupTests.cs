using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Tests.Storage;

/// <summary>
/// The folder store's group commit of directory fsyncs: a put may return only after an fsync of its directory that
/// began after its rename. A fake fsync that can be held open makes "began after" observable.
/// </summary>
public sealed class DirectoryFlushGroupTests
{
    [Fact]
    public async Task Request_WhileAFlushRuns_IsCompletedOnlyByTheNextFlushWhichAllWaitingRequestsShare()
    {
        using var firstFlushStarted = new ManualResetEventSlim();
        using var releaseFirstFlush = new ManualResetEventSlim();
        var flushes = 0;
        var group = new DirectoryFlushGroup("/d", _ =>
        {
            if (Interlocked.Increment(ref flushes) == 1)
            {
                firstFlushStarted.Set();
                releaseFirstFlush.Wait();
            }
        });

        var first = group.Request(out var firstMustRun);
        var runner = Task.Run(group.RunFlushes);
        Assert.True(firstFlushStarted.Wait(TimeSpan.FromSeconds(30)));
        var second = group.Request(out var secondMustRun); // renamed while the first fsync was already running
        var third = group.Request(out var thirdMustRun);
        Assert.False(second.IsCompleted);
        releaseFirstFlush.Set();
        await Task.WhenAll(first, second, third).WaitAsync(TimeSpan.FromSeconds(30));
        await runner;

        Assert.True(firstMustRun);
        Assert.False(secondMustRun);
        Assert.False(thirdMustRun);
        Assert.Equal(2, flushes);
    }

    [Fact]
    public async Task Request_NoFlushRunning_CallerRunsOneFlushThatCompletesIt()
    {
        var flushes = 0;
        var group = new DirectoryFlushGroup("/d", _ => flushes++);

        var request = group.Request(out var mustRun);
        Assert.False(request.IsCompleted);
        group.RunFlushes();
        await request;

        Assert.True(mustRun);
        Assert.Equal(1, flushes);
        var next = group.Request(out var nextMustRun);
        Assert.True(nextMustRun);
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public async Task Request_FlushFails_FaultsTheRequestsItCoveredAndTheNextFlushRunsAgain()
    {
        var fail = true;
        var group = new DirectoryFlushGroup("/d", _ =>
        {
            if (fail)
                throw new IOException("fsync failed");
        });

        var failed = group.Request(out _);
        group.RunFlushes();
        fail = false;
        var later = group.Request(out var mustRun);
        group.RunFlushes();

        await Assert.ThrowsAsync<IOException>(() => failed);
        Assert.True(mustRun);
        await later;
    }
}
